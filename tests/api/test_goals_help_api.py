import json

import pytest
from freezegun import freeze_time

from journals.models import Goal, GoalStatus, GoalUpdate, HelpExchange
from tests import factories as f
from tests.api.conftest import api_client_for

pytestmark = pytest.mark.django_db

GOALS = "/api/v1/o/alpha/goals/"
HELP = "/api/v1/o/alpha/help/"


@pytest.fixture
def api(world_a):  # type: ignore[no-untyped-def]
    return api_client_for(world_a.family_user)


def post(client, url, body=None):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_family_sets_a_goal_and_tells_its_progress(api, world_a):
    created = post(api, GOALS, {"title": "Open a food stall", "domain": "work"})
    assert created.status_code == 201
    goal = Goal.objects.get(pk=created.json()["id"])
    assert (goal.family, goal.organization, goal.priority) == (
        world_a.objects["family"],
        world_a.org,
        3,
    )
    progress = post(
        api, f"{GOALS}{goal.pk}/progress/", {"note": "Bought a cart", "percent_done": 100}
    )
    assert progress.status_code == 201
    assert GoalUpdate.objects.get(goal=goal).note == "Bought a cart"
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    detail = api.get(f"{GOALS}{goal.pk}/").json()
    assert detail["status"] == "achieved"
    assert [u["percent_done"] for u in detail["updates"]] == [100]


def test_a_family_changes_a_goal_and_its_status(api, world_a):
    goal = world_a.objects["goal"]
    response = api.patch(
        f"{GOALS}{goal.pk}/", json.dumps({"priority": 1}), content_type="application/json"
    )
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.priority == 1
    assert goal.title.startswith("Open a shop")
    assert post(api, f"{GOALS}{goal.pk}/status/", {"status": "paused"}).json()["status"] == "paused"
    assert api.get(f"{GOALS}?status=paused").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "domain": "work"}, "title"),
        ({"title": "x", "domain": "nowhere"}, "domain"),
        ({"title": "x", "domain": "work", "target_amount": 200_000_000}, "target_amount"),
        ({"title": "x", "domain": "work", "target_amount": -1}, "target_amount"),
        ({"title": "x", "domain": "work", "priority": 9}, "priority"),
        ({"title": "x", "domain": "work", "target_date": "2024-02-30"}, "target_date"),
        ({"title": "x" * 201, "domain": "work"}, "title"),
    ],
)
def test_it_refuses_a_bad_goal_field_by_field(api, body, field):
    response = post(api, GOALS, body)
    assert response.status_code == 400
    assert field in response.json()
    assert Goal.objects.count() == 1


def test_the_goal_pages_own_rule_applies_to_the_api(api, world_a):
    # The 100 million cap lives only in GoalForm; the API goes through the form.
    goal = world_a.objects["goal"]
    response = api.patch(
        f"{GOALS}{goal.pk}/",
        json.dumps({"target_amount": 150_000_000}),
        content_type="application/json",
    )
    assert response.json() == {"target_amount": ["That amount looks too large; please check it."]}


def test_it_refuses_bad_progress(api, world_a):
    goal = world_a.objects["goal"]
    response = post(api, f"{GOALS}{goal.pk}/progress/", {"note": "Half", "percent_done": 101})
    assert response.status_code == 400
    assert set(response.json()) == {"percent_done"}
    response = post(api, f"{GOALS}{goal.pk}/progress/", {"percent_done": 50})
    assert response.json() == {"note": ["This field is required."]}
    assert GoalUpdate.objects.filter(goal=goal).count() == 1
    assert post(api, f"{GOALS}{goal.pk}/status/", {"status": "won"}).status_code == 400


def test_it_does_not_find_another_familys_goal(api, world_a, world_b):
    neighbours = f.GoalFactory(family=world_a.objects["neighbour"])
    for goal in (neighbours, world_b.objects["goal"]):
        assert api.get(f"{GOALS}{goal.pk}/").status_code == 404
        assert post(api, f"{GOALS}{goal.pk}/status/", {"status": "dropped"}).status_code == 404
        goal.refresh_from_db()
        assert goal.status == GoalStatus.ACTIVE


@freeze_time("2024-07-05 17:00")
def test_a_family_records_help_and_the_other_confirms_it(api, world_a):
    neighbour = world_a.objects["neighbour"]
    body = {"direction": "received", "other": neighbour.pk, "kind": "food", "amount": 20}
    created = post(api, HELP, body)
    assert created.status_code == 201
    data = created.json()
    assert data["other_family"]["id"] == neighbour.pk
    assert (data["direction"], data["period"], data["can_confirm"]) == (
        "received",
        "2024-07",
        False,
    )
    exchange = HelpExchange.objects.get(pk=data["id"])
    assert (exchange.giver, exchange.receiver) == (neighbour, world_a.objects["family"])
    neighbour_user = f.UserFactory(email="neighbour@alpha.example")
    f.MembershipFactory(
        user=neighbour_user, organization=world_a.org, role="family", family=neighbour
    )
    other = api_client_for(neighbour_user)
    assert other.get(f"{HELP}{exchange.pk}/").json()["can_confirm"] is True
    confirmed = post(other, f"{HELP}{exchange.pk}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed_at"] is not None
    again = post(other, f"{HELP}{exchange.pk}/confirm/")
    assert again.status_code == 400
    assert "nothing to confirm" in again.json()["detail"]


def test_help_outside_the_group_stands_on_the_familys_word(api):
    body = {"direction": "gave", "other": None, "kind": "transport", "hours": 3}
    data = post(api, HELP, body).json()
    assert data["other_family"] is None
    assert data["confirmed_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"direction": "gave", "other": None, "kind": "food"}, "non_field_errors"),
        ({"direction": "gave", "other": None, "kind": "food", "hours": 745}, "hours"),
        ({"direction": "gave", "other": None, "kind": "food", "hours": -1}, "hours"),
        ({"direction": "lent", "other": None, "kind": "food", "hours": 1}, "direction"),
        ({"direction": "gave", "kind": "food", "hours": 1}, "other"),
        ({"direction": "gave", "other": 2**70, "kind": "food", "hours": 1}, "other"),
        (
            {"direction": "gave", "other": None, "kind": "food", "hours": 1, "note": "x" * 301},
            "note",
        ),
    ],
)
def test_it_refuses_bad_help_field_by_field(api, body, field):
    before = HelpExchange.objects.count()
    response = post(api, HELP, body)
    assert response.status_code == 400
    assert field in response.json()
    assert HelpExchange.objects.count() == before


def test_it_refuses_help_with_a_family_of_another_organization(api, world_b):
    body = {"direction": "gave", "other": world_b.objects["family"].pk, "kind": "food", "hours": 1}
    response = post(api, HELP, body)
    assert response.status_code == 400
    assert "other" in response.json()


def test_it_lists_the_help_of_the_family_only(api, world_a, world_b):
    f.HelpExchangeFactory(giver=world_a.objects["neighbour"], receiver=None, hours=2)
    rows = api.get(HELP).json()["results"]
    assert [r["id"] for r in rows] == [world_a.objects["help"].pk]
    assert api.get(f"{HELP}?period=2024-06").json()["count"] == 1
    assert api.get(f"{HELP}?period=2024-05").json()["count"] == 0
    assert api.get(f"{HELP}{world_b.objects['help'].pk}/").status_code == 404
    assert post(api, f"{HELP}{world_b.objects['help'].pk}/confirm/").status_code == 404
