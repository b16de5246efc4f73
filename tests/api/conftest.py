"""API clients for the personas: a bearer token each, made through the token service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from fii.api.tokens import api_token_create
from fii.models import User


def token_for(user: User) -> str:
    _token, key = api_token_create(user=user, name="tests")
    return key


def api_client_for(user: User) -> Client:
    """Return a client that sends the user's new bearer token with every request."""
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


@pytest.fixture
def api() -> Callable[[User], Client]:
    return api_client_for


@pytest.fixture(autouse=True)
def _fresh_rates():  # type: ignore[no-untyped-def]
    # Throttle counts live in the cache; a test must not inherit another test's requests.
    cache.clear()
    yield
    cache.clear()
