"""Every staff page and endpoint that shows one family's data writes a read event.

The routes are found from the URL resolver, as in the isolation test: each route of the
staff console or the staff API with a key that names a family or something of one family's
(`family_id`, `member_id`, `flag_id`, `loan_id`, ...) is opened by an org admin. A page that
answers 200 must have written `family.viewed` (or `flag.viewed`) about that family. A new
family-scoped staff route without an audit fails here without anyone remembering to add it.
"""

from __future__ import annotations

import pytest
from django.urls import resolve

from fii.models import STAFF_ROLES, AuditEvent
from tests.conftest import World, client_for
from tests.test_isolation import Route, fill, our_routes

pytestmark = pytest.mark.django_db

# The keys that make a route about one family.
FAMILY_KEYS = frozenset(
    {
        "family_id",
        "member_id",
        "consent_id",
        "flag_id",
        "loan_id",
        "disbursement_id",
        "entry_id",
        "goal_id",
        "help_id",
        "story_id",
    }
)
READ_ACTIONS = ("family.viewed", "flag.viewed")

# Family-scoped staff routes that show none of the family's data, each with the reason.
NOT_A_READ: dict[str, str] = {}

# What the test must find, so that it cannot pass by finding nothing.
KNOWN_READS = {
    "family_detail",
    "family_edit",
    "member_list",
    "member_edit",
    "consent_list",
    "flag_detail",
    "loan_detail",
    "erasure_record",
    "api-family-detail",
    "api-flag-detail",
}


def staff_route(route: Route, path: str) -> bool:
    """Return whether the route is the staff console's or the staff API's (not a family's)."""
    if route.pattern.startswith("o/<slug:org_slug>/"):
        return not route.pattern.startswith("o/<slug:org_slug>/family/")
    if route.pattern.startswith("api/v1/o/<slug:org_slug>/"):
        view_class = getattr(resolve(path).func, "cls", None)
        return bool(set(getattr(view_class, "allowed_roles", ())) & set(STAFF_ROLES))
    return False


def family_scoped_staff_routes(world: World) -> list[tuple[Route, str]]:
    found = []
    for route in our_routes():
        path = fill(route, world)
        if FAMILY_KEYS & set(route.keys) and path is not None and staff_route(route, path):
            found.append((route, path))
    return found


def about(event: AuditEvent, family_pk: int) -> bool:
    if event.object_type == "families.family":
        return event.object_id == str(family_pk)
    return event.detail.get("family_id") == family_pk


def test_every_staff_read_of_one_family_is_audited(world_a):
    family = world_a.objects["family"]
    admin = client_for(world_a.admin_user)
    reads, actions_only, missing, odd = set(), set(), [], []
    for route, path in family_scoped_staff_routes(world_a):
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = admin.get(path)
        if response.status_code == 405:
            actions_only.add(route.name)  # POST only: it changes, and shows nothing
            continue
        if response.status_code != 200:
            odd.append((route.name, response.status_code))
            continue
        reads.add(route.name)
        written = AuditEvent.objects.filter(
            pk__gt=last, action__in=READ_ACTIONS, actor=world_a.admin_user, organization=world_a.org
        )
        if route.name not in NOT_A_READ and not any(about(e, family.pk) for e in written):  # type: ignore[attr-defined]
            missing.append(route.name)
    assert odd == []
    assert missing == []
    assert reads >= KNOWN_READS
    assert {"member_remove", "family_archive", "api-flag-decide"} <= actions_only
