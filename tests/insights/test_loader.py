"""The loader reads only what the run needs, as typed columns, from one organization."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from insights.loader import load_families, load_goals, load_help, load_journals
from journals.models import EntryStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
WINDOW = {"first_period": dt.date(2025, 1, 1), "last_period": JUNE}


def test_total_income_is_the_sum_and_unknown_only_when_every_part_is() -> None:
    family = f.FamilyFactory()
    incomes = {
        dt.date(2025, 4, 1): {"income_wages": 100.0, "income_business": None},
        dt.date(2025, 5, 1): {"income_wages": None},
        JUNE: {
            "income_wages": 100.0,
            "income_business": 50.0,
            "income_benefits": 25.0,
            "income_other": 5.0,
        },
    }
    for period, values in incomes.items():
        f.JournalEntryFactory(family=family, period=period, **values)

    frame = load_journals(
        organization_id=family.organization_id, families=(family.pk, family.pk), **WINDOW
    ).sort_values("period")

    assert list(frame.columns) == [
        "family_id",
        "period",
        "income",
        "savings",
        "debt",
        "savings_deposited",
    ]
    income = frame["income"].tolist()
    assert income[0] == 100.0
    assert math.isnan(income[1])
    assert income[2] == 180.0
    assert frame["savings"].tolist() == [300.0] * 3  # savings_balance, renamed
    assert frame["debt"].tolist() == [4000.0] * 3  # debt_total, renamed
    assert frame["family_id"].dtype == np.int64
    assert frame["period"].dtype.kind == "M"


def test_it_reads_one_range_of_families_of_one_organization_in_the_window() -> None:
    group = f.GroupFactory()
    first, second, third = (f.FamilyFactory(group=group) for _ in range(3))
    for family in (first, second, third):
        f.JournalEntryFactory(family=family, period=JUNE)
    f.JournalEntryFactory(family=second, period=dt.date(2024, 12, 1))  # before the window
    f.JournalEntryFactory(family=second, period=dt.date(2025, 7, 1))  # after it
    f.JournalEntryFactory(
        family=second, period=dt.date(2025, 3, 1), status=EntryStatus.DRAFT, submitted_at=None
    )
    elsewhere = f.FamilyFactory()
    f.JournalEntryFactory(family=elsewhere, period=JUNE)

    frame = load_journals(
        organization_id=group.organization_id, families=(first.pk, second.pk), **WINDOW
    )

    assert sorted(frame["family_id"]) == [first.pk, second.pk]


def test_families_goals_and_help_come_as_typed_columns() -> None:
    group = f.GroupFactory()
    family = f.FamilyFactory(group=group, household_size=4)
    loner = f.FamilyFactory(group=None, organization=group.organization)
    f.GoalFactory(family=family, status="achieved")
    f.GoalFactory(family=family, status="dropped")
    f.HelpExchangeFactory(
        giver=family, receiver=None, period=JUNE, hours=2.0, confirmed_at=dt.datetime.now(dt.UTC)
    )
    f.HelpExchangeFactory(giver=family, period=JUNE, hours=1.0)  # not confirmed
    org_id = group.organization_id

    families = load_families(organization_id=org_id)
    goals = load_goals(organization_id=org_id)
    help_ = load_help(organization_id=org_id, **WINDOW)

    assert families["family_id"].is_monotonic_increasing
    assert {family.pk, loner.pk} <= set(families["family_id"])
    by_id = families.set_index("family_id")
    assert by_id.loc[family.pk, "household_size"] == 4
    assert by_id.loc[family.pk, "group_id"] == group.pk
    assert by_id["group_id"].isna().sum() == 1
    assert str(families["group_id"].dtype) == "Int64"
    assert families["joined_on"].dtype.kind == "M"
    assert goals.to_dict("records") == [{"family_id": family.pk, "status": "achieved"}]
    assert len(help_) == 1
    assert help_.loc[0, "giver_id"] == family.pk
    assert help_["receiver_id"].isna().all()
    assert bool(help_.loc[0, "confirmed"]) is True
    assert help_.loc[0, "hours"] == 2.0
    assert math.isnan(help_.loc[0, "amount"])
