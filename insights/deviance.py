"""Positive deviance: families whose growth clearly beats peers who started from the same place.

Pure functions: DataFrames in, a DataFrame out; no database and no Django.

Method: a conditional growth percentile.

1. Peers. Families are compared only with families that started under the same constraints:
   the same organization (the caller passes one organization at a time, never a chunk of it),
   the same baseline income band and the same household size band. The income band is the
   baseline monthly income as a share of the US federal poverty line for the household's size
   (2025 HHS guideline, 48 contiguous states: 15,650 USD a year for one person plus 5,500 for
   each additional person): below 75%, 75-100%, 100-150%, 150% and above, labelled 1 to 4.
   Household size bands: 1, 2-3, 4-5, 6 or more, labelled 1 to 4. The peer group label reads
   ``"inc:2|hh:3"``; ``?`` marks an unknown baseline.
2. Growth. ``income_change_pct`` of the family features: the mean income of the last 3 months
   against the baseline income, in percent (25.0 means +25%). A family needs at least
   ``min_months`` reported months (default 3) for its growth to count; a family with a zero or
   unknown baseline, or an unknown household size, is not ranked (its growth is NaN).
3. Percentile. Within its peer group, a family's growth percentile is the share of peers with
   lower growth plus half the share with equal growth, times 100 (the mid-rank percentile): the
   best of 12 families scores 95.8, the worst 4.2; ties share one value.
4. Flag. A family is a positive deviant when its percentile is at least 90 (the top decile) *and*
   its margin over the peer median is at least the larger of 10 percentage points and two robust
   standard deviations of the peers' growth (the spread: 1.4826 times the median absolute
   deviation, which equals the standard deviation for normal data and ignores a few extremes).
   Why both: the top decile alone always names someone, even when every family grew by about the
   same amount, so the margin must also be large in absolute terms and against the spread. Why
   two spreads and not one: if growth were pure noise, the top decile would already start 1.28
   spreads above the median, so a one-spread rule would flag the whole top decile (10% of all
   families, simulated); two spreads flags about 2.4%. In a peer group of 12 families with no
   real differences, somebody still passes in about a third of groups: a flag is a lead for a
   conversation, not proof.
5. Small peer groups. With fewer than ``min_peers`` families with a growth (default 10), a
   percentile means little and the peer statistics could describe two or three identifiable
   households: such families get ``peer_too_small`` True, no percentile, no peer median, no
   margin, and are never flagged.

Ranking within the group is conditioning on the starting point: a family that went from 50% to
80% of the poverty line is compared with families that started near 50%, not with families that
started above it. Richer models (quantile regression on baseline income, as in student growth
percentiles, or OLS residual ranks) are possible later; the banded version is easy to explain to
a family and to staff, and needs no model fitting.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

POVERTY_LINE_FIRST_PERSON_2025 = 15_650.0
POVERTY_LINE_EACH_ADDITIONAL_2025 = 5_500.0

INCOME_BAND_EDGES = (0.75, 1.0, 1.5)
HOUSEHOLD_BAND_EDGES = (2, 4, 6)

TOP_PERCENTILE = 90.0
MIN_MARGIN_POINTS = 10.0
SPREAD_MULTIPLIER = 2.0
MAD_TO_SD = 1.4826

DEVIANCE_COLUMNS: list[str] = [
    "family_id",
    "peer_group",
    "peer_size",
    "growth",
    "growth_percentile",
    "peer_median_growth",
    "peer_spread",
    "margin",
    "is_positive_deviant",
    "peer_too_small",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

_BAND_LABELS = np.array(["1", "2", "3", "4", "?"])


@overload
def poverty_line_monthly(household_size: float) -> float: ...
@overload
def poverty_line_monthly(household_size: Any) -> FloatArray: ...
def poverty_line_monthly(household_size: Any) -> float | FloatArray:
    """Return the 2025 US federal poverty line per month for a household size (at least 1)."""
    size = np.maximum(np.asarray(household_size, dtype="float64"), 1.0)
    yearly = POVERTY_LINE_FIRST_PERSON_2025 + POVERTY_LINE_EACH_ADDITIONAL_2025 * (size - 1.0)
    monthly = yearly / 12.0
    return float(monthly) if monthly.ndim == 0 else monthly


def _band_labels(values: FloatArray, edges: tuple[float, ...]) -> Any:
    """Return band labels "1".."4" for values cut at ``edges``, "?" where unknown."""
    codes = np.digitize(values, edges)
    codes[~np.isfinite(values)] = len(_BAND_LABELS) - 1
    return _BAND_LABELS[codes]


def peer_groups(families: pd.DataFrame) -> pd.Series:
    """Return the peer group label of each family, from its baseline income and household size."""
    # The Family model calls it baseline_monthly_income; accept either name.
    income = "baseline_income" if "baseline_income" in families else "baseline_monthly_income"
    size = families["household_size"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = families[income].to_numpy(dtype="float64", na_value=np.nan) / (
            poverty_line_monthly(size)
        )
    inc = pd.Series(_band_labels(share, INCOME_BAND_EDGES), index=families.index)
    hh = pd.Series(_band_labels(size, HOUSEHOLD_BAND_EDGES), index=families.index)
    return "inc:" + inc + "|hh:" + hh


def _growth(frame: pd.DataFrame, peer_group: pd.Series, min_months: int) -> pd.Series:
    """Return the growth to rank: NaN with too few months or an unknown starting point."""
    growth = frame["income_change_pct"].astype("float64")
    enough = frame["months_reported"].to_numpy() >= min_months
    known_start = ~peer_group.str.contains("?", regex=False).to_numpy(dtype=bool)
    return growth.where(enough & known_start & np.isfinite(growth.to_numpy()))


def _peer_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Add peer size, percentile, median, spread and margin to ``frame`` (growth, peer_group)."""
    by_peer = frame.groupby("peer_group")["growth"]
    frame["peer_size"] = by_peer.transform("count").astype("int64")
    frame["growth_percentile"] = 100.0 * (by_peer.rank(method="average") - 0.5) / frame["peer_size"]
    frame["peer_median_growth"] = by_peer.transform("median")
    deviation = (frame["growth"] - frame["peer_median_growth"]).abs()
    frame["peer_spread"] = MAD_TO_SD * deviation.groupby(frame["peer_group"]).transform("median")
    frame["margin"] = frame["growth"] - frame["peer_median_growth"]
    return frame


def _flag(frame: pd.DataFrame, min_peers: int) -> pd.DataFrame:
    frame["peer_too_small"] = frame["peer_size"] < min_peers
    hidden = ["growth_percentile", "peer_median_growth", "peer_spread", "margin"]
    frame.loc[frame["peer_too_small"], hidden] = np.nan
    needed = np.maximum(MIN_MARGIN_POINTS, SPREAD_MULTIPLIER * frame["peer_spread"].fillna(0.0))
    frame["is_positive_deviant"] = (
        (frame["growth_percentile"] >= TOP_PERCENTILE)
        & (frame["margin"] >= needed)
        & ~frame["peer_too_small"]
    ).fillna(False)
    return frame


def positive_deviance(
    family_frame: pd.DataFrame,
    families: pd.DataFrame,
    min_peers: int = 10,
    *,
    min_months: int = 3,
) -> pd.DataFrame:
    """Return the peer group, growth percentile and positive-deviant flag of every family.

    ``family_frame`` is the output of ``insights.features.family_features`` for one whole
    organization; ``families`` gives each family's baseline income and household size.
    """
    base = family_frame[["family_id", "income_change_pct", "months_reported"]].merge(
        families, on="family_id", how="left", validate="one_to_one"
    )
    peer_group = peer_groups(base).astype("string")
    frame = pd.DataFrame(
        {
            "family_id": base["family_id"],
            "peer_group": peer_group,
            "growth": _growth(base, peer_group, min_months),
        }
    )
    frame = _flag(_peer_statistics(frame), min_peers)
    frame["is_positive_deviant"] = frame["is_positive_deviant"].astype(bool)
    return frame[DEVIANCE_COLUMNS].reset_index(drop=True)
