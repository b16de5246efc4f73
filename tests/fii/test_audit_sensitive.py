"""The audit log says who did what, and never copies what was typed or shown.

A representative day runs on the world of organization A, whose every free-text field holds
the marker: logins that fail and succeed, staff reading a family, a family answering a
question and staff deciding with a reason, every kind of download, settings changed, a
journal submitted, refused requests. Then no event may hold the marker, a password, an
address typed into a failed login, or a journal's numbers.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time

from fii.models import AuditEvent
from tests import factories as f
from tests.conftest import client_for
from tests.journals.test_settings import indicator_data, settings_data

pytestmark = pytest.mark.django_db

MARKER = "MARKER-A-7f3e"
NOW = "2024-07-05 17:00"
WRONG = "wrong-Password-Kx93"
NEW_PASSWORD = "new-Password-Vb27"
GHOST = "ghost.person@example.org"
# Answers no id, count or date could be mistaken for.
ANSWERS = {
    "income_wages": 24175.25,
    "income_business": 0,
    "income_benefits": 0,
    "income_other": 0,
    "savings_balance": 39113.75,
    "savings_deposited": 50,
    "debt_total": 48271.5,
    "debt_payments": 100,
    "debt_high_interest": 0,
    "debt_overdue_bills": 0,
    "assets_business_value": 0,
    "health_rating": 4,
}
JOURNAL_NUMBERS = ("24175", "39113", "48271")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def post_json(client: Client, url: str, body: dict) -> int:  # type: ignore[type-arg]
    return client.post(url, json.dumps(body), content_type="application/json").status_code


def log_in(email: str, password: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    return client


def a_day_at_organization_a(world_a, world_b) -> None:  # type: ignore[no-untyped-def]
    family, flag, o = world_a.objects["family"], world_a.objects["flag"], "/o/alpha"
    # Sign-ins: a wrong password, an unknown address, then the right password.
    log_in(world_a.staff_user.email, WRONG)
    log_in(GHOST, WRONG)
    staff = log_in(world_a.staff_user.email, f.PASSWORD)
    # Staff read the family on every kind of page, and through the API.
    for path in (
        f"{o}/families/{family.pk}/",
        f"{o}/families/{family.pk}/edit/",
        f"{o}/families/{family.pk}/members/{world_a.objects['member'].pk}/",
        f"{o}/families/{family.pk}/consent/",
        f"{o}/ledger/loans/{world_a.objects['loan'].pk}/",
        f"{o}/queue/{flag.pk}/",
        f"/api/v1{o}/families/{family.pk}/",
        f"/api/v1{o}/flags/{flag.pk}/",
    ):
        assert staff.get(path).status_code == 200, path
    # The family answers the question on its flag; staff decline, with a reason.
    family_client = client_for(world_a.family_user)
    answer = {f"answer-{flag.pk}-answer": f"Our answer {MARKER}"}
    assert family_client.post(f"{o}/family/capital/{flag.pk}/answer/", answer).status_code == 302
    decision = {
        "decision": "decline",
        "decline-expected_status": "in_review",
        "decline-note": f"Not now {MARKER}",
    }
    assert staff.post(f"{o}/queue/{flag.pk}/", decision).status_code == 302
    # Every kind of download.
    for path in (
        f"{o}/queue/export.csv",
        f"{o}/decisions/export.xlsx",
        f"{o}/ledger/export.csv",
        f"{o}/stipends/2024-06/export.csv",
    ):
        assert staff.get(path).status_code == 200, path
    assert family_client.get(f"{o}/family/data.json").status_code == 200
    assert family_client.get(f"/api/v1{o}/family/data/").status_code == 200
    funder = client_for(world_a.funder_user)
    assert funder.get("/funders/funder-of-alpha/export/trajectories.csv").status_code == 200
    assert funder.get("/funders/funder-of-alpha/o/alpha/export/capital.csv").status_code == 200
    # Settings: the organization's, a custom question, the family's own.
    admin = client_for(world_a.admin_user)
    assert admin.post(f"{o}/settings/", settings_data()).status_code == 302
    label = {"label_en": f"Garden {MARKER}", "help_en": MARKER}
    assert admin.post(f"{o}/settings/indicators/new/", indicator_data(**label)).status_code == 302
    assert family_client.post(f"{o}/family/settings/", {}).status_code == 302
    # The family submits July's journal.
    journals = f"/api/v1{o}/journals/"
    assert post_json(family_client, journals, {"period": "2024-07", "values": ANSWERS}) == 201
    entry = family_client.get(f"{journals}?period=2024-07").json()["results"][0]["id"]
    assert post_json(family_client, f"{journals}{entry}/submit/", {}) == 200
    # Refused requests, with the marker in the query string.
    client_for(world_b.staff_user).get(f"{o}/families/{family.pk}/?q={MARKER}")
    family_client.get(f"{o}/queue/?q={MARKER}")
    # A password change.
    changed = staff.post(
        "/accounts/password/change/",
        {"oldpassword": f.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302


@freeze_time(NOW)
def test_no_audit_event_keeps_a_sensitive_value(world_a, world_b):
    a_day_at_organization_a(world_a, world_b)
    events = list(AuditEvent.objects.all())
    actions = {e.action for e in events}
    # The control: the day wrote every kind of event this test is about.
    assert {
        "auth.login_failed",
        "auth.login",
        "family.viewed",
        "flag.viewed",
        "flag.answered",
        "flag.decided",
        "capital.exported",
        "stipends.exported",
        "family.data_downloaded",
        "funder.exported",
        "organization.settings_changed",
        "indicator.created",
        "family.settings_changed",
        "access.denied",
        "auth.password_changed",
    } <= actions
    forbidden = (
        MARKER,
        WRONG,
        f.PASSWORD,
        NEW_PASSWORD,
        GHOST,
        world_a.staff_user.email,
        *JOURNAL_NUMBERS,
    )
    leaks = [
        (event.action, word)
        for event in events
        for word in forbidden
        if word.lower() in (json.dumps(event.detail) + event.object_id).lower()
    ]
    assert leaks == []
