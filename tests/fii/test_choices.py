"""Choice labels follow the language of each request, though their lookup is kept."""

from __future__ import annotations

from django.utils import translation

from fii.models import Membership, Role
from journals.models import EntryStatus, JournalEntry


def test_a_label_follows_the_language_after_the_first_lookup():
    entry = JournalEntry(status=EntryStatus.SUBMITTED)
    with translation.override("en"):
        english = entry.get_status_display()
    with translation.override("es"):
        spanish = entry.get_status_display()
    with translation.override("en"):
        again = entry.get_status_display()
    assert english == again == "Submitted"
    assert spanish == "Enviado"


def test_an_unknown_value_shows_as_itself():
    assert JournalEntry(status="lost").get_status_display() == "lost"
    with translation.override("es"):
        assert Membership(role=Role.FAMILY).get_role_display() == "Familia"
