"""Sessions in the database, read with their user in one hand-written SELECT (fii.sql).

Django reads a signed-in request's session, then its user: two queries on every page. Here the
session row (fii.models.UserSession) carries the user's id, so one join reads both; the user
read is kept for this request only, for the authentication backend (fii.auth) to take instead
of reading it again. Everything else is Django's database session store.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import request_started
from django.db.models.signals import post_save
from django.utils import timezone

from .models import User, UserSession
from .sql import Table, fetch_rows, select, split

# The user read with this request's session (None: no session read yet, or nobody signed in).
_read_with_session: ContextVar[User | None] = ContextVar("read_with_session", default=None)


def user_read_with_session(user_id: Any) -> User | None:
    """Return the user read with this request's session, if that is the one asked for."""
    user = _read_with_session.get()
    if user is None or str(user.pk) != str(user_id):
        return None
    return user


def _forget_user(**kwargs: Any) -> None:
    _read_with_session.set(None)


# A user read with one request's session is never taken for another request's, nor once the
# request has changed it (a new password: Django checks the session against the new hash).
request_started.connect(_forget_user, dispatch_uid="fii.sessions.forget_user")
post_save.connect(_forget_user, sender=User, dispatch_uid="fii.sessions.forget_saved_user")


@cache
def _session_query() -> tuple[tuple[Table[Any], ...], str]:
    sessions, users = Table(UserSession, "s"), Table(User, "u")
    joins = f"LEFT OUTER JOIN {users.name} ON {users.column('id')} = {sessions.column('user')}"
    where = f"{sessions.column('session_key')} = %s AND {sessions.column('expire_date')} > %s"
    return (sessions, users), select(sessions, users, joins=joins, where=where)


def _user_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SessionStore(DatabaseSessionStore):
    """Django's database session store, with the user's id beside the data."""

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        session.user_id = _user_id(data.get(SESSION_KEY))  # kept in step on every save
        return session

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        tables, sql = _session_query()
        now = tables[0].value("expire_date", timezone.now())
        rows = fetch_rows(tables[0].db, sql, [self.session_key, now])
        if not rows:
            self._session_key = None
            return None
        session, user = split(rows[0], *tables)
        _read_with_session.set(user)
        return session
