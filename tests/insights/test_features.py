"""Family and group features on small hand-computed frames; no database."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from insights.features import FAMILY_COLUMNS, GROUP_COLUMNS, family_features, group_features

LAST = dt.date(2025, 6, 1)
NAN = float("nan")


def journals(*rows: tuple) -> pd.DataFrame:
    """Build journals from (family_id, "YYYY-MM", income, savings, debt, deposited) rows."""
    columns = ["family_id", "period", "income", "savings", "debt", "savings_deposited"]
    frame = pd.DataFrame(list(rows), columns=columns)
    frame["period"] = pd.to_datetime(frame["period"] + "-01")
    return frame.astype({"family_id": "int64", "income": "float64", "savings": "float64"})


def families(*rows: tuple) -> pd.DataFrame:
    """Build families from (family_id, group_id, "YYYY-MM-DD" joined, baseline income) rows."""
    frame = pd.DataFrame(list(rows), columns=["family_id", "group_id", "joined_on", "base"])
    return pd.DataFrame(
        {
            "family_id": frame["family_id"].astype("int64"),
            "group_id": frame["group_id"].astype("Int64"),
            "joined_on": pd.to_datetime(frame["joined_on"]),
            "household_size": 3,
            "baseline_income": frame["base"].astype("float64"),
            "baseline_savings": 10.0,
            "baseline_debt": 100.0,
        }
    )


def goals(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["family_id", "status"])


def help_rows(*rows: tuple) -> pd.DataFrame:
    """Build help from (giver, receiver, hours, amount, confirmed, "YYYY-MM") rows."""
    columns = ["giver_id", "receiver_id", "hours", "amount", "confirmed", "period"]
    frame = pd.DataFrame(list(rows), columns=columns)
    return frame.assign(
        giver_id=frame["giver_id"].astype("Int64"),
        receiver_id=frame["receiver_id"].astype("Int64"),
        hours=frame["hours"].astype("float64"),
        amount=frame["amount"].astype("float64"),
        confirmed=frame["confirmed"].astype(bool),
        period=pd.to_datetime(frame["period"] + "-01"),
    )


NO_GOALS = goals()
NO_HELP = help_rows()
ONE_FAMILY = families((1, 10, "2020-01-01", 160.0))


def features(j: pd.DataFrame, f: pd.DataFrame = ONE_FAMILY, **kwargs) -> pd.DataFrame:
    frame = family_features(j, f, kwargs.get("goals", NO_GOALS), kwargs.get("help", NO_HELP), LAST)
    return frame.set_index("family_id")


def rising() -> pd.DataFrame:
    return journals(
        (1, "2025-04", 100, 10, 50, 10),
        (1, "2025-05", 200, 20, 50, 20),
        (1, "2025-06", 300, 30, 50, NAN),
    )


def test_it_returns_the_documented_columns_in_order() -> None:
    frame = family_features(rising(), ONE_FAMILY, NO_GOALS, NO_HELP, LAST)
    assert list(frame.columns) == FAMILY_COLUMNS
    assert frame["months_reported"].dtype == np.int64
    assert frame["group_id"].dtype == "Int64"
    assert frame["last_period_reported"].dtype == bool


def test_it_computes_means_and_slope_of_three_rising_months() -> None:
    row = features(rising()).loc[1]
    assert row["months_reported"] == 3
    assert row["consecutive_months"] == 3
    assert row["income_3m"] == 200.0
    assert row["income_12m"] == 200.0
    assert row["savings_3m"] == 20.0
    assert row["debt_12m"] == 50.0
    assert row["income_slope_12m"] == pytest.approx(100.0)
    assert row["debt_to_income"] == 0.25
    assert bool(row["last_period_reported"]) is True
    assert bool(row["single_month"]) is False


def test_it_uses_only_the_last_three_months_for_the_3m_mean() -> None:
    j = journals(*[(1, f"2025-0{m}", 100 * m, 0, 0, 0) for m in range(1, 7)])
    row = features(j).loc[1]
    assert row["income_3m"] == 500.0  # April 400, May 500, June 600
    assert row["income_12m"] == 350.0
    assert row["income_slope_12m"] == pytest.approx(100.0)


def test_it_fits_the_slope_on_reported_months_only() -> None:
    j = journals((1, "2025-03", 100, 0, 0, 0), (1, "2025-04", 100, 0, 0, 0))
    j = pd.concat([j, journals((1, "2025-06", 400, 0, 0, 0))], ignore_index=True)
    row = features(j).loc[1]
    # x = 0, 1, 3 and y = 100, 100, 400: slope = 500 / (42 / 9) = 750 / 7.
    assert row["income_slope_12m"] == pytest.approx(750 / 7)
    assert row["income_slope_12m"] == pytest.approx(np.polyfit([0, 1, 3], [100, 100, 400], 1)[0])


def test_it_needs_three_points_for_a_slope() -> None:
    j = journals((1, "2025-05", 100, 0, 0, 0), (1, "2025-06", 300, 0, 0, 0))
    assert math.isnan(features(j).loc[1, "income_slope_12m"])


def test_a_gap_breaks_the_streak() -> None:
    j = journals(*[(1, f"2025-0{m}", 100, 0, 0, 0) for m in (1, 2, 3, 5, 6)])
    row = features(j).loc[1]
    assert row["months_reported"] == 5
    assert row["consecutive_months"] == 2


def test_the_streak_allows_one_month_of_grace_and_no_more() -> None:
    one_late = journals(*[(1, f"2025-0{m}", 100, 0, 0, 0) for m in (2, 3, 4, 5)])
    two_late = journals(*[(1, f"2025-0{m}", 100, 0, 0, 0) for m in (2, 3, 4)])
    assert features(one_late).loc[1, "consecutive_months"] == 4
    assert bool(features(one_late).loc[1, "last_period_reported"]) is False
    assert features(two_late).loc[1, "consecutive_months"] == 0


def test_a_family_without_journals_gets_zero_counts_and_nan_means() -> None:
    f = families((1, 10, "2020-01-01", 160.0), (2, 10, "2020-01-01", 100.0))
    row = features(rising(), f).loc[2]
    assert row["months_reported"] == 0
    assert row["consecutive_months"] == 0
    for column in ("income_3m", "income_12m", "savings_3m", "debt_3m", "income_slope_12m"):
        assert math.isnan(row[column]), column
    assert math.isnan(row["savings_rate"])
    assert math.isnan(row["income_change_pct"])
    assert row["n_absurd"] == 0
    assert row["help_given_count"] == 0
    assert bool(row["single_month"]) is False
    assert bool(row["last_period_reported"]) is False


def test_zero_income_gives_nan_ratios_not_infinity() -> None:
    j = journals(*[(1, f"2025-0{m}", 0, 0, 500, 0) for m in (4, 5, 6)])
    row = features(j).loc[1]
    assert row["income_3m"] == 0.0
    assert math.isnan(row["debt_to_income"])
    assert math.isnan(row["savings_rate"])
    assert row["income_slope_12m"] == 0.0


def test_a_zero_baseline_gives_a_nan_percentage() -> None:
    f = families((1, 10, "2020-01-01", 0.0))
    row = features(rising(), f).loc[1]
    assert row["income_change"] == 200.0
    assert math.isnan(row["income_change_pct"])


def test_it_measures_change_since_the_baseline() -> None:
    row = features(rising()).loc[1]
    assert row["income_change"] == 40.0  # 200 against 160
    assert row["income_change_pct"] == 25.0
    assert row["savings_change"] == 10.0  # 20 against 10
    assert row["debt_change"] == -50.0  # 50 against 100


def test_absurd_values_are_ignored_and_counted() -> None:
    j = journals(
        (1, "2025-04", 100, 10, -5, 0),
        (1, "2025-05", 1e9, 10, 50, 0),
        (1, "2025-06", 300, float("inf"), 50, 0),
    )
    row = features(j).loc[1]
    assert row["n_absurd"] == 3
    assert row["income_3m"] == 200.0  # (100 + 300) / 2
    assert row["savings_3m"] == 10.0
    assert row["debt_3m"] == 50.0
    assert row["months_reported"] == 3


def test_savings_rate_pairs_deposits_with_income_of_the_same_months() -> None:
    j = journals(
        (1, "2025-03", NAN, 0, 0, 99),
        (1, "2025-04", 100, 0, 0, 10),
        (1, "2025-05", 100, 0, 0, 20),
        (1, "2025-06", 100, 0, 0, NAN),
    )
    assert features(j).loc[1, "savings_rate"] == pytest.approx(0.15)  # 30 / 200


def test_it_ignores_months_before_joining_after_last_period_and_out_of_window() -> None:
    f = families((1, 10, "2025-04-20", 100.0), (2, 10, "2020-01-01", 100.0))
    j = journals(
        (1, "2025-03", 999, 0, 0, 0),
        (1, "2025-04", 100, 0, 0, 0),
        (1, "2025-07", 999, 0, 0, 0),
        (2, "2022-06", 999, 0, 0, 0),  # 37 months before June 2025
        (2, "2022-07", 50, 0, 0, 0),  # the first month of the 36
        (3, "2025-06", 5, 0, 0, 0),  # not a family of this chunk
    )
    frame = features(j, f)
    assert frame.loc[1, "months_reported"] == 1
    assert frame.loc[1, "income_12m"] == 100.0
    assert bool(frame.loc[1, "single_month"]) is True
    assert frame.loc[2, "months_reported"] == 1
    assert math.isnan(frame.loc[2, "income_12m"])
    assert list(frame.index) == [1, 2]


def test_it_accepts_date_objects_for_periods() -> None:
    j = rising().assign(period=lambda df: df["period"].dt.date)
    assert features(j).loc[1, "income_slope_12m"] == pytest.approx(100.0)


def test_it_counts_goals_by_status() -> None:
    g = goals((1, "active"), (1, "active"), (1, "achieved"), (1, "dropped"), (2, "active"))
    row = features(rising(), goals=g).loc[1]
    assert row["goals_active"] == 2
    assert row["goals_achieved"] == 1


def test_it_counts_confirmed_help_of_the_last_twelve_months_only() -> None:
    f = families((1, 10, "2020-01-01", 1.0), (2, 10, "2020-01-01", 1.0))
    h = help_rows(
        (1, 2, 3.0, NAN, True, "2025-06"),
        (1, None, 2.0, 40.0, True, "2024-07"),  # to someone outside, 12th month back
        (1, 2, 50.0, 500.0, False, "2025-06"),  # not confirmed
        (1, 2, 50.0, 500.0, True, "2024-06"),  # 13 months back
        (None, 1, NAN, 25.0, True, "2025-01"),
    )
    frame = features(rising(), f, help=h)
    assert frame.loc[1, "help_given_hours"] == 5.0
    assert frame.loc[1, "help_given_count"] == 2
    assert frame.loc[1, "help_given_value"] == 40.0
    assert frame.loc[1, "help_received_count"] == 1
    assert frame.loc[1, "help_received_value"] == 25.0
    assert frame.loc[1, "help_received_hours"] == 0.0
    assert frame.loc[2, "help_received_hours"] == 3.0
    assert frame.loc[2, "help_received_count"] == 1
    assert frame.loc[2, "help_given_count"] == 0


def test_it_refuses_a_window_shorter_than_the_slope() -> None:
    with pytest.raises(ValueError, match="at least 12"):
        family_features(rising(), ONE_FAMILY, NO_GOALS, NO_HELP, LAST, months=6)


def test_it_handles_no_families_at_all() -> None:
    frame = family_features(rising(), ONE_FAMILY.iloc[:0], NO_GOALS, NO_HELP, LAST)
    assert list(frame.columns) == FAMILY_COLUMNS
    assert len(frame) == 0


def group_setup() -> tuple[pd.DataFrame, pd.DataFrame]:
    f = families(
        (1, 10, "2020-01-01", 100.0),
        (2, 10, "2020-01-01", 100.0),
        (3, 10, "2020-01-01", 100.0),
        (4, 20, "2020-01-01", 100.0),
        (5, None, "2020-01-01", 100.0),
    )
    j = journals(
        (1, "2025-06", 100, 10, 0, 0),
        (2, "2025-06", 300, 30, 10, 0),
        (3, "2025-05", 150, 0, 0, 0),
        (4, "2025-06", 50, 0, 0, 0),
        (5, "2025-06", 50, 0, 0, 0),
    )
    h = help_rows(
        (1, 2, 2.0, NAN, True, "2025-06"),
        (2, 3, 1.5, NAN, True, "2025-02"),
        (3, 1, 9.0, NAN, False, "2025-06"),  # not confirmed
        (1, 4, 7.0, NAN, True, "2025-06"),  # to another group
        (1, None, 7.0, NAN, True, "2025-06"),  # outside the group
        (4, 5, 7.0, NAN, True, "2025-06"),  # to a family without a group
    )
    return family_features(j, f, NO_GOALS, h, LAST), h


def test_group_features_summarize_each_group() -> None:
    family_frame, h = group_setup()
    frame = group_features(family_frame, h, LAST)
    assert list(frame.columns) == GROUP_COLUMNS
    assert list(frame["group_id"]) == [10, 20]
    ten = frame.set_index("group_id").loc[10]
    assert ten["families"] == 3
    assert ten["share_reporting"] == pytest.approx(2 / 3)
    assert ten["median_income_3m"] == 150.0
    assert ten["median_savings_3m"] == 10.0
    assert ten["median_debt_3m"] == 0.0
    assert ten["median_income_change_pct"] == 50.0
    assert ten["help_hours_within_group"] == 3.5
    assert ten["help_count_within_group"] == 2


def test_a_group_without_help_inside_it_gets_zero() -> None:
    family_frame, h = group_setup()
    twenty = group_features(family_frame, h, LAST).set_index("group_id").loc[20]
    assert twenty["families"] == 1
    assert twenty["share_reporting"] == 1.0
    assert twenty["help_hours_within_group"] == 0.0
    assert twenty["help_count_within_group"] == 0
