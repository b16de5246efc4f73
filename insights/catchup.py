"""The nightly catch-up: which organizations have no finished run for the last night.

celery beat advances a schedule entry before it sends it, so with Redis down at 02:30 UTC the
night is simply lost; a message lost with Redis's memory is lost too. insights.tasks's hourly
``nightly_catch_up`` queues those organizations again. Queuing one twice is harmless: the run
is claimed with a conditional UPDATE (insights.pipeline.run_claim) and a run already succeeded
is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q

from fii.models import Organization

from .models import AggregationRun, RunStatus


def last_night(*, now: datetime) -> date:
    """Return the as-of date of the last scheduled night whose grace period has passed."""
    scheduled = time(settings.NIGHTLY_HOUR_UTC, settings.NIGHTLY_MINUTE_UTC, tzinfo=UTC)
    grace = timedelta(minutes=settings.NIGHTLY_CATCH_UP_GRACE_MINUTES)
    today = now.astimezone(UTC).date()
    if now < datetime.combine(today, scheduled) + grace:
        return today - timedelta(days=1)
    return today


def organizations_behind(*, night: date, now: datetime) -> list[int]:
    """Return the ids of organizations whose run of ``night`` is missing or needs a new claim.

    Left alone: a run that succeeded (or a later one), a run a live attempt holds (claimed
    less than NIGHTLY_STALE_SECONDS ago), and a run that gave up after NIGHTLY_MAX_ATTEMPTS.
    """
    stale = now - timedelta(seconds=settings.NIGHTLY_STALE_SECONDS)
    settled = (
        Q(as_of__gte=night, status=RunStatus.SUCCEEDED)
        | Q(as_of=night, status=RunStatus.RUNNING, started_at__gte=stale)
        | Q(as_of=night, status=RunStatus.FAILED, attempts__gte=settings.NIGHTLY_MAX_ATTEMPTS)
    )
    done = AggregationRun.objects.filter(settled).values("organization_id")
    return list(
        Organization.objects.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
    )
