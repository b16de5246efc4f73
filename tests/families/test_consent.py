"""Consent records: staff record and revoke them, and a family sees and revokes its own."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from families.models import Consent, ConsentKind
from fii.models import AuditEvent
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


def consent_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": ConsentKind.AGGREGATE_REPORTING,
        "agreed_by": "Maria Lopez",
        "agreed_on": "2024-06-20",
        "text_version": "2024-05",
    }
    data.update(overrides)
    return data


@freeze_time("2024-07-05 12:00")
def test_staff_record_what_was_agreed_when_by_whom_and_which_text(staff, world_a):
    family = world_a.objects["family"]
    response = staff.post(f"/o/alpha/families/{family.pk}/consent/", consent_data())
    assert response.status_code == 302
    consent = Consent.objects.get(family=family, kind=ConsentKind.AGGREGATE_REPORTING)
    assert consent.agreed_by == "Maria Lopez"
    assert consent.granted_by == world_a.staff_user
    assert consent.text_version == "2024-05"
    assert consent.granted_at.date().isoformat() == "2024-06-20"
    assert consent.revoked_at is None
    event = AuditEvent.objects.get(action="consent.granted")
    assert event.detail == {"family": family.pk, "kind": "aggregate_reporting"}
    body = staff.get(f"/o/alpha/families/{family.pk}/consent/").content.decode()
    assert "Maria Lopez" in body and "In force" in body


@freeze_time("2024-07-05 12:00")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": ConsentKind.PARTICIPATION}, "already in force"),
        ({"kind": "everything"}, "Select a valid choice"),
        ({"agreed_on": "2024-08-01"}, "cannot be in the future"),
        ({"agreed_on": "last week"}, "Enter a valid date."),
        ({"text_version": "   "}, "required"),
        ({"agreed_by": "x" * 121}, "at most 120 characters"),
    ],
)
def test_bad_consent_input_saves_nothing(staff, world_a, overrides, message):
    family = world_a.objects["family"]
    before = Consent.objects.count()
    response = staff.post(f"/o/alpha/families/{family.pk}/consent/", consent_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Consent.objects.count() == before


def test_revoking_keeps_the_record_with_when_and_by_whom(staff, world_a):
    family, consent = world_a.objects["family"], world_a.objects["consent"]
    url = f"/o/alpha/families/{family.pk}/consent/{consent.pk}/revoke/"
    assert staff.post(url).status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_by == world_a.staff_user
    assert staff.post(url).status_code == 409
    # A new consent of the same kind can be recorded once the old one is revoked.
    staff.post(
        f"/o/alpha/families/{family.pk}/consent/",
        consent_data(kind=ConsentKind.PARTICIPATION, agreed_on="2024-01-02"),
    )
    assert Consent.objects.filter(family=family, kind=ConsentKind.PARTICIPATION).count() == 2


def test_a_consent_is_reached_only_through_its_family(staff, world_a, world_b):
    consent = world_a.objects["consent"]
    neighbour = world_a.objects["neighbour"]
    assert (
        staff.post(f"/o/alpha/families/{neighbour.pk}/consent/{consent.pk}/revoke/").status_code
        == 404
    )
    other = world_b.objects["consent"]
    family_b = world_b.objects["family"]
    assert staff.get(f"/o/alpha/families/{family_b.pk}/consent/").status_code == 404
    assert (
        staff.post(f"/o/alpha/families/{family_b.pk}/consent/{other.pk}/revoke/").status_code == 404
    )
    consent.refresh_from_db()
    other.refresh_from_db()
    assert consent.revoked_at is None and other.revoked_at is None


def test_a_family_sees_and_revokes_only_its_own_consents(world_a):
    client = client_for(world_a.family_user)
    mine = world_a.objects["consent"]
    theirs = f.ConsentFactory(family=world_a.objects["neighbour"], kind=ConsentKind.CONTACT)
    body = client.get("/o/alpha/family/consent/").content.decode()
    assert "Take part and keep a monthly journal" in body
    assert "Be contacted by e-mail" not in body
    assert client.post(f"/o/alpha/family/consent/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/o/alpha/family/consent/{mine.pk}/revoke/")
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_by == world_a.family_user and mine.revoked_at is not None
    assert theirs.revoked_at is None
    assert "Revoked on" in client.get("/o/alpha/family/consent/").content.decode()


def test_a_family_with_no_consent_sees_an_empty_state(world_a):
    world_a.objects["consent"].delete()
    body = client_for(world_a.family_user).get("/o/alpha/family/consent/").content.decode()
    assert "No consent recorded yet." in body


def test_a_family_cannot_open_the_staff_consent_page(world_a):
    family = world_a.objects["family"]
    response = client_for(world_a.family_user).get(f"/o/alpha/families/{family.pk}/consent/")
    assert response.status_code == 403


def test_staff_have_no_family_consent_page(world_a):
    assert client_for(world_a.staff_user).get("/o/alpha/family/consent/").status_code == 403
