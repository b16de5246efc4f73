"""Sessions in the database, as Django keeps them, read with one hand-written SELECT (fii.sql)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .sql import Table, select


@cache
def _session_query() -> tuple[Table[Session], str]:
    sessions = Table(Session, "s")
    where = f"{sessions.column('session_key')} = %s AND {sessions.column('expire_date')} > %s"
    return sessions, select(sessions, where=where)


class SessionStore(DatabaseSessionStore):
    """Django's database session store; only the read on each request is written by hand."""

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        sessions, sql = _session_query()
        now = sessions.value("expire_date", timezone.now())
        session = sessions.fetch_one(sql, [self.session_key, now])
        if session is None:
            self._session_key = None
        return session
