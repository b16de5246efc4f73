"""Thin Celery tasks for journals; the work is in journals.reminders and journals.imports."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from fii.models import Organization

from .imports import import_jobs_waiting, import_run
from .reminders import reminders_send

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def send_journal_reminders() -> int:
    """Send due reminders for every organization, each in its own time zone."""
    total = 0
    for organization in Organization.objects.all():
        total += reminders_send(organization=organization, today=organization.today())
    return total


@shared_task(acks_late=True, ignore_result=True)
def import_families(organization_id: int, job_id: int) -> None:
    """Check and write one import job (journals.imports); a job already taken is left alone."""
    import_run(organization_id=organization_id, job_id=job_id)


def import_enqueue(*, organization_id: int, job_id: int) -> bool:
    """Queue an import job's task; return False, keeping the job queued, if the broker is down.

    The job row is already committed, so nothing is lost: requeue_import_jobs sends it again
    within IMPORT_REQUEUE_MINUTES (plus up to 5 minutes of beat's period) once Redis is back.
    """
    try:
        import_families.delay(organization_id, job_id)
    except OperationalError:
        # Redis is down: fails in about 60 ms when the connection is refused, about 4 s when
        # Redis hangs (settings, Celery block). Anything else is an error of the task itself
        # (run in-process without a broker) and is raised.
        logger.warning(
            "Import job %s stays queued: the broker is unreachable", job_id, exc_info=True
        )
        return False
    return True


@shared_task(ignore_result=True)
def requeue_import_jobs() -> int:
    """Queue again the import jobs waiting longer than IMPORT_REQUEUE_MINUTES; return how many.

    Safe to run twice and alongside a worker: a job is claimed with a conditional UPDATE from
    'queued', so a duplicate message finds it taken and does nothing.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.IMPORT_REQUEUE_MINUTES)
    waiting = list(import_jobs_waiting(queued_before=cutoff))
    if waiting:
        logger.warning("Queuing again %d import jobs still waiting to start", len(waiting))
    return sum(import_enqueue(organization_id=org_id, job_id=pk) for org_id, pk in waiting)
