"""Request rates per user and per anonymous address, counted in the cache (Redis in production)."""

from __future__ import annotations

import time

from rest_framework import throttling
from rest_framework.settings import api_settings


class _CurrentRates:
    """Read the rate from the settings now, not when DRF was imported, so tests can change it."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(getattr(self, "scope", None) or "")
        return None if rate is None else str(rate)

    def timer(self) -> float:
        # A method, not DRF's `timer = time.time` attribute, which a frozen clock would bind.
        return time.time()


class UserRateThrottle(_CurrentRates, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_CurrentRates, throttling.AnonRateThrottle):
    pass
