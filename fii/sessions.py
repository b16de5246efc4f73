"""Django's cached database sessions, with the signed-in person's id in a column of its own.

The store is Django's `cached_db` one, extended as Django documents ("Extending
database-backed session engines"): its rows are fii.models.UserSession, whose `user` column
lets erasure find and end a person's sessions without decoding every session.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .models import UserSession


class SessionStore(CachedDBStore):
    """Django's cached_db store, writing the session's user id beside its data."""

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        try:
            session.user_id = int(data.get(SESSION_KEY))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            session.user_id = None
        return session
