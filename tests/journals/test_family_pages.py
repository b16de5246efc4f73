import datetime as dt
import io
import json
import re
import zipfile

import pytest
from freezegun import freeze_time

from fii.models import AuditEvent
from journals.charts import MonthPoint, income_summary, money_figure
from journals.models import Goal, GoalStatus, GoalUpdate, HelpExchange, JournalEntry
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.family_user)


def test_a_family_adds_a_goal_in_its_own_words(family, world_a):
    response = family.post(
        "/o/alpha/family/goals/new/",
        {
            "title": "Buy a food truck",
            "domain": "work",
            "success_looks_like": "Selling at the market",
            "target_amount": "15000",
            "target_date": "2026-12-01",
            "priority": "1",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(title="Buy a food truck")
    assert goal.family == world_a.objects["family"]
    assert goal.organization == world_a.org
    body = family.get("/o/alpha/family/goals/").content.decode()
    assert body.index("Buy a food truck") < body.index(world_a.objects["goal"].title)  # type: ignore[attr-defined]


def test_a_bad_goal_gets_clear_errors_and_nothing_saved(family):
    response = family.post(
        "/o/alpha/family/goals/new/",
        {"title": "", "domain": "nowhere", "target_amount": "-3", "priority": "9"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "Select a valid choice" in body
    assert 'aria-invalid="true"' in body
    assert Goal.objects.filter(title="").count() == 0


def test_reaching_100_percent_marks_the_goal_achieved(family, world_a):
    goal = world_a.objects["goal"]
    response = family.post(
        f"/o/alpha/family/goals/{goal.pk}/progress/",
        {"update-note": "Done!", "update-percent_done": "100"},
    )  # type: ignore[attr-defined]
    assert response.status_code == 302
    goal.refresh_from_db()  # type: ignore[attr-defined]
    assert goal.status == GoalStatus.ACHIEVED  # type: ignore[attr-defined]
    assert goal.achieved_at is not None  # type: ignore[attr-defined]
    assert GoalUpdate.objects.filter(goal=goal, note="Done!").exists()


def test_a_goal_can_be_paused(family, world_a):
    goal = world_a.objects["goal"]
    family.post(f"/o/alpha/family/goals/{goal.pk}/status/", {"status-status": "paused"})  # type: ignore[attr-defined]
    goal.refresh_from_db()  # type: ignore[attr-defined]
    assert goal.status == GoalStatus.PAUSED  # type: ignore[attr-defined]


def test_another_familys_goal_is_not_found(family, world_a):
    other = f.GoalFactory(family=world_a.objects["neighbour"])
    assert family.get(f"/o/alpha/family/goals/{other.pk}/").status_code == 404
    assert (
        family.post(
            f"/o/alpha/family/goals/{other.pk}/status/", {"status-status": "dropped"}
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == GoalStatus.ACTIVE


@freeze_time("2024-07-05 17:00")
def test_help_is_recorded_and_the_other_family_confirms_it(family, world_a):
    neighbour = world_a.objects["neighbour"]
    response = family.post(
        "/o/alpha/family/help/",
        {
            "direction": "gave",
            "other": str(neighbour.pk),
            "kind": "transport",
            "hours": "2",
            "note": "School run",
        },  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    exchange = HelpExchange.objects.get(note="School run")
    assert exchange.giver == world_a.objects["family"]
    assert exchange.receiver == neighbour
    assert exchange.period == dt.date(2024, 7, 1)
    assert exchange.confirmed_at is None
    # The recorder cannot confirm its own word.
    family.post(f"/o/alpha/family/help/{exchange.pk}/confirm/")
    exchange.refresh_from_db()
    assert exchange.confirmed_at is None
    neighbour_user = f.UserFactory()
    f.MembershipFactory(
        user=neighbour_user, organization=world_a.org, role="family", family=neighbour
    )
    other = client_for(neighbour_user)
    assert "Yes, this happened: confirm" in other.get("/o/alpha/family/help/").content.decode()
    other.post(f"/o/alpha/family/help/{exchange.pk}/confirm/")
    exchange.refresh_from_db()
    assert exchange.confirmed_at is not None


def test_help_needs_hours_or_value_and_a_family_of_the_group(family, world_a):
    stranger = f.FamilyFactory(organization=world_a.org)
    response = family.post(
        "/o/alpha/family/help/", {"direction": "gave", "other": str(stranger.pk), "kind": "food"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "Give the hours, the value, or both." in body
    assert not HelpExchange.objects.filter(giver=world_a.objects["family"], kind="food").exists()


def test_help_outside_the_group_stands_on_the_familys_word(family, world_a):
    family.post(
        "/o/alpha/family/help/",
        {"direction": "received", "other": "outside", "kind": "food", "amount": "40"},
    )
    exchange = HelpExchange.objects.get(kind="food")
    assert exchange.giver is None
    assert exchange.receiver == world_a.objects["family"]
    assert exchange.confirmed_at is not None


def test_stipends_page_shows_earned_and_paid(family):
    body = family.get("/o/alpha/family/stipends/").content.decode()
    assert "Earned in all" in body
    assert "100.00 USD" in body


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The user and the membership, then the page's own reads: the goals; the group's
        # families and the help; the stipends' totals and rows.
        ("/o/alpha/family/goals/", 3),
        ("/o/alpha/family/help/", 4),
        ("/o/alpha/family/stipends/", 4),
    ],
)
def test_the_family_lists_keep_their_query_count(
    family, world_a, url, queries, django_assert_num_queries
):
    fam, neighbour = world_a.objects["family"], world_a.objects["neighbour"]
    for n in range(1, 9):
        f.GoalFactory(family=fam, status=GoalStatus.ACHIEVED if n % 2 else GoalStatus.ACTIVE)
        f.HelpExchangeFactory(giver=neighbour, receiver=fam, note=f"Help {n}")
        entry = f.JournalEntryFactory(family=fam, period=dt.date(2023, n, 1))
        f.StipendFactory(entry=entry)
    with django_assert_num_queries(queries):
        body = family.get(url).content.decode()
    # Every row is there: the eight new ones, and the world's own help and stipend.
    row, rows = {
        "/o/alpha/family/goals/": ("Save for goal", 8),
        "/o/alpha/family/help/": ('<span class="muted">Help ', 8),
        "/o/alpha/family/stipends/": ('<td class="num">100.00 USD</td>', 9),
    }[url]
    assert body.count(row) == rows


def test_the_dashboard_draws_charts_and_says_how_income_moved(family, world_a):
    fam = world_a.objects["family"]
    for month, wages in [(7, 2300), (8, 2500)]:
        f.JournalEntryFactory(family=fam, period=dt.date(2024, month, 1), income_wages=wages)
    response = family.get("/o/alpha/family/progress/")
    body = response.content.decode()
    assert "Your monthly income rose from $2,100 to $2,500 over 2 months." in body
    assert 'id="chart-money"' in body
    assert "plotly-basic.min.js" in body
    # Every script from our own static files, none from a CDN (the page's random CSRF tokens
    # may hold the letters "cdn": only the addresses are read).
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', body)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    assert not [url for url in re.findall(r'(?:src|href)="([^"]+)"', body) if "cdn" in url]


def test_the_dashboard_has_an_empty_state(db):
    member = f.FamilyMembershipFactory()
    body = (
        client_for(member.user)
        .get(f"/o/{member.organization.slug}/family/progress/")
        .content.decode()
    )
    assert "Your charts appear here after your first journal." in body
    assert "plotly-basic.min.js" not in body


def test_the_group_comparison_appears_only_with_enough_families(family, world_a):
    body = family.get("/o/alpha/family/progress/").content.decode()
    assert "we compare only when at least 11 families" in body
    group = world_a.objects["group"]
    for i in range(10):
        peer = f.FamilyFactory(group=group)
        f.JournalEntryFactory(family=peer, period=dt.date(2024, 6, 1), income_wages=1000 + i * 100)
    body = family.get("/o/alpha/family/progress/").content.decode()
    assert "the middle family of your group had a monthly income of 1,500" in body


def test_income_summary_and_figure_are_pure():
    points = [MonthPoint(dt.date(2024, m, 1), 2150 + (m - 1) * 44.5, 10, 5) for m in range(1, 13)]
    assert (
        income_summary(points, "USD")
        == "Your monthly income rose from $2,150 to $2,640 over 11 months."
    )
    figure = money_figure(points, "USD")
    assert [t["name"] for t in figure["data"]] == ["Monthly income", "Savings", "Debt"]
    assert figure["data"][0]["y"][-1] == pytest.approx(2639.5)


def test_a_family_downloads_everything_held_about_it(family, world_a):
    response = family.get("/o/alpha/family/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["family"]["name"] == world_a.objects["family"].name  # type: ignore[attr-defined]
    assert (
        len(data["journals"])
        == JournalEntry.objects.filter(family=world_a.objects["family"]).count()
    )
    assert data["goals"][0]["title"] == world_a.objects["goal"].title  # type: ignore[attr-defined]
    assert data["help"][0]["note"].startswith("Rides")
    assert data["members"][0]["first_name"].startswith("Ana")
    assert AuditEvent.objects.filter(action="family.data_downloaded").count() == 1
    archive = zipfile.ZipFile(io.BytesIO(family.get("/o/alpha/family/data.csv.zip").content))
    assert {"family.csv", "journals.csv", "goals.csv", "help.csv", "stipends.csv"} <= set(
        archive.namelist()
    )
    assert "income_wages" in archive.read("journals.csv").decode()


def test_the_download_holds_nothing_of_the_neighbour(family, world_a):
    f.GoalFactory(family=world_a.objects["neighbour"], title="Neighbour private goal")
    assert b"Neighbour private goal" not in family.get("/o/alpha/family/data.json").content
