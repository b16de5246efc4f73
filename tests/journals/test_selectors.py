"""The reads of the family's pages: the month, recent entries, goals, help and the catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from journals.models import EntryStatus, GoalStatus, Indicator
from journals.selectors import (
    active_indicators,
    goals_for,
    help_rows_for,
    journal_month_entries,
    recent_entries,
)
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


def test_the_month_and_the_last_submitted_before_it(families, django_assert_num_queries):
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
        with django_assert_num_queries(1):
            read = journal_month_entries(organization=org, family=family, period=period)
        assert (read[0] and read[0].period, read[1] and read[1].period) == (entry, previous)
    entry, _ = journal_month_entries(organization=org, family=family, period=month(10))
    assert entry is not None and entry.extra == {"n": 10} and entry.family_id == family.pk


def test_recent_entries_are_the_latest_newest_first(families):
    family, _neighbour, elsewhere = families
    org = family.organization
    for months in (1, 6, 12):
        read = recent_entries(organization=org, family=family, months=months)
        assert [e.period for e in read] == [month(n) for n in range(10, 0, -1)][:months]
        assert {e.family_id for e in read} == {family.pk}
    assert recent_entries(organization=elsewhere.organization, family=family) == []


def test_goals_come_in_their_own_order_and_open_ones_alone_on_request(families):
    family, neighbour, _elsewhere = families
    org = family.organization
    for title, priority, status in [
        ("second", 2, GoalStatus.ACTIVE),
        ("paused", 1, GoalStatus.PAUSED),
        ("done", 3, GoalStatus.ACHIEVED),
        ("first", 1, GoalStatus.ACTIVE),
    ]:
        f.GoalFactory(family=family, title=title, priority=priority, status=status)
    f.GoalFactory(family=neighbour, title="theirs")
    every = [g.title for g in goals_for(organization=org, family=family)]
    assert every == ["done", "first", "second", "paused"]  # by status, then priority
    open_goals = [g.title for g in goals_for(organization=org, family=family, open_only=True)]
    assert open_goals == ["first", "second", "paused"]


def test_help_rows_come_with_giver_and_receiver(families, django_assert_num_queries):
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

    with django_assert_num_queries(1):
        read = help_rows_for(organization=org, family=family)
        assert [(h.giver and h.giver.name, h.receiver and h.receiver.name) for h in read]
    assert len(read) == 15 and [h.period for h in read] == sorted(
        (h.period for h in read), reverse=True
    )
    assert [h.note for h in help_rows_for(organization=org, family=family, limit=5)] == [
        h.note for h in read[:5]
    ]
    in_march = help_rows_for(organization=org, family=family, period=month(3))
    assert {h.note for h in in_march} == {"g3", "r3", "out"}
    out = next(h for h in in_march if h.note == "out")
    assert (out.giver.name, out.receiver) == (family.name, None)
    given = next(h for h in in_march if h.note == "g3")
    assert (given.giver, given.receiver) == (family, neighbour)

    with django_assert_num_queries(1):
        group = help_rows_for(organization=org, group_id=family.group_id)
    assert {"in", "out", "g1", "r7"} <= {h.note for h in group}
    assert not {"alone", "elsewhere"} & {h.note for h in group} and len(group) == 16
    assert help_rows_for(organization=elsewhere.organization, family=family) == []
    empty = f.GroupFactory(organization=org)
    assert help_rows_for(organization=org, group_id=empty.pk) == []
    with pytest.raises(ValueError, match="a family or a group"):
        help_rows_for(organization=org)


def test_the_active_indicators_are_read_again_only_when_the_catalog_changes(
    world_a, django_assert_num_queries
):
    org = world_a.org
    with django_assert_num_queries(1):
        codes = [i.code for i in active_indicators(org)]
    with django_assert_num_queries(0):
        assert [i.code for i in active_indicators(org)] == codes
    indicator = Indicator.objects.for_org(org).get(code="income_other")
    indicator.active = False
    indicator.save()  # moves the organization's catalog_version on
    org.refresh_from_db()
    with django_assert_num_queries(1):
        assert [i.code for i in active_indicators(org)] == [c for c in codes if c != "income_other"]
    # Another organization's catalog is its own.
    other = f.OrganizationFactory()
    theirs = active_indicators(other)
    assert theirs and {i.organization_id for i in theirs} == {other.pk}
