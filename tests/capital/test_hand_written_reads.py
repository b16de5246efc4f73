"""The capital reads written by hand (fii.sql) return what the ORM returns."""

from __future__ import annotations

import datetime as dt

import pytest

from capital.models import Flag
from capital.selectors import flag_for_review
from capital.selectors.review import trajectory_points
from journals.models import EntryStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def fields(instance):  # type: ignore[no-untyped-def]
    if instance is None:
        return None
    return {fl.attname: getattr(instance, fl.attname) for fl in instance._meta.concrete_fields}


def test_a_flag_comes_with_its_program_and_subject_as_the_orm_gives_them(
    world_a, world_b, django_assert_num_queries
):
    org = world_a.org
    grant = f.ProgramFactory(organization=org)
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group")
    grouped = f.FlagFactory(program=grant, family=world_a.objects["family"])
    alone = f.FlagFactory(program=grant, family=f.FamilyFactory(organization=org, group=None))
    group = f.FlagFactory(program=fund, family=None, group=world_a.objects["group"])
    orm = Flag.objects.for_org(org).select_related("program", "family", "family__group", "group")
    for flag in (grouped, alone, group):
        read, expected = flag_for_review(organization=org, flag_id=flag.pk), orm.get(pk=flag.pk)
        assert fields(read) == fields(expected)
        assert fields(read.program) == fields(expected.program)
        assert fields(read.family) == fields(expected.family)
        assert fields(read.group) == fields(expected.group)
        if read.family is not None:
            assert fields(read.family.group) == fields(expected.family.group)
    read = flag_for_review(organization=org, flag_id=grouped.pk)
    with django_assert_num_queries(0):  # all attached, nothing read lazily
        assert read.program.name and read.family.group.name and read.group is None
    assert flag_for_review(organization=org, flag_id=alone.pk).family.group is None
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
    # Another organization's family in a group of the same name: never counted.
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


def test_the_flags_history_and_goals_are_the_orms(world_a, world_b, django_assert_num_queries):
    from django.db.models import Q

    from capital.models import Review
    from capital.selectors.review import _goals, subject_history
    from journals.models import Goal

    org, family, group = world_a.org, world_a.objects["family"], world_a.objects["group"]
    grant = f.ProgramFactory(organization=org)
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group")
    mine = f.FlagFactory(program=grant, family=family)
    theirs = f.FlagFactory(program=fund, family=None, group=group)
    for flag in (mine, theirs, world_a.objects["flag"]):
        f.ReviewFactory(flag=flag, reviewer=world_a.staff_user)
        f.ReviewFactory(flag=flag, reviewer=None, note="by someone gone")
    f.ReviewFactory(flag=world_b.objects["flag"])  # another organization's: never read
    neighbour = f.FamilyFactory(organization=org, group=group)
    for n in range(3):
        f.GoalFactory(family=family, title=f"Goal {n}")
        f.GoalFactory(family=neighbour, title=f"Theirs {n}")

    def fields(instances):  # type: ignore[no-untyped-def]
        return [
            {x.attname: getattr(i, x.attname) for x in i._meta.concrete_fields} for i in instances
        ]

    orm = Review.objects.for_org(org).select_related("reviewer", "flag__program")
    for flag, subject in (
        (mine, Q(flag__family_id=family.pk)),
        (theirs, Q(flag__group_id=group.pk)),
    ):
        expected = list(orm.filter(subject))
        with django_assert_num_queries(1):
            read = subject_history(organization=org, flag=flag)
            assert [r.flag.program.name for r in read] == [r.flag.program.name for r in expected]
            names = [r.reviewer and r.reviewer.email for r in read]
            assert names == [r.reviewer and r.reviewer.email for r in expected]
        assert fields(read) == fields(expected) and len(read) >= 2

    goals = Goal.objects.for_org(org).select_related("family")
    assert fields(_goals(org, mine)) == fields(goals.filter(family_id=family.pk)[:30])
    by_group = goals.filter(family__group_id=group.pk)[:30]
    read_goals = _goals(org, theirs)
    assert fields(read_goals) == fields(by_group) and len(read_goals) >= 6
    assert {g.family.name for g in read_goals} == {g.family.name for g in by_group}
