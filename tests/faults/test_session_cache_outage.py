"""A logout while Redis hangs stays a logout when Redis comes back with its data.

Sessions are Django's cached_db: a logout deletes the row, and the cached copy too when Redis
answers. While Redis hangs (a partition, a frozen server) that delete is dropped; a Redis that
kept its data would then hand the old session back. The sessions' cache empties its own Redis
database on its first call after an outage (fii/cache.py, CLEAR_AFTER_OUTAGE).
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches

from tests import factories as f

from .conftest import RedisServer

pytestmark = pytest.mark.django_db

RETRY_SECONDS = 0.5


@pytest.fixture
def session_cache(settings, redis_server: RedisServer) -> RedisServer:  # type: ignore[no-untyped-def]
    options = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "fii.cache.FailSoftRedisCache",
            "LOCATION": redis_server.url.replace("/0", "/1"),
            "OPTIONS": {**options, "RETRY_SECONDS": RETRY_SECONDS, "CLEAR_AFTER_OUTAGE": True},
        },
    }
    return redis_server


def test_a_logout_dropped_by_a_frozen_redis_does_not_come_back(session_cache, world_a, client):
    response = client.post(
        "/accounts/login/", {"login": world_a.family_user.email, "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/o/alpha/family/").status_code == 200
    cookie = client.cookies["sessionid"].value
    assert caches["sessions"].get(f"django.contrib.sessions.cached_db{cookie}") is not None

    session_cache.freeze()
    try:
        client.post("/accounts/logout/")  # the row goes; the cached copy's delete is dropped
    finally:
        session_cache.thaw()
    time.sleep(RETRY_SECONDS + 0.1)

    client.cookies["sessionid"] = cookie  # the old cookie, kept by a browser or a thief
    response = client.get("/o/alpha/family/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_an_outage_the_cache_keeps_its_sessions(session_cache, world_a, client):
    client.force_login(world_a.family_user)
    assert client.get("/o/alpha/family/").status_code == 200
    key = f"django.contrib.sessions.cached_db{client.cookies['sessionid'].value}"
    assert caches["sessions"].get(key) is not None
    assert client.get("/o/alpha/family/").status_code == 200
    assert caches["sessions"].get(key) is not None
