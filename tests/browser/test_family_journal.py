"""A family on a phone fills its journal; a draft survives the end of a session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fii.models import Role
from fii.models import UserSession as Session
from fii.sessions import SessionStore
from journals.models import EntryStatus, JournalEntry
from journals.periods import add_months, reporting_period
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family_world(transactional_db):  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(
        slug="phone-org", name="Phone Org", timezone="UTC", journal_due_day=28
    )
    # The month the home page asks about: last month until the 28th, then this one.
    this_month = reporting_period(timezone.localdate(), org.journal_due_day)
    group = f.GroupFactory(organization=org)
    family = f.FamilyFactory(
        group=group, joined_on=add_months(this_month, -3), name="The Rivera household"
    )
    f.JournalEntryFactory(
        family=family,
        period=add_months(this_month, -2),
        income_wages=2000,
        savings_balance=200,
        debt_total=900,
        submitted_at=timezone.now() - dt.timedelta(days=30),
    )
    user = f.UserFactory(email="rivera@example.org")
    f.MembershipFactory(user=user, organization=org, role=Role.FAMILY, family=family)
    return {"org": org, "family": family, "user": user, "period": this_month}


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_login", email)
    page.fill("#id_password", f.PASSWORD)
    page.click("main form button[type=submit]")


def fill_money(page, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for name, value in answers.items():
        page.fill(f"input[name={name}]", value)


def test_a_family_fills_and_submits_its_journal_on_a_phone(live_server, phone, family_world):
    period = family_world["period"]
    phone.goto(f"{live_server.url}/")
    log_in(phone, live_server.url, "rivera@example.org")
    phone.wait_for_url("**/o/phone-org/family/")
    phone.get_by_role("link", name="Fill in this month's journal").click()
    phone.wait_for_url(f"**/family/journal/{period.year}-{period.month}/")
    # Carried forward from the last journal: only what changed needs typing.
    assert phone.input_value("input[name=income_wages]") == "2000"
    fill_money(
        phone,
        {
            "income_wages": "2300",
            "income_business": "0",
            "income_benefits": "100",
            "income_other": "0",
            "savings_deposited": "50",
            "debt_payments": "100",
            "debt_high_interest": "0",
            "assets_business_value": "0",
            "savings_balance": "two fifty",
        },
    )
    phone.get_by_role("radio", name="No").first.check()  # "Some bills are overdue": no
    phone.get_by_role("button", name="Submit journal").click()
    error = phone.locator("#id_savings_balance_error")
    assert "Enter a number." in error.inner_text()
    assert phone.get_attribute("#id_savings_balance", "aria-invalid") == "true"
    phone.fill("input[name=savings_balance]", "250")
    phone.get_by_role("button", name="Submit journal").click()
    phone.wait_for_url("**/o/phone-org/family/")
    assert "is submitted" in phone.locator(".messages").inner_text()
    entry = JournalEntry.objects.get(family=family_world["family"], period=period)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.income_wages == 2300
    assert entry.savings_balance == 250
    phone.get_by_role("link", name="See our progress").click()
    phone.wait_for_selector(".chart .main-svg")
    assert "rose from $2,000 to $2,400" in phone.locator(".summary").inner_text()
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_draft_survives_the_end_of_a_session(live_server, phone, family_world):
    period = family_world["period"]
    url = f"{live_server.url}/o/phone-org/family/journal/{period.year}-{period.month}/"
    phone.goto(url)
    log_in(phone, live_server.url, "rivera@example.org")
    phone.wait_for_url(f"**/family/journal/{period.year}-{period.month}/")
    phone.fill("input[name=income_wages]", "3131")
    phone.fill("input[name=savings_balance]", "77 dollars")
    # The session ends (expired, or logged out elsewhere) before the family saves.
    for key in Session.objects.values_list("session_key", flat=True):
        SessionStore().delete(key)
    phone.get_by_role("button", name="Save draft").click()
    phone.wait_for_url("**/accounts/login/**")
    log_in(phone, live_server.url, "rivera@example.org")
    phone.wait_for_url(f"**/family/journal/{period.year}-{period.month}/")
    phone.wait_for_function("document.querySelector('input[name=income_wages]').value === '3131'")
    assert phone.input_value("input[name=savings_balance]") == "77 dollars"
    assert "restored what you had typed" in phone.locator("#autosave-status").inner_text()
    phone.get_by_role("button", name="Save draft").click()
    phone.wait_for_selector(".messages")
    entry = JournalEntry.objects.get(family=family_world["family"], period=period)
    assert entry.status == EntryStatus.DRAFT
    assert entry.income_wages == 3131
    assert entry.draft == {"savings_balance": "77 dollars"}


def test_a_shared_phone_never_shows_one_familys_typing_to_another(live_server, phone, family_world):
    # A second family of the same organization, on the same phone (one browser profile).
    period, org = family_world["period"], family_world["org"]
    other_family = f.FamilyFactory(group=family_world["family"].group, name="The Chen household")
    other = f.UserFactory(email="chen@example.org")
    f.MembershipFactory(user=other, organization=org, role=Role.FAMILY, family=other_family)
    url = f"{live_server.url}/o/phone-org/family/journal/{period.year}-{period.month}/"
    typed = "document.querySelector('input[name=income_wages]').value"

    def keys() -> list[str]:
        return phone.evaluate(
            "Object.keys(localStorage).filter(k => k.indexOf('fii-journal:') === 0)"
        )

    # Rivera types; the session ends before the draft reaches the server.
    phone.goto(url)
    log_in(phone, live_server.url, "rivera@example.org")
    phone.wait_for_url(f"**/family/journal/{period.year}-{period.month}/")
    phone.fill("input[name=income_wages]", "4242")
    assert len(keys()) == 1
    family_key = f"fii-journal:{family_world['user'].pk}:{family_world['family'].pk}:"
    assert keys()[0].startswith(family_key)
    for key in Session.objects.values_list("session_key", flat=True):
        SessionStore().delete(key)

    # Chen signs in on the same phone: Rivera's copy is forgotten, never shown.
    phone.goto(url)
    log_in(phone, live_server.url, "chen@example.org")
    phone.wait_for_url(f"**/family/journal/{period.year}-{period.month}/")
    assert phone.evaluate(typed) != "4242"
    other_key = f"fii-journal:{other.pk}:{other_family.pk}:"
    assert all(k.startswith(other_key) for k in keys())
    phone.fill("input[name=income_wages]", "5151")
    assert [k for k in keys() if k.startswith(other_key)]

    # Chen logs out: nothing typed on this phone remains.
    phone.get_by_role("button", name="Log out").click()
    phone.wait_for_url("**/accounts/login/**")
    assert keys() == []
