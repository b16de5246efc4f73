"""The staff console and the invitation page on a 360 px phone, driven by the keyboard."""

from __future__ import annotations

import datetime as dt

import pytest

from families.models import Family, ImportJob, ImportStatus
from fii.models import Membership, Role
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console(transactional_db):  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(slug="phone-console", name="Phone Console Org", timezone="UTC")
    group = f.GroupFactory(organization=org, name="Eastside friends of the long river valley")
    family = f.FamilyFactory(group=group, name="The Rivera-Montgomery-Okafor extended household")
    entry = f.JournalEntryFactory(family=family, period=dt.date(2024, 6, 1))
    f.StipendFactory(entry=entry)
    admin = f.UserFactory(email="admin@phone.example")
    f.MembershipFactory(user=admin, organization=org, role=Role.ORG_ADMIN)
    return {"org": org, "group": group, "family": family, "admin": admin}


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/o/phone-console/**")


def test_every_console_page_fits_a_phone(live_server, phone, console):
    log_in(phone, live_server.url, "admin@phone.example")
    family = console["family"]
    for path in (
        "groups/",
        f"groups/{console['group'].pk}/",
        "families/",
        "families/new/",
        f"families/{family.pk}/edit/",
        f"families/{family.pk}/members/",
        f"families/{family.pk}/consent/",
        "invitations/",
        "people/",
        "settings/",
        "settings/indicators/",
        "settings/indicators/new/",
        "stipends/",
        "stipends/2024-6/",
        "import/",
        "stories/",
        "audit/",
    ):
        phone.goto(f"{live_server.url}/o/phone-console/{path}")
        assert phone.locator("h1").count() == 1, path
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path


def tab_to(page, element_id: str, limit: int = 15) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element has the focus: it is reachable with the keyboard."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_staff_add_a_family_with_the_keyboard_alone(live_server, phone, console):
    log_in(phone, live_server.url, "admin@phone.example")
    phone.goto(f"{live_server.url}/o/phone-console/families/new/")
    phone.focus("#id_name")
    phone.keyboard.type("The Diaz household")
    # The joining date keeps its default, today; the other answers are typed.
    for element_id, value in (
        ("id_household_size", "4"),
        ("id_baseline_monthly_income", "1900"),
        ("id_baseline_debt", "250"),
    ):
        tab_to(phone, element_id)
        phone.keyboard.press("Control+A")
        phone.keyboard.type(value)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/edit/")
    family = Family.objects.get(name="The Diaz household")
    assert (family.household_size, family.baseline_monthly_income, family.baseline_debt) == (
        4,
        1900,
        250,
    )
    assert "Family added" in phone.locator(".messages").inner_text()


def test_the_import_page_follows_a_running_job(live_server, phone, console):
    job = f.ImportJobFactory(
        organization=console["org"], status=ImportStatus.CHECKING, total_rows=400, done_rows=100
    )
    log_in(phone, live_server.url, "admin@phone.example")
    phone.goto(f"{live_server.url}/o/phone-console/import/{job.pk}/")
    assert phone.get_attribute("#import-progress", "value") == "25"
    ImportJob.objects.filter(pk=job.pk).update(done_rows=300)
    # The page asks every second; the bar moves without a reload.
    phone.wait_for_selector("#import-progress[value='75']", state="attached")
    report = {
        "families_created": 3,
        "families_existing": 0,
        "journals_created": 9,
        "journals_existing": 0,
        "bad_rows": 0,
        "problems": [],
        "problem_count": 0,
    }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, done_rows=400, report=report
    )
    phone.wait_for_selector("text=Families added")
    assert phone.locator("#import-progress").get_attribute("value") == "100"


def test_an_invitee_joins_from_the_link_on_a_phone(live_server, phone, console):
    invitation = f.InvitationFactory(
        organization=console["org"],
        email="new@phone.example",
        role=Role.FAMILY,
        family=console["family"],
    )
    phone.goto(f"{live_server.url}/invite/{invitation.token}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.focus("#id_name")
    phone.keyboard.type("Ana Rivera")
    phone.keyboard.press("Tab")
    phone.keyboard.type("river-stones-and-bread-7")
    phone.keyboard.press("Tab")
    phone.keyboard.type("river-stones-and-bread-7")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/o/phone-console/family/")
    membership = Membership.objects.get(user__email="new@phone.example")
    assert membership.family == console["family"]
