"""The staff home: this month's journals by group, the queue, the nightly run, the budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from capital.models import FlagStatus
from families.models import ErasureRequest
from insights.models import AggregationRun, RunStatus
from journals.models import EntryStatus
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def home(world):  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/"


@freeze_time("2024-07-05 18:00")
def test_staff_home_shows_each_family_with_its_status_for_the_month(world_a):
    draft_family = f.FamilyFactory(group=world_a.objects["group"], name="Drafting household")
    f.JournalEntryFactory(
        family=draft_family, period=dt.date(2024, 6, 1), status=EntryStatus.DRAFT, submitted_at=None
    )
    body = client_for(world_a.staff_user).get(home(world_a)).content.decode()
    assert "Journals for June 2024" in body
    assert "1 of 3 families have submitted" in body
    assert "Drafting household" in body and "Draft started" in body
    assert "Not started yet" in body


@freeze_time("2024-07-20 18:00")
def test_it_says_who_is_late_with_last_months_journal(world_a):
    # On July 20 the month being reported is July; June closed on July 10.
    newcomer = f.FamilyFactory(
        group=world_a.objects["group"], name="Newcomer", joined_on=dt.date(2024, 7, 2)
    )
    body = client_for(world_a.staff_user).get(home(world_a)).content.decode()
    assert "Journals for July 2024" in body
    # The neighbour sent nothing for June; the family did; the newcomer was not with us yet.
    assert "June 2024, now closed: 1 family did not submit (late)." in body
    assert body.count('badge-late">Late') == 1
    assert newcomer.name in body


def test_it_shows_the_queue_counts_by_program_and_status(world_a):
    org = world_a.org
    grant = f.ProgramFactory(organization=org, name="Grant A")
    for _ in range(3):
        f.FlagFactory(program=grant)
    f.FlagFactory(program=grant, status=FlagStatus.DECLINED, closed_at=timezone.now())
    f.FlagFactory(program=grant, status=FlagStatus.EXPIRED, closed_at=timezone.now())
    body = client_for(world_a.staff_user).get(home(world_a)).content.decode()
    row = body.split(">Grant A</a></th>")[1].split("</tr>")[0]
    # Open, in review, waiting for the family, approved, declined, deferred.
    numbers = [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]]
    assert numbers == ["3", "0", "0", "0", "1", "0"]
    assert "Waiting for the family" in body  # the world's flag has a question out


def test_it_shows_the_last_nightly_run_and_a_failed_attempt_after_it(world_a):
    org = world_a.org
    client = client_for(world_a.staff_user)
    assert "The nightly review has not succeeded yet" in client.get(home(world_a)).content.decode()
    AggregationRun.objects.create(
        organization=org,
        as_of=dt.date(2024, 7, 1),
        status=RunStatus.SUCCEEDED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    body = client.get(home(world_a)).content.decode()
    assert "nightly review of July 1, 2024" in body and "Succeeded" in body
    AggregationRun.objects.create(organization=org, as_of=dt.date(2024, 7, 2), status="failed")
    body = client.get(home(world_a)).content.decode()
    assert "nightly review of July 1, 2024" in body
    assert "The latest attempt, for July 2, 2024: Failed." in body


def test_it_shows_the_budget_left_in_each_active_program(world_a):
    org = world_a.org
    grant = f.ProgramFactory(organization=org, name="Grant A", budget=Decimal("1000"))
    family = world_a.objects["family"]
    f.DisbursementFactory(program=grant, family=family, amount=Decimal("300"))
    f.DisbursementFactory(program=grant, family=family, amount=Decimal("50"), status="cancelled")
    body = client_for(world_a.staff_user).get(home(world_a)).content.decode()
    row = body.split('<th scope="row">Grant A</th>')[1].split("</tr>")[0]
    assert "1,000.00 USD" in row and "300.00" in row and "700.00" in row
    assert (
        world_a.objects["program"].name not in body.split("budget-title")[1].split("</section>")[0]
    )


def test_staff_home_has_an_empty_state(db):
    org = f.OrganizationFactory(slug="empty-org")
    staff = f.MembershipFactory(organization=org).user
    body = client_for(staff).get(f"/o/{org.slug}/").content.decode()
    assert "No families yet" in body
    assert "No flags yet" in body
    assert "No active programs" in body


def test_it_denies_families_and_other_organizations(world_a, world_b):
    assert client_for(world_a.family_user).get(home(world_a)).status_code == 403
    for user in (world_b.staff_user, world_b.admin_user, world_b.family_user):
        assert client_for(user).get(home(world_a)).status_code == 404


def _grow(world, families: int, flags: int) -> None:  # type: ignore[no-untyped-def]
    org, group = world.org, world.objects["group"]
    for _ in range(families):
        f.FamilyFactory(group=group)
    programs = [f.ProgramFactory(organization=org) for _ in range(3)]
    for n in range(flags):
        f.FlagFactory(program=programs[n % 3], score=50 + n % 50)
    for program in programs:
        f.DisbursementFactory(program=program, family=world.objects["family"])
        f.LoanFactory(program=program, family=world.objects["family"])


def test_staff_home_query_count_does_not_grow(world_a, django_assert_num_queries):
    client = client_for(world_a.staff_user)
    _grow(world_a, families=2, flags=3)
    client.get(home(world_a))  # the session is warm
    # User, membership, last month's journals, this month's by group (families, entries),
    # latest run, queue counts, budgets.
    with django_assert_num_queries(8):
        client.get(home(world_a))
    _grow(world_a, families=40, flags=120)
    with django_assert_num_queries(8):
        response = client.get(home(world_a))
    assert response.content.decode().count("badge-missing") >= 40


def test_admins_see_the_requests_to_be_forgotten_that_wait_for_them(world_a):
    notice = "asked us to delete its information"
    assert notice not in client_for(world_a.admin_user).get(home(world_a)).content.decode()
    ErasureRequest.objects.create(
        organization=world_a.org,
        family=world_a.objects["neighbour"],
        requested_by=world_a.admin_user,
        on_behalf=True,
    )
    page = client_for(world_a.admin_user).get(home(world_a)).content.decode()
    assert notice in page
    assert f'href="/o/{world_a.org.slug}/erasures/"' in page
    # Only admins decide, so other staff are not asked.
    assert notice not in client_for(world_a.staff_user).get(home(world_a)).content.decode()
