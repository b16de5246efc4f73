"""The reads of the family's pages written by hand (fii.sql) return what the ORM returns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from capital.models import Review
from capital.selectors import open_questions_for
from journals.models import EntryStatus, Goal, GoalStatus, JournalEntry
from journals.selectors import goals_for, journal_month_entries, recent_entries
from tests import factories as f

pytestmark = pytest.mark.django_db


def month(n: int) -> dt.date:
    return dt.date(2024 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


@pytest.fixture
def families():  # type: ignore[no-untyped-def]
    """A family with ten months of entries, a neighbour with its own, and another organization."""
    family = f.FamilyFactory()
    neighbour = f.FamilyFactory(group=family.group)
    elsewhere = f.FamilyFactory()
    for n in range(1, 11):
        status = EntryStatus.DRAFT if n in (4, 10) else EntryStatus.SUBMITTED
        f.JournalEntryFactory(family=family, period=month(n), status=status, extra={"n": n})
        f.JournalEntryFactory(family=neighbour, period=month(n))
        f.JournalEntryFactory(family=elsewhere, period=month(n))
    return family, neighbour, elsewhere


def fields(rows: list) -> list[dict]:  # type: ignore[type-arg]
    return [{fl.attname: getattr(r, fl.attname) for fl in r._meta.fields} for r in rows]


def test_recent_entries_are_the_orms(families):
    family = families[0]
    org = family.organization
    for months in (1, 6, 12):
        orm = JournalEntry.objects.for_org(org).filter(family=family).order_by("-period")
        read = recent_entries(organization=org, family=family, months=months)
        assert fields(read) == fields(list(orm[:months]))
    assert recent_entries(organization=families[2].organization, family=family) == []


def test_the_month_and_the_last_submitted_before_it(families):
    family = families[0]
    org = family.organization
    cases = {
        month(9): (month(9), month(8)),  # a submitted month
        month(10): (month(10), month(9)),  # a draft month
        month(5): (month(5), month(3)),  # month 4 is a draft: skipped
        month(12): (None, month(9)),  # no entry yet: the latest submitted one
        month(1): (month(1), None),
    }
    for period, (entry, previous) in cases.items():
        read = journal_month_entries(organization=org, family=family, period=period)
        assert (read[0] and read[0].period, read[1] and read[1].period) == (entry, previous)
    entry, _ = journal_month_entries(organization=org, family=family, period=month(10))
    assert entry.extra == {"n": 10}
    assert fields([entry]) == fields([JournalEntry.objects.get(pk=entry.pk)])


def test_goals_are_the_orms_in_their_own_order(families):
    family = families[0]
    org = family.organization
    for priority, status in [
        (2, GoalStatus.ACTIVE),
        (1, GoalStatus.PAUSED),
        (3, GoalStatus.ACHIEVED),
    ]:
        f.GoalFactory(family=family, priority=priority, status=status)
    f.GoalFactory(family=families[1])
    orm = Goal.objects.for_org(org).filter(family=family)
    assert fields(goals_for(organization=org, family=family)) == fields(list(orm))
    open_goals = goals_for(organization=org, family=family, open_only=True)
    assert fields(open_goals) == fields(list(orm.open()))
    assert len(open_goals) == 2


def test_open_questions_are_the_orms(families):
    family = families[0]
    org = family.organization
    program = f.ProgramFactory(organization=org)
    asked = f.FlagFactory(program=program, family=family, status="asked")
    f.ReviewFactory(flag=asked, note="First")
    f.ReviewFactory(flag=asked, note="Answered", answered_at=timezone.now())
    f.ReviewFactory(flag=asked, note="Approved", decision="approve")
    f.ReviewFactory(flag=asked, note="Second")
    f.ReviewFactory(flag=f.FlagFactory(program=program, family=families[1], status="asked"))
    read = open_questions_for(organization=org, family=family)
    orm = (
        Review.objects.for_org(org)
        .filter(decision="ask_info", answered_at__isnull=True, flag__family=family)
        .order_by("decided_at", "pk")
    )
    assert [r.note for r in read] == ["First", "Second"]
    assert fields(read) == fields(list(orm))
    assert read[0].flag == asked and read[0].flag.program.name == program.name
    assert fields([read[0].flag.program]) == fields([program])


def test_an_entry_is_written_as_the_orm_writes_it(families):
    from django.db.models import Model
    from django.db.models.signals import post_save, pre_save

    from fii.sql import update

    # update() sends no signal and skips save(): it is only for a model that needs neither.
    assert not pre_save.has_listeners(JournalEntry) and not post_save.has_listeners(JournalEntry)
    assert JournalEntry.save is Model.save
    entry = JournalEntry.objects.filter(family=families[0]).get(period=month(10))
    before = entry.updated_at
    entry.income_wages = 1234.5
    entry.draft = {"savings_balance": "12,5 €", "nested": {"a": [1, 2]}}
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_at = dt.datetime(2024, 11, 5, 8, 30, tzinfo=dt.UTC)
    update(entry)
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert fields([stored]) == fields([entry])
    assert stored.updated_at > before
    assert stored.draft == {"savings_balance": "12,5 €", "nested": {"a": [1, 2]}}
    others = JournalEntry.objects.exclude(pk=entry.pk).filter(income_wages=1234.5)
    assert not others.exists()


def test_create_or_read_returns_the_row_a_unique_constraint_found(families):
    from django.db import IntegrityError

    from journals.models import Stipend
    from journals.services import _create_or_read

    entry = JournalEntry.objects.filter(family=families[0]).get(period=month(9))
    fields = {
        "organization": entry.organization,
        "family_id": entry.family_id,
        "period": entry.period,
        "entry": entry,
        "amount": 100,
    }
    first, created = _create_or_read(Stipend, lambda: None, **fields)
    assert created
    again, created = _create_or_read(
        Stipend, lambda: Stipend.objects.filter(entry=entry).first(), **fields
    )
    assert (again, created) == (first, False)
    assert Stipend.objects.filter(entry=entry).count() == 1
    # An integrity error with no row to read (here: a negative amount) is not hidden.
    with pytest.raises(IntegrityError):
        _create_or_read(Stipend, lambda: None, **{**fields, "period": month(8), "amount": -1})


def test_help_rows_are_the_orms_with_giver_and_receiver(families):
    from django.db.models import Q

    from journals.models import HelpExchange
    from journals.selectors import help_rows_for

    family, neighbour, elsewhere = families
    org = family.organization
    outsider = f.FamilyFactory(organization=org)  # no group of theirs
    for n in range(1, 8):
        f.HelpExchangeFactory(giver=family, receiver=neighbour, period=month(n), note=f"g{n}")
        f.HelpExchangeFactory(giver=neighbour, receiver=family, period=month(n), note=f"r{n}")
    f.HelpExchangeFactory(
        giver=family, receiver=None, organization=org, period=month(3), note="out"
    )
    f.HelpExchangeFactory(
        giver=None,
        receiver=neighbour,
        recorded_by=neighbour,
        organization=org,
        period=month(3),
        note="in",
    )
    f.HelpExchangeFactory(giver=outsider, receiver=None, period=month(3), note="alone")
    f.HelpExchangeFactory(giver=elsewhere, receiver=None, period=month(3), note="elsewhere")
    orm = HelpExchange.objects.for_org(org).select_related("giver", "receiver")
    mine = orm.filter(Q(giver=family) | Q(receiver=family))

    read = help_rows_for(organization=org, family=family)
    assert fields(read) == fields(list(mine)) and len(read) == 15
    assert fields(help_rows_for(organization=org, family=family, limit=5)) == fields(list(mine[:5]))
    in_march = help_rows_for(organization=org, family=family, period=month(3))
    assert {h.note for h in in_march} == {"g3", "r3", "out"}
    out = next(h for h in in_march if h.note == "out")
    assert (out.giver.name, out.receiver) == (family.name, None)
    given = next(h for h in in_march if h.note == "g3")
    assert fields([given.giver, given.receiver]) == fields([family, neighbour])

    group = help_rows_for(organization=org, group_id=family.group_id)
    by_group = orm.filter(Q(giver__group=family.group) | Q(receiver__group=family.group))
    assert fields(group) == fields(list(by_group))
    assert {"in", "out"} <= {h.note for h in group} and "alone" not in {h.note for h in group}
    assert help_rows_for(organization=elsewhere.organization, family=family) == []
    with pytest.raises(ValueError, match="a family or a group"):
        help_rows_for(organization=org)


def test_a_groups_help_is_read_by_its_families_ids(families, django_assert_num_queries):
    """A group's help: its families' ids, then their exchanges by the exchange's own columns
    (no join of the organization's every exchange); a group of no family has none."""
    from journals.selectors import help_rows_for

    family, neighbour, _elsewhere = families
    f.HelpExchangeFactory(giver=family, receiver=neighbour, period=month(2), note="given")
    with django_assert_num_queries(2) as queries:
        rows = help_rows_for(organization=family.organization, group_id=family.group_id)
    assert [h.note for h in rows] == ["given"]
    where = queries.captured_queries[1]["sql"].split(" WHERE ")[1]
    assert "group_id" not in where and '"h"."giver_id" IN' in where
    empty = f.GroupFactory(organization=family.organization)
    assert help_rows_for(organization=family.organization, group_id=empty.pk) == []
