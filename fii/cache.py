"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of raising.

Every page reads or writes the cache: allauth's login rate limits and used TOTP codes, DRF's
throttles. With Django's RedisCache a stopped Redis turns each of those pages into a 500. Here a
Redis error is logged (once per minute at most, not once per call) and the call behaves as a
miss: ``get`` returns the default, ``add`` reports the key as added, writes are dropped, ``incr``
raises ValueError as for a missing key. After an error the cache stops asking Redis for
``RETRY_SECONDS`` (a per-process circuit breaker), so a Redis that hangs instead of refusing
costs one socket timeout per process and period, not one per call.

The price, while Redis is down (docs/faults.md): login and API rate limits fail open (every
attempt is allowed), and a TOTP code could be used twice within its 90-second window. Sessions
are Django's cached_db: always written to the database, so nobody is logged out. Their cache
(its own Redis database) has ``CLEAR_AFTER_OUTAGE``: a logout dropped while Redis was
unreachable must not come back with a Redis that kept its data, so the first call after an
error empties that database before anything is read from it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis is unreachable.

    OPTIONS takes Django's RedisCache options (socket timeouts go to redis-py) plus
    ``RETRY_SECONDS`` (default 5): how long to skip Redis after an error, and
    ``CLEAR_AFTER_OUTAGE`` (default False): empty this cache's Redis database once it answers
    again (only for a database of its own: the sessions').
    """

    LOG_EVERY_SECONDS = 60.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self.clear_after_outage = bool(options.pop("CLEAR_AFTER_OUTAGE", False))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._last_logged = -self.LOG_EVERY_SECONDS
        self._failures = 0

    @property
    def is_down(self) -> bool:
        """Return whether Redis failed less than RETRY_SECONDS ago (calls skip it meanwhile)."""
        return time.monotonic() < self._down_until

    def _call(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if self.is_down:
            return fallback
        try:
            if self._failures:
                self._recovered()
            return call()
        except RedisError as exc:
            self._failed(operation, exc)
            return fallback

    def _recovered(self) -> None:
        """Redis answers again: forget what may have gone stale meanwhile, if asked to."""
        if self.clear_after_outage:
            RedisCache.clear(self)
        logger.warning("Redis cache reachable again after %d failed calls", self._failures)
        self._failures = 0

    def _failed(self, operation: str, exc: RedisError) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_seconds
        self._failures += 1
        if now - self._last_logged >= self.LOG_EVERY_SECONDS:
            self._last_logged = now
            logger.warning(
                "Redis cache unreachable on %s (%s: %s): serving without the cache; "
                "rate limits fail open until it is back",
                operation,
                type(exc).__name__,
                exc,
            )

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        # "Added": the caller goes on as if it held the key (allauth's rate-limit lock).
        return self._call("add", lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", lambda: RedisCache.get(self, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        missing = object()
        value = self._call("incr", lambda: RedisCache.incr(self, key, delta, version), missing)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value  # type: ignore[return-value]

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        # Django's contract: return the keys that could not be stored.
        failed = list(data)
        return self._call(
            "set_many", lambda: RedisCache.set_many(self, data, timeout, version), failed
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> None:
        self._call("clear", lambda: RedisCache.clear(self), None)
