"""Sessions in the database, read with their user in one hand-written SELECT (fii.sql).

Django reads a signed-in request's session, then its user: two queries on every page. Here the
session row (fii.models.UserSession) carries the user's id, so one join reads both; the user
read is kept for this request only, for the authentication backend (fii.auth) to take instead
of reading it again. On a page of an organization (`/o/<slug>/...`) the same join reads the
user's membership of it too, for fii.access to take instead of a query of its own. Everything
else is Django's database session store.
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

from .access import (
    keep_membership_read,
    membership_join,
    membership_of,
    membership_tables,
    org_slug_of,
)
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


# The organization slug of this request's path, if any: its membership is read with the session.
_request_org_slug: ContextVar[str | None] = ContextVar("request_org_slug", default=None)


def _forget_user(**kwargs: Any) -> None:
    _read_with_session.set(None)


def _start_request(environ: Any = None, scope: Any = None, **kwargs: Any) -> None:
    _forget_user()
    path = (environ or {}).get("PATH_INFO") or (scope or {}).get("path") or ""
    _request_org_slug.set(org_slug_of(path))


# A user read with one request's session is never taken for another request's, nor once the
# request has changed it (a new password: Django checks the session against the new hash).
request_started.connect(_start_request, dispatch_uid="fii.sessions.forget_user")
post_save.connect(_forget_user, sender=User, dispatch_uid="fii.sessions.forget_saved_user")


@cache
def _session_query(with_membership: bool) -> tuple[tuple[Table[Any], ...], str]:
    sessions, users = Table(UserSession, "s"), Table(User, "u")
    joins = f"LEFT OUTER JOIN {users.name} ON {users.column('id')} = {sessions.column('user')}"
    tables: tuple[Table[Any], ...] = (sessions, users)
    if with_membership:
        joins += " " + membership_join(users.column("id"))
        tables += membership_tables()
    where = f"{sessions.column('session_key')} = %s AND {sessions.column('expire_date')} > %s"
    return tables, select(*tables, joins=joins, where=where)


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
        org_slug = _request_org_slug.get()
        tables, sql = _session_query(with_membership=org_slug is not None)
        now = tables[0].value("expire_date", timezone.now())
        params = [org_slug, True] if org_slug is not None else []
        rows = fetch_rows(tables[0].db, sql, [*params, self.session_key, now])
        if not rows:
            self._session_key = None
            return None
        session, user, *membership = split(rows[0], *tables)
        _read_with_session.set(user)
        if org_slug is not None and user is not None:
            keep_membership_read(user.pk, org_slug, membership_of(*membership))
        return session
