"""Staff on a laptop filter the queue, approve a flag, and find the commitment in the ledger;
the family then sees the money on its capital page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone

from capital.models import Disbursement, DisbursementStatus, Flag, FlagStatus, Review
from fii.models import Role
from journals.periods import add_months, month_start
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desktop(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def desk_world(transactional_db):  # type: ignore[no-untyped-def]
    this_month = month_start(timezone.localdate())
    org = f.OrganizationFactory(slug="desk-org", name="Desk Org", timezone="UTC")
    group = f.GroupFactory(organization=org, name="Riverside")
    family = f.FamilyFactory(group=group, name="The Okafor household")
    other = f.FamilyFactory(group=group, name="The Lee household")
    for months_ago, income in ((3, 1800), (2, 2100), (1, 2400)):
        f.JournalEntryFactory(
            family=family,
            period=add_months(this_month, -months_ago),
            income_wages=income,
            submitted_at=timezone.now() - dt.timedelta(days=30 * months_ago),
        )
    grant = f.ProgramFactory(organization=org, name="Tools grant", budget=Decimal("5000"))
    savings = f.ProgramFactory(organization=org, name="Matched savings", kind="matched_savings")
    flag = f.FlagFactory(program=grant, family=family, score=82)
    f.FlagFactory(program=savings, family=other, score=95)
    staff = f.UserFactory(email="liaison@desk.example", name="Sam Liaison")
    f.MembershipFactory(user=staff, organization=org, role=Role.STAFF)
    family_user = f.UserFactory(email="okafor@desk.example")
    f.MembershipFactory(user=family_user, organization=org, role=Role.FAMILY, family=family)
    return {"org": org, "flag": flag, "grant": grant, "family": family}


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_login", email)
    page.fill("#id_password", f.PASSWORD)
    page.click("main form button[type=submit]")


def test_staff_approve_a_flag_and_the_family_sees_the_commitment(live_server, desktop, desk_world):
    page = desktop
    page.goto(f"{live_server.url}/")
    log_in(page, "liaison@desk.example")
    page.wait_for_url("**/o/desk-org/")

    # The queue, filtered to one program: the other program's flag goes away.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Queue").click()
    page.wait_for_url("**/o/desk-org/queue/")
    assert page.locator("tbody tr").count() == 2
    page.select_option("#id_program", label="Tools grant")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/queue/?*program={desk_world['grant'].pk}*")
    assert page.locator("tbody tr").count() == 1
    assert "The Lee household" not in page.locator("tbody").inner_text()

    # The flag: evidence, the family's trajectory drawn by plotly, and the decision.
    page.get_by_role("link", name="The Okafor household").click()
    page.wait_for_url(f"**/queue/{desk_world['flag'].pk}/")
    assert "Months reported: at least 6" in page.locator("table").first.inner_text()
    page.wait_for_selector(".chart .main-svg")
    start = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    page.fill("#id_approve-amount", "1500")
    page.fill("#id_approve-instalments", "3")
    page.fill("#id_approve-start_on", start)
    page.fill("#id_approve-note", "Tools for the catering business")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_selector(".messages")
    assert "The commitment is in the ledger" in page.locator(".messages").inner_text()
    assert "This flag is closed: Approved." in page.content()

    # The ledger: three scheduled payments of 500.
    nav.get_by_role("link", name="Ledger").click()
    page.wait_for_url("**/o/desk-org/ledger/")
    rows = page.locator("tr[id^=payment-]")
    assert rows.count() == 3
    assert "500.00 USD" in rows.first.inner_text()
    assert "1 of 3" in rows.first.inner_text()
    budget_row = page.locator("tr", has_text="Tools grant").first.inner_text()
    assert "1,500.00" in budget_row and "3,500.00" in budget_row
    assert not [e for e in page.console_errors if "Content Security Policy" in e]  # type: ignore[attr-defined]

    flag = Flag.objects.get(pk=desk_world["flag"].pk)
    assert flag.status == FlagStatus.APPROVED
    review = Review.objects.get(flag=flag)
    assert (review.reviewer.email, review.amount) == ("liaison@desk.example", Decimal("1500"))
    assert Disbursement.objects.filter(flag=flag, status=DisbursementStatus.SCHEDULED).count() == 3

    # The family logs in and finds the money on its capital page.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "okafor@desk.example")
    page.wait_for_url("**/o/desk-org/family/")
    page.goto(f"{live_server.url}/o/desk-org/family/capital/")
    money = page.locator("section", has_text="Money committed to your family")
    assert "Tools grant" in money.inner_text()
    assert money.locator("li").count() == 3
    assert "500.00 USD" in money.inner_text() and "Scheduled for" in money.inner_text()
    assert "payment 1 of 3" in money.inner_text()
