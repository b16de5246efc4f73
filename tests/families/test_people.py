"""Staff and admin accounts, managed by the organization's admins; never the last admin."""

from __future__ import annotations

import pytest

from fii.models import AuditEvent, Membership, Role
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.admin_user)


def membership_of(user, org) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user, organization=org)


def test_the_admin_lists_staff_and_admins_but_not_families(
    admin, world_a, django_assert_max_num_queries
):
    for n in range(30):
        f.MembershipFactory(
            organization=world_a.org, user=f.UserFactory(email=f"colleague{n}@example.org")
        )
    with django_assert_max_num_queries(6):
        body = admin.get("/o/alpha/people/").content.decode()
    assert body.count("colleague") >= 30
    assert world_a.staff_user.email in body
    assert world_a.family_user.email not in body


def test_an_admin_promotes_staff_and_demotes_them_again(admin, world_a):
    staff = membership_of(world_a.staff_user, world_a.org)
    assert admin.post(f"/o/alpha/people/{staff.pk}/role/", {"role": "org_admin"}).status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.ORG_ADMIN
    admin.post(f"/o/alpha/people/{staff.pk}/role/", {"role": "staff"})
    staff.refresh_from_db()
    assert staff.role == Role.STAFF
    events = list(AuditEvent.objects.filter(action="membership.role_changed").order_by("at"))
    assert [e.detail["to_role"] for e in events] == ["org_admin", "staff"]


def test_the_last_admin_can_be_neither_demoted_nor_deactivated(admin, world_a):
    me = membership_of(world_a.admin_user, world_a.org)
    response = admin.post(f"/o/alpha/people/{me.pk}/role/", {"role": "staff"})
    assert response.status_code == 409
    assert "at least one admin" in response.content.decode()
    assert admin.post(f"/o/alpha/people/{me.pk}/deactivate/").status_code == 409
    me.refresh_from_db()
    assert (me.role, me.is_active) == (Role.ORG_ADMIN, True)


def test_with_two_admins_one_may_step_down(admin, world_a):
    other = membership_of(world_a.staff_user, world_a.org)
    other.role = Role.ORG_ADMIN
    other.save()
    me = membership_of(world_a.admin_user, world_a.org)
    assert admin.post(f"/o/alpha/people/{me.pk}/role/", {"role": "staff"}).status_code == 302
    me.refresh_from_db()
    assert me.role == Role.STAFF


def test_a_deactivated_account_can_no_longer_open_the_organization(admin, world_a):
    staff = membership_of(world_a.staff_user, world_a.org)
    assert admin.post(f"/o/alpha/people/{staff.pk}/deactivate/").status_code == 302
    staff.refresh_from_db()
    assert staff.is_active is False
    assert client_for(world_a.staff_user).get("/o/alpha/families/").status_code == 404
    assert "Deactivated" in admin.get("/o/alpha/people/").content.decode()
    admin.post(f"/o/alpha/people/{staff.pk}/reactivate/")
    staff.refresh_from_db()
    assert staff.is_active is True
    assert [e.action for e in AuditEvent.objects.for_org(world_a.org).order_by("at")] == [
        "membership.deactivated",
        "membership.reactivated",
    ]


def test_a_bad_role_is_refused(admin, world_a):
    staff = membership_of(world_a.staff_user, world_a.org)
    response = admin.post(f"/o/alpha/people/{staff.pk}/role/", {"role": "family"})
    assert response.status_code == 400
    response = admin.post(f"/o/alpha/people/{staff.pk}/role/", {"role": "superuser"})
    assert response.status_code == 400
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


def test_family_accounts_are_not_managed_here(admin, world_a):
    family = membership_of(world_a.family_user, world_a.org)
    assert (
        admin.post(f"/o/alpha/people/{family.pk}/role/", {"role": "org_admin"}).status_code == 404
    )
    assert admin.post(f"/o/alpha/people/{family.pk}/deactivate/").status_code == 404
    family.refresh_from_db()
    assert (family.role, family.is_active) == (Role.FAMILY, True)


def test_another_organizations_accounts_are_not_found(admin, world_b):
    theirs = membership_of(world_b.staff_user, world_b.org)
    assert admin.post(f"/o/alpha/people/{theirs.pk}/deactivate/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_staff_and_families_cannot_manage_accounts(world_a):
    target = membership_of(world_a.admin_user, world_a.org)
    for user in (world_a.staff_user, world_a.family_user):
        client = client_for(user)
        assert client.get("/o/alpha/people/").status_code == 403
        assert client.post(f"/o/alpha/people/{target.pk}/deactivate/").status_code == 403
    target.refresh_from_db()
    assert target.is_active is True
