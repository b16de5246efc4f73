import datetime as dt
import json

import pytest
from freezegun import freeze_time

from families.models import ConsentKind
from fii.models import AuditEvent
from tests import factories as f
from tests.api.conftest import api_client_for

pytestmark = pytest.mark.django_db

ORG = "/api/v1/o/alpha/"
STAFF_URLS = ["families/", "families/{family}/", "groups/", "groups/{group}/", "reporting/"]
FAMILY_URLS = ["journals/", "goals/", "help/"]


def staff_urls(world):  # type: ignore[no-untyped-def]
    ids = {"family": world.objects["family"].pk, "group": world.objects["group"].pk}
    return [ORG + url.format(**ids) for url in STAFF_URLS]


def test_a_family_token_cannot_reach_staff_endpoints(world_a):
    api = api_client_for(world_a.family_user)
    for url in staff_urls(world_a):
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json() == {
            "detail": "Your role in this organization does not give access to this."
        }


def test_staff_cannot_use_the_familys_endpoints(world_a):
    api = api_client_for(world_a.staff_user)
    for url in FAMILY_URLS:
        assert api.get(ORG + url).status_code == 403
    response = api.post(
        ORG + "journals/", json.dumps({"period": "2024-07"}), content_type="application/json"
    )
    assert response.status_code == 403


def test_other_organizations_answer_404(world_a, world_b):
    for user in (world_b.staff_user, world_b.admin_user, world_b.family_user, world_a.funder_user):
        api = api_client_for(user)
        for url in staff_urls(world_a) + [ORG + u for u in FAMILY_URLS]:
            response = api.get(url)
            assert response.status_code == 404, (user, url)
            assert "MARKER" not in response.content.decode()


def test_staff_list_families_and_filter_them_by_group(world_a, world_b):
    other_group = f.GroupFactory(organization=world_a.org, name="Second")
    f.FamilyFactory(group=other_group, name="Alone")
    api = api_client_for(world_a.admin_user)
    body = api.get(ORG + "families/").json()
    assert body["count"] == 3
    group = world_a.objects["group"]
    names = [r["name"] for r in api.get(f"{ORG}families/?group={group.pk}").json()["results"]]
    assert names == [world_a.objects["family"].name, world_a.objects["neighbour"].name]
    assert api.get(f"{ORG}families/?group={world_b.objects['group'].pk}").json()["count"] == 0
    assert api.get(f"{ORG}families/?group=-3").status_code == 400
    assert api.get(f"{ORG}families/?group={2**70}").status_code == 400


def test_staff_see_a_family_and_the_view_is_audited(world_a):
    family = world_a.objects["family"]
    api = api_client_for(world_a.staff_user)
    body = api.get(f"{ORG}families/{family.pk}/").json()
    assert body["name"] == family.name
    assert [m["first_name"] for m in body["members"]] == [world_a.objects["member"].first_name]
    event = AuditEvent.objects.get(action="family.viewed")
    assert (event.actor, event.object_id) == (world_a.staff_user, str(family.pk))


def test_staff_families_list_has_a_fixed_number_of_queries(world_a, django_assert_max_num_queries):
    for n in range(10):
        f.FamilyFactory(group=world_a.objects["group"], name=f"Extra {n}")
    api = api_client_for(world_a.staff_user)
    with django_assert_max_num_queries(6):
        assert api.get(ORG + "families/").json()["count"] == 12


def test_staff_list_groups_with_their_family_count(world_a):
    api = api_client_for(world_a.staff_user)
    rows = api.get(ORG + "groups/").json()["results"]
    assert [(r["name"], r["family_count"]) for r in rows] == [(world_a.objects["group"].name, 2)]


@freeze_time("2024-07-05 17:00")
def test_staff_see_who_has_reported(world_a):
    api = api_client_for(world_a.staff_user)
    body = api.get(ORG + "reporting/").json()
    assert (body["period"], body["due"], body["total"], body["submitted"]) == (
        "2024-06",
        "2024-07-10",
        2,
        1,
    )
    statuses = {fam["name"]: fam["status"] for fam in body["groups"][0]["families"]}
    assert statuses == {
        world_a.objects["family"].name: "submitted",
        world_a.objects["neighbour"].name: "missing",
    }
    assert api.get(ORG + "reporting/?period=2024-05").json()["submitted"] == 0
    assert api.get(ORG + "reporting/?period=2024-00").status_code == 400
    assert api.get(ORG + "reporting/?period=9999-12").status_code == 400


def funded_org(funder, slug: str, families: int, reported: int):  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(slug=slug, name=f"Org {slug}", timezone="UTC")
    f.FundingFactory(funder=funder, organization=org)
    group = f.GroupFactory(organization=org)
    for n in range(families):
        family = f.FamilyFactory(group=group, name=f"Secret family {slug} {n}")
        f.ConsentFactory(family=family, kind=ConsentKind.AGGREGATE_REPORTING)
        if n < reported:
            f.JournalEntryFactory(family=family, period=dt.date(2024, 6, 1))
    return org


@freeze_time("2024-07-20 12:00")
def test_a_funder_sees_only_suppressed_aggregates(world_a):
    funder = world_a.funder
    funded_org(funder, "big", families=30, reported=14)
    funded_org(funder, "small", families=6, reported=6)
    api = api_client_for(world_a.funder_user)
    response = api.get(f"/api/v1/funders/{funder.slug}/summary/")
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.json()["organizations"]}
    assert rows["Org big"] == {
        "name": "Org big",
        "min_cell": 11,
        "families": 30,
        # From the published counts (14 reported shows as 15 of 30), never the exact ones.
        "reporting_share": 0.5,
    }
    assert rows["Org small"]["families"] is None
    assert rows["Org small"]["reporting_share"] is None
    text = response.content.decode()
    assert "Secret family" not in text
    assert set(rows["Org big"]) == {"name", "min_cell", "families", "reporting_share"}


def test_funders_see_only_their_own_funder_area(world_a, world_b):
    url = f"/api/v1/funders/{world_a.funder.slug}/summary/"
    for user in (world_b.funder_user, world_a.staff_user, world_a.family_user):
        response = api_client_for(user).get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    funder = api_client_for(world_a.funder_user)
    assert funder.get(ORG + "families/").status_code == 404
    assert funder.get(ORG + "journals/").status_code == 404
