"""Thin Celery tasks for journals; the work is in journals.reminders and journals.imports."""

from celery import shared_task

from fii.models import Organization

from .imports import import_run
from .reminders import reminders_send


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
