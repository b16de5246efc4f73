"""The reads of a flag's page: the flag with its subject, the trajectory, history and goals."""

from __future__ import annotations

import datetime as dt

import pytest

from capital.models import Flag
from capital.selectors import flag_for_review, subject_goals, subject_history, trajectory_points
from journals.models import EntryStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_flag_comes_with_its_program_and_subject_in_one_query(
    world_a, world_b, django_assert_num_queries
):
    org = world_a.org
    grant = f.ProgramFactory(organization=org, name="Grant")
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group")
    grouped = f.FlagFactory(program=grant, family=world_a.objects["family"])
    alone = f.FlagFactory(program=grant, family=f.FamilyFactory(organization=org, group=None))
    for_group = f.FlagFactory(program=fund, family=None, group=world_a.objects["group"])
    with django_assert_num_queries(1):
        read = flag_for_review(organization=org, flag_id=grouped.pk)
        assert read.program.name == "Grant"
        assert read.family.group == world_a.objects["group"] and read.group is None
    with django_assert_num_queries(1):
        assert flag_for_review(organization=org, flag_id=alone.pk).family.group is None
    with django_assert_num_queries(1):
        read = flag_for_review(organization=org, flag_id=for_group.pk)
        assert read.family is None and read.group == world_a.objects["group"]
    with pytest.raises(Flag.DoesNotExist):
        flag_for_review(organization=world_b.org, flag_id=grouped.pk)


def _months(start, count):  # type: ignore[no-untyped-def]
    return [
        dt.date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)
        for n in range(count)
    ]


def test_the_trajectory_is_the_last_24_submitted_months_in_one_query(
    world_a, world_b, django_assert_num_queries
):
    org, group = world_a.org, f.GroupFactory(organization=world_a.org)
    first, second = (f.FamilyFactory(organization=org, group=group) for _ in range(2))
    months = _months(dt.date(2022, 1, 1), 26)
    for n, period in enumerate(months):
        f.JournalEntryFactory(family=first, period=period, income_wages=1000 + n, savings_balance=n)
    # The second family: two months only, one of them a draft (left out).
    f.JournalEntryFactory(family=second, period=months[-1], income_wages=3000, savings_balance=50)
    f.JournalEntryFactory(
        family=second, period=months[-2], status=EntryStatus.DRAFT, submitted_at=None
    )
    # Another organization's family: never counted.
    other = f.FamilyFactory(organization=world_b.org)
    f.JournalEntryFactory(family=other, period=months[-1], income_wages=99999)

    with django_assert_num_queries(1):
        points = trajectory_points(organization=org, family=first)
    assert [p.period for p in points] == months[-24:]
    assert points[-1].income == 1025 and points[0].income == 1002 and points[-1].savings == 25

    with django_assert_num_queries(1):
        points = trajectory_points(organization=org, group=group)
    assert [p.period for p in points] == months[-24:]
    assert points[-1].income == (1025 + 3000) / 2  # the median of the two families
    assert points[-2].income == 1024  # the draft is not in it


def test_the_history_is_every_decision_on_the_subject_newest_first(
    world_a, world_b, django_assert_num_queries
):
    org, family, group = world_a.org, world_a.objects["family"], world_a.objects["group"]
    grant = f.ProgramFactory(organization=org, name="Grant")
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group", name="Fund")
    mine = f.FlagFactory(program=grant, family=family)
    theirs = f.FlagFactory(program=fund, family=None, group=group)
    now = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    for n, flag in enumerate((mine, theirs, world_a.objects["flag"])):
        f.ReviewFactory(flag=flag, reviewer=world_a.staff_user, decided_at=now + dt.timedelta(n))
        f.ReviewFactory(flag=flag, reviewer=None, note="by someone gone", decided_at=now)
    f.ReviewFactory(flag=world_b.objects["flag"])  # another organization's: never read

    with django_assert_num_queries(1):
        history = subject_history(organization=org, flag=mine)
        programs = {r.flag.program.name for r in history}
        reviewers = {r.reviewer.email if r.reviewer else None for r in history}
    # The family's decisions in both of its programs, the world's flag's included.
    assert {r.flag_id for r in history} == {mine.pk, world_a.objects["flag"].pk}
    assert "Grant" in programs and len(programs) == 2
    assert reviewers == {world_a.staff_user.email, None}
    assert [r.decided_at for r in history] == sorted((r.decided_at for r in history), reverse=True)
    assert {r.flag_id for r in subject_history(organization=org, flag=theirs)} == {theirs.pk}


def test_a_groups_goals_are_its_families_goals(world_a, world_b, django_assert_num_queries):
    org, family, group = world_a.org, world_a.objects["family"], world_a.objects["group"]
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group")
    neighbour = f.FamilyFactory(organization=org, group=group)
    outsider = f.FamilyFactory(organization=org)  # in another group
    for n in range(3):
        f.GoalFactory(family=family, title=f"Ours {n}")
        f.GoalFactory(family=neighbour, title=f"Neighbour {n}")
        f.GoalFactory(family=outsider, title=f"Outsider {n}")
    flag = f.FlagFactory(program=fund, family=None, group=group)
    with django_assert_num_queries(1):
        goals = subject_goals(organization=org, flag=flag)
        names = {g.family.name for g in goals}
    titles = {g.title for g in goals}
    assert {f"Ours {n}" for n in range(3)} | {f"Neighbour {n}" for n in range(3)} <= titles
    assert not any(t.startswith("Outsider") for t in titles)
    assert {family.name, neighbour.name} <= names
    family_flag = f.FlagFactory(program=f.ProgramFactory(organization=org), family=neighbour)
    assert {g.title for g in subject_goals(organization=org, flag=family_flag)} == {
        f"Neighbour {n}" for n in range(3)
    }
    assert len(subject_goals(organization=org, flag=flag, limit=2)) == 2
