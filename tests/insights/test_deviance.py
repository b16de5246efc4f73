"""Positive deviance on small hand-computed peer groups; no database."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from insights.deviance import DEVIANCE_COLUMNS, peer_groups, positive_deviance, poverty_line_monthly

# Household of 3: poverty line 2,220.83 a month; 1,500 is 68% of it (income band 1).
BASE_INCOME = 1500.0


def peers(growths: list[float], *, size: int = 3, start: int = 1, months: int = 12):
    """Return (family_frame, families) for one peer group with the given growths."""
    ids = list(range(start, start + len(growths)))
    family_frame = pd.DataFrame(
        {"family_id": ids, "income_change_pct": growths, "months_reported": months}
    )
    families = pd.DataFrame(
        {"family_id": ids, "household_size": size, "baseline_income": BASE_INCOME}
    )
    return family_frame, families


def run(growths: list[float], **kwargs) -> pd.DataFrame:
    family_frame, families = peers(growths)
    return positive_deviance(family_frame, families, **kwargs).set_index("family_id")


def test_poverty_line_follows_the_2025_guideline() -> None:
    assert poverty_line_monthly(1) == pytest.approx(15_650 / 12)
    assert poverty_line_monthly(4) == pytest.approx(32_150 / 12)
    assert poverty_line_monthly(0) == pytest.approx(15_650 / 12)
    lines = poverty_line_monthly(np.array([1, 2, np.nan]))
    assert lines[1] == pytest.approx(21_150 / 12)
    assert math.isnan(lines[2])


def test_peer_groups_band_income_against_the_poverty_line_and_household_size() -> None:
    line1 = 15_650 / 12
    families = pd.DataFrame(
        {
            "household_size": [1, 1, 1, 1, 3, 4, 5, 6, 9, 2],
            "baseline_income": [
                0.0,
                0.75 * line1,
                1.0 * line1,
                1.5 * line1,
                0.7499 * 26_650 / 12,
                0.0,
                0.0,
                0.0,
                0.0,
                float("nan"),
            ],
        }
    )
    assert list(peer_groups(families)) == [
        "inc:1|hh:1",
        "inc:2|hh:1",
        "inc:3|hh:1",
        "inc:4|hh:1",
        "inc:1|hh:2",
        "inc:1|hh:3",
        "inc:1|hh:3",
        "inc:1|hh:4",
        "inc:1|hh:4",
        "inc:?|hh:2",
    ]


def test_it_returns_the_documented_columns() -> None:
    family_frame, families = peers([1.0, 2.0])
    assert list(positive_deviance(family_frame, families).columns) == DEVIANCE_COLUMNS


def test_a_family_far_above_its_twelve_peers_is_flagged() -> None:
    frame = run([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 80])
    top = frame.loc[12]
    assert top["peer_group"] == "inc:1|hh:2"
    assert top["peer_size"] == 12
    assert top["growth"] == 80.0
    assert top["growth_percentile"] == pytest.approx(100 * 11.5 / 12)
    assert top["peer_median_growth"] == 5.5
    assert top["margin"] == 74.5
    assert top["peer_spread"] == pytest.approx(1.4826 * 3.0)
    assert bool(top["is_positive_deviant"]) is True
    assert frame["is_positive_deviant"].sum() == 1
    assert not frame["peer_too_small"].any()


def test_percentiles_follow_the_order_of_growth() -> None:
    growths = [30.0, -10.0, 5.0, 12.0, 0.0, 7.0, 50.0, 2.0, 9.0, 20.0, 1.0, 3.0]
    frame = run(growths)
    by_growth = frame.sort_values("growth")["growth_percentile"].to_numpy()
    assert np.all(np.diff(by_growth) > 0)
    assert frame.loc[2, "growth_percentile"] == pytest.approx(100 * 0.5 / 12)
    assert frame.loc[7, "growth_percentile"] == pytest.approx(100 * 11.5 / 12)


def test_ties_share_one_percentile() -> None:
    frame = run([5.0] * 10 + [1.0, 9.0])
    assert frame.loc[1, "growth_percentile"] == pytest.approx(50.0)
    assert frame.loc[10, "growth_percentile"] == pytest.approx(50.0)


def test_the_top_decile_alone_is_not_enough_when_growth_is_close() -> None:
    frame = run(list(range(12)))  # top family 11, median 5.5: 5.5 points ahead
    assert frame.loc[12, "growth_percentile"] > 90
    assert not frame["is_positive_deviant"].any()


def test_the_margin_must_be_ten_points_even_when_peers_barely_differ() -> None:
    close = run([5.0] * 11 + [12.0]).loc[12]
    assert close["peer_spread"] == 0.0
    assert close["margin"] == 7.0
    assert bool(close["is_positive_deviant"]) is False
    clear = run([5.0] * 11 + [15.0]).loc[12]
    assert bool(clear["is_positive_deviant"]) is True


def test_the_margin_must_also_beat_the_spread_of_the_peers() -> None:
    growths = [-100, -90, -80, -70, -60, -50, 50, 60, 70, 80, 90, 95]
    top = run([float(g) for g in growths]).loc[12]
    assert top["peer_median_growth"] == 0.0
    assert top["peer_spread"] == pytest.approx(1.4826 * 75)
    assert top["margin"] == 95.0
    assert bool(top["is_positive_deviant"]) is False


def test_one_spread_above_the_median_is_not_clearly_above() -> None:
    growths = [-40.0, -30, -20, -20, -10, 0, 10, 20, 20, 30, 40]  # median 0, MAD 20
    top = run(growths).loc[11]
    assert top["growth_percentile"] == pytest.approx(100 * 10.5 / 11)
    assert top["peer_spread"] == pytest.approx(29.652)
    assert top["margin"] == 40.0  # above one spread (29.7), below two (59.3)
    assert bool(top["is_positive_deviant"]) is False
    outlier = run([*growths[:-1], 60.0]).loc[11]
    assert outlier["margin"] == 60.0
    assert bool(outlier["is_positive_deviant"]) is True


def test_a_peer_group_of_three_is_too_small() -> None:
    frame = run([0.0, 1.0, 500.0])
    assert frame["peer_too_small"].all()
    assert (frame["peer_size"] == 3).all()
    assert frame["growth_percentile"].isna().all()
    assert frame["peer_median_growth"].isna().all()
    assert frame["margin"].isna().all()
    assert not frame["is_positive_deviant"].any()
    assert frame.loc[3, "growth"] == 500.0


def test_min_peers_counts_only_families_with_a_growth() -> None:
    growths = [0, 1, 2, 3, 4, 5, 6, 7, 80] + [float("nan")] * 3
    frame = run([float(g) for g in growths])
    assert (frame["peer_size"] == 9).all()
    assert frame["peer_too_small"].all()
    relaxed = run([float(g) for g in growths], min_peers=9)
    assert bool(relaxed.loc[9, "is_positive_deviant"]) is True
    assert math.isnan(relaxed.loc[12, "growth_percentile"])
    assert bool(relaxed.loc[12, "is_positive_deviant"]) is False
    assert bool(relaxed.loc[12, "peer_too_small"]) is False


def test_families_with_too_few_months_are_not_ranked() -> None:
    family_frame, families = peers([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 80])
    family_frame.loc[family_frame["family_id"] == 12, "months_reported"] = 2
    frame = positive_deviance(family_frame, families).set_index("family_id")
    assert math.isnan(frame.loc[12, "growth"])
    assert frame.loc[1, "peer_size"] == 11
    assert not frame["is_positive_deviant"].any()


def test_families_with_an_unknown_starting_point_are_not_ranked() -> None:
    family_frame, families = peers([float(g) for g in range(12)])
    families["household_size"] = families["household_size"].astype("float64")
    families.loc[families["family_id"] == 1, "household_size"] = float("nan")
    frame = positive_deviance(family_frame, families).set_index("family_id")
    assert frame.loc[1, "peer_group"] == "inc:?|hh:?"
    assert math.isnan(frame.loc[1, "growth"])
    assert frame.loc[2, "peer_size"] == 11


def test_peer_groups_are_ranked_separately() -> None:
    big_ff, big_f = peers([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 80])
    small_ff, small_f = peers([1000.0, 2000.0], size=1, start=100)
    both = positive_deviance(pd.concat([big_ff, small_ff]), pd.concat([big_f, small_f]))
    frame = both.set_index("family_id")
    assert frame.loc[100, "peer_group"] == "inc:3|hh:1"  # 1,500 is 115% of 1,304
    assert bool(frame.loc[100, "peer_too_small"]) is True
    assert frame.loc[12, "growth_percentile"] == pytest.approx(100 * 11.5 / 12)
    assert bool(frame.loc[12, "is_positive_deviant"]) is True
