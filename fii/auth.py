"""Authentication backends: Django's and allauth's, reading each request's user at no cost.

Every signed-in request loads its user from the session's user id. The session store read it
with the session already (fii.sessions); otherwise one hand-written SELECT (fii.sql): the ORM
would spend more Python on building that query than the database spends answering it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model

from .sessions import user_read_with_session
from .sql import Table, select


@cache
def _user_query() -> tuple[Table[Any], str]:
    users = Table(get_user_model(), "u")
    return users, select(users, where=f"{users.column('id')} = %s")


def user_get(user_id: Any) -> Any:
    """Return the user with this primary key, or None."""
    users, sql = _user_query()
    return users.fetch_one(sql, [user_id])


class FastUserMixin:
    def get_user(self, user_id: Any) -> Any:
        # Read with this request's session already (fii.sessions), or read now.
        user = user_read_with_session(user_id) or user_get(user_id)
        if user is None or not self.user_can_authenticate(user):  # type: ignore[attr-defined]
            return None
        return user


class ModelBackend(FastUserMixin, backends.ModelBackend):
    """Django's backend (used for the invitation's first login and the test client)."""


class AuthenticationBackend(FastUserMixin, auth_backends.AuthenticationBackend):
    """allauth's backend: login by e-mail address."""
