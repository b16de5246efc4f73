"""Thin Celery tasks for journals; the work is in journals.reminders."""

from celery import shared_task

from fii.models import Organization

from .reminders import reminders_send


@shared_task(acks_late=True, ignore_result=True)
def send_journal_reminders() -> int:
    """Send due reminders for every organization, each in its own time zone."""
    total = 0
    for organization in Organization.objects.all():
        total += reminders_send(organization=organization, today=organization.today())
    return total
