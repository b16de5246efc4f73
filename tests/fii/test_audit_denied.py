"""A signed-in person refused a page or an endpoint leaves an `access.denied` event.

It names the path and method, never the query string or body. It belongs to the
organization only when the person is a member whose role does not fit; otherwise to none,
so that the other organization's admins never learn who tried its address.
"""

from __future__ import annotations

import pytest
from django.test import Client

from fii.models import AuditEvent, Role
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied").order_by("pk"))


def test_another_organizations_page_is_refused_and_logged_without_an_organization(world_a, world_b):
    family = world_a.objects["family"]
    path = f"/o/alpha/families/{family.pk}/"  # type: ignore[attr-defined]
    response = client_for(world_b.staff_user).get(path + "?search=MARKER-A-7f3e")
    assert response.status_code == 404
    (event,) = denied()
    assert (event.actor, event.organization) == (world_b.staff_user, None)
    assert event.detail == {"reason": "not_a_member", "method": "GET", "path": path}


def test_a_role_refusal_is_logged_in_the_members_organization(world_a):
    response = client_for(world_a.family_user).post("/o/alpha/queue/", {"note": "hello"})
    assert response.status_code == 403
    (event,) = denied()
    assert (event.actor, event.organization) == (world_a.family_user, world_a.org)
    assert event.detail == {
        "reason": "role",
        "method": "POST",
        "path": "/o/alpha/queue/",
        "role": Role.FAMILY,
    }


def test_a_funder_refused_is_logged_without_an_organization(world_a, world_b):
    assert client_for(world_b.funder_user).get("/funders/funder-of-alpha/").status_code == 404
    assert (
        client_for(world_a.funder_user).get("/funders/funder-of-alpha/o/beta/").status_code == 404
    )
    first, second = denied()
    assert (first.actor, first.organization, first.detail["reason"]) == (
        world_b.funder_user,
        None,
        "not_a_funder",
    )
    assert (second.actor, second.organization, second.detail["reason"]) == (
        world_a.funder_user,
        None,
        "not_funded",
    )


def test_the_api_logs_its_refusals_the_same_way(world_a, world_b):
    assert client_for(world_b.staff_user).get("/api/v1/o/alpha/families/").status_code == 404
    assert client_for(world_a.family_user).get("/api/v1/o/alpha/families/").status_code == 403
    assert client_for(world_a.staff_user).get("/api/v1/o/alpha/journals/").status_code == 403
    assert (
        client_for(world_b.staff_user).get("/api/v1/funders/funder-of-alpha/summary/").status_code
        == 404
    )
    outsider, family, staff, funder = denied()
    assert (outsider.organization, outsider.detail) == (
        None,
        {
            "reason": "not_a_member",
            "method": "GET",
            "path": "/api/v1/o/alpha/families/",
            "via": "api",
        },
    )
    assert (family.organization, family.detail["reason"], family.detail["role"]) == (
        world_a.org,
        "role",
        Role.FAMILY,
    )
    assert (staff.actor, staff.organization, staff.detail["role"]) == (
        world_a.staff_user,
        world_a.org,
        Role.STAFF,
    )
    assert (funder.organization, funder.detail["reason"]) == (None, "not_a_funder")


def test_anonymous_visitors_leave_no_event(world_a):
    Client().get("/o/alpha/queue/")
    Client().get("/api/v1/o/alpha/families/")
    assert denied() == []


def test_the_admins_log_shows_their_members_refusals_but_not_outsiders(world_a, world_b):
    client_for(world_b.staff_user).get("/o/alpha/queue/")
    client_for(world_a.family_user).get("/o/alpha/queue/")
    body = client_for(world_a.admin_user).get("/o/alpha/audit/?action=access.denied").content
    text = body.decode()
    assert world_a.family_user.email in text
    assert "Refused a page" in text
    assert world_b.staff_user.email not in text
    # Nor is B's own person's attempt on A in B's log: it was about A, not B.
    assert not AuditEvent.objects.for_org(world_b.org).filter(action="access.denied").exists()
