"""Erasure on a 360 px phone, with the keyboard only: a family asks, an admin approves."""

from __future__ import annotations

import pytest

from families.models import ErasureRequest, ErasureStatus, Family
from fii.models import Role
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "phone-erasure"


@pytest.fixture
def people(transactional_db):  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(slug=SLUG, name="Phone Erasure Org", timezone="UTC")
    group = f.GroupFactory(organization=org, name="Eastside friends of the long river valley")
    family = f.FamilyFactory(group=group, name="The Rivera-Montgomery-Okafor extended household")
    member = f.UserFactory(email="member@phone-erasure.example")
    f.MembershipFactory(user=member, organization=org, role=Role.FAMILY, family=family)
    admin = f.UserFactory(email="admin@phone-erasure.example")
    f.MembershipFactory(user=admin, organization=org, role=Role.ORG_ADMIN)
    return {"org": org, "family": family}


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/o/{SLUG}/**")


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 360)


def test_a_family_asks_and_an_admin_approves_by_keyboard_on_a_phone(live_server, phone, people):
    base = f"{live_server.url}/o/{SLUG}"
    log_in(phone, live_server.url, "member@phone-erasure.example")
    phone.goto(f"{base}/family/erasure/")
    assert fits(phone)
    phone.focus("#id_understood")
    phone.keyboard.press("Space")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("text=Your request is waiting")
    assert fits(phone)
    erasure = ErasureRequest.objects.get(status=ErasureStatus.PENDING)
    phone.context.clear_cookies()

    log_in(phone, live_server.url, "admin@phone-erasure.example")
    for path in ("erasures/", f"erasures/{erasure.pk}/"):
        phone.goto(f"{base}/{path}")
        assert phone.locator("h1").count() == 1, path
        assert fits(phone), path
    phone.focus("#id_approve-confirm_name")
    phone.keyboard.type("the rivera-montgomery-okafor  extended household")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("text=What was deleted")
    assert fits(phone)
    family = Family.objects.get(pk=people["family"].pk)
    assert family.erased_at is not None
    assert family.name == f"Erased family {family.pk}"
