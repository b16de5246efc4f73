import datetime as dt

import pytest
from django.core import mail

from fii.models import AuditEvent
from journals.models import Reminder
from journals.reminders import reminders_send
from journals.tasks import send_journal_reminders
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_reminds_families_that_have_not_submitted_a_few_days_before_the_due_day(world_a):
    # July 2024's journal is due 10 August; the world's family has only June.
    sent = reminders_send(organization=world_a.org, today=dt.date(2024, 8, 8))
    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world_a.family_user.email]
    assert "July 2024" in message.subject
    assert "/o/alpha/family/journal/2024-7/" in message.body


def test_it_never_sends_twice_for_the_same_month(world_a):
    reminders_send(organization=world_a.org, today=dt.date(2024, 8, 8))
    assert reminders_send(organization=world_a.org, today=dt.date(2024, 8, 9)) == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_it_sends_nothing_outside_the_window_or_to_families_who_submitted(world_a):
    assert reminders_send(organization=world_a.org, today=dt.date(2024, 8, 2)) == 0
    f.JournalEntryFactory(family=world_a.objects["family"], period=dt.date(2024, 7, 1))
    assert reminders_send(organization=world_a.org, today=dt.date(2024, 8, 8)) == 0
    assert mail.outbox == []


def test_a_family_can_turn_reminders_off(world_a):
    client = client_for(world_a.family_user)
    response = client.post("/o/alpha/family/settings/", {})
    assert response.status_code == 302
    world_a.objects["family"].refresh_from_db()  # type: ignore[attr-defined]
    assert world_a.objects["family"].reminders_enabled is False  # type: ignore[attr-defined]
    assert reminders_send(organization=world_a.org, today=dt.date(2024, 8, 8)) == 0
    changed = AuditEvent.objects.filter(action="family.settings_changed")
    assert [e.detail["fields"] for e in changed] == [["reminders_enabled"]]
    # Saving again without a change records nothing more.
    assert client.post("/o/alpha/family/settings/", {}).status_code == 302
    assert changed.count() == 1


def test_a_reminder_is_written_in_the_familys_language(world_a):
    world_a.family_user.language = "es"
    world_a.family_user.save()
    reminders_send(organization=world_a.org, today=dt.date(2024, 8, 8))
    assert "julio" in mail.outbox[0].subject.lower()


def test_the_task_runs_for_every_organization(world_a, world_b, settings):
    from freezegun import freeze_time

    with freeze_time("2024-08-08 18:00"):
        assert send_journal_reminders() == 2
