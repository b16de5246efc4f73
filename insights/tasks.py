"""Thin Celery tasks of the nightly run; the work is in insights.pipeline.

Both take ids and ISO dates (JSON only) and are safe to run twice: the run of an organization
and date is claimed with a conditional UPDATE, and its snapshots are replaced, not appended.
With acks_late and reject_on_worker_lost (settings CELERY_TASK_*, repeated on the task), a
worker killed in the middle of a run gives the message back, and the next worker finishes it.
A night lost with Redis (down at 02:30, or restarted without its data) is queued again by the
hourly ``nightly_catch_up`` (insights.catchup).
"""

from __future__ import annotations

import logging
from datetime import date

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from fii.models import Organization

from . import catchup, pipeline

logger = logging.getLogger(__name__)


@shared_task(name="insights.tasks.nightly", ignore_result=True)
def nightly(as_of: str | None = None) -> int:
    """Queue one aggregation per organization as of a date (default: today in UTC)."""
    day = date.fromisoformat(as_of) if as_of else pipeline.default_as_of()
    organization_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for organization_id in organization_ids:
        aggregate_organization.delay(organization_id, day.isoformat())
    return len(organization_ids)


@shared_task(name="insights.tasks.nightly_catch_up", ignore_result=True)
def nightly_catch_up() -> int:
    """Queue the organizations without a finished run for the last night; return how many."""
    now = timezone.now()
    night = catchup.last_night(now=now)
    behind = catchup.organizations_behind(night=night, now=now)
    if behind:
        logger.warning("Catching up the night of %s for %d organizations", night, len(behind))
    for organization_id in behind:
        aggregate_organization.delay(organization_id, night.isoformat())
    return len(behind)


# Not worth trying again: the run hit its time limit, or the organization was deleted.
NOT_RETRIED = (SoftTimeLimitExceeded, Organization.DoesNotExist)


def retry_countdown(retries: int) -> int:
    """Return the seconds to wait before retry number ``retries + 1``: 1, 2, 4, 8 minutes."""
    return min(60 * 2**retries, 15 * 60)


@shared_task(
    bind=True,
    name="insights.tasks.aggregate_organization",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # Retries and redeliveries together are capped by the run's attempts (NIGHTLY_MAX_ATTEMPTS).
    max_retries=settings.NIGHTLY_MAX_ATTEMPTS - 1,
)
def aggregate_organization(self: Task, org_id: int, as_of: str) -> str:
    """Aggregate one organization as of an ISO date; return the outcome."""
    night = date.fromisoformat(as_of)
    try:
        result = pipeline.aggregate_organization(
            organization_id=org_id,
            as_of=night,
            max_attempts=settings.NIGHTLY_MAX_ATTEMPTS,
            claimant=f"task:{self.request.id}",
        )
    except NOT_RETRIED:
        pipeline.run_settle_failure(
            organization_id=org_id, as_of=night, max_attempts=settings.NIGHTLY_MAX_ATTEMPTS
        )
        raise
    except Exception as exc:
        # In-process (eager) runs report a failure at once; a worker tries again later, when a
        # passing cause (a database restart, a deadlock) may be gone. The run recorded it.
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    return result.outcome
