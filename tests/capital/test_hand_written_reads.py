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
