"""Login rate limits hold in a real shared cache, Redis, as in production.

allauth counts failed logins in Django's default cache. With a per-process cache each worker
would count on its own and an attacker would get N tries per process; with Redis every process
sees the same count. These tests point the default cache at Redis (database 14, this file's
own; it is emptied before and after) and show that a refusal written through one cache client
is seen through another, fresh one, and that it lives in Redis alone.

Skipped when no Redis answers (CELERY_TEST_REDIS_URL's server, or 127.0.0.1:6379); CI has one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from allauth.account import app_settings as account_settings
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.utils.module_loading import import_string

from fii.audit import login_key
from fii.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def _our_redis_url() -> str:
    """Return database 14 of the Redis that CI names for the Celery test, or of localhost."""
    server = urlsplit(os.environ.get("CELERY_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15")
    return urlunsplit((server.scheme, server.netloc, "/14", "", ""))


REDIS_URL = _our_redis_url()
WRONG = "not-the-password-Rt55"
REFUSED = "Too many failed login attempts"
# From ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per address in 5 minutes, 10 per
# client IP address in a minute.
PER_ADDRESS, PER_IP = 5, 10


def redis_cache_settings(url: str) -> dict[str, Any]:
    """Return the project's default cache settings pointed at `url`, keeping a Redis backend.

    Production's backend (with its options) is kept when it is a Redis one; the test settings'
    local-memory cache is replaced by Django's RedisCache.
    """
    default = dict(django_settings.CACHES["default"])
    if not issubclass(import_string(default["BACKEND"]), RedisCache):
        default = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    return {**default, "LOCATION": url}


@pytest.fixture
def shared_cache(settings) -> Iterator[redis.Redis]:  # type: ignore[no-untyped-def]
    raw = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        raw.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    raw.flushdb()
    settings.CACHES = {**settings.CACHES, "default": redis_cache_settings(REDIS_URL)}
    yield raw
    raw.flushdb()


def another_process(settings) -> None:  # type: ignore[no-untyped-def]
    """Drop this process's cache clients, as a second worker would start without them."""
    before = caches["default"]
    settings.CACHES = {**settings.CACHES, "default": redis_cache_settings(REDIS_URL)}
    assert caches["default"] is not before


def log_in(email: str, password: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response.content.decode() if response.status_code == 200 else ""


def test_the_limits_are_the_documented_ones():
    limits = account_settings.RATE_LIMITS
    assert limits["login_failed"] == "10/m/ip,5/5m/key"
    assert limits["login"] == "30/m/ip"


def test_failed_logins_for_one_address_block_it_across_cache_clients(
    shared_cache, settings, world_a
):
    email = world_a.staff_user.email
    for _ in range(PER_ADDRESS):
        _, page = log_in(email, WRONG)
        assert REFUSED not in page
    # The count is in Redis, not in this process.
    assert shared_cache.keys("*allauth:rl:allauth.account:login_failed:*")
    another_process(settings)
    client, page = log_in(email, f.PASSWORD)
    # Refused even with the right password: not logged in, told why.
    assert REFUSED in page
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    (refusal,) = AuditEvent.objects.filter(action="auth.rate_limited")
    assert refusal.actor == world_a.staff_user
    assert refusal.detail == {"limit": "login_failed", "login_key": login_key(email)}
    # Refused again within the minute: on record once (one row a minute, not a request).
    assert REFUSED in log_in(email, f.PASSWORD)[1]
    assert AuditEvent.objects.filter(action="auth.rate_limited").count() == 1
    # Another address from the same client is not blocked by this one's failures.
    other, _ = log_in(world_a.admin_user.email, f.PASSWORD)
    assert "_auth_user_id" in other.session
    # And the block lives in Redis alone: once Redis forgets it, the right password works.
    shared_cache.flushdb()
    another_process(settings)
    client, _ = log_in(email, f.PASSWORD)
    assert "_auth_user_id" in client.session


def test_failures_from_one_ip_address_block_it_across_cache_clients(
    shared_cache, settings, world_a
):
    for n in range(PER_IP):
        _, page = log_in(f"nobody-{n}@example.org", WRONG)
        assert REFUSED not in page
    another_process(settings)
    client, page = log_in(world_a.staff_user.email, f.PASSWORD)
    assert REFUSED in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == PER_IP
    assert AuditEvent.objects.filter(action="auth.rate_limited").count() == 1
