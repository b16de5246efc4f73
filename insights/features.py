"""Family and group features of the nightly run, computed on a dense family x month grid.

Pure functions: DataFrames in, DataFrames out; no database and no Django.

How it works. The journal rows are placed once into one float64 array per metric, shaped
(families, months), with NaN for a month that was not reported (or a value that was missing or
absurd). The month axis is small and fixed (``months`` months ending at ``last_period``), so
rolling means, the 12-month slope and the reporting streak are plain vectorized numpy over that
array, never per-family pandas (``groupby().rolling()``, ``apply``).

Definitions, all as of ``last_period`` (the first day of the last month to include; the
caller decides which month that is):

- The window of a family is the ``months`` months ending at ``last_period``, cut at the month
  the family joined: journals before the joined month or after ``last_period`` are ignored.
- A month is *reported* when a journal row exists for it, whatever its values.
- ``consecutive_months``: the run of consecutive reported months ending at ``last_period``; if
  ``last_period`` itself is not reported, the run ending one month earlier (one month of grace,
  so a family that reports a few days late is not reset to 0); otherwise 0. At most ``months``.
- ``*_3m`` / ``*_12m``: means of the known values in the last 3 / 12 months; NaN if none.
- ``income_slope_12m``: least-squares slope of income per month over the last 12 months, using
  the reported months only; NaN with fewer than 3 of them.
- ``savings_rate``: deposits over income, summed over the last 12 months in which both are known.
- ``income_change_pct``: ``income_change`` as a percentage of the baseline (25.0 means +25%).
- ``*_change``: the 3-month mean minus the baseline given when joining.
- Help counts only confirmed exchanges of the last 12 months; hours and amounts that are missing
  count as 0 in the sums but the exchange still counts.
- A value outside ``SANE_BOUNDS`` (negative, infinite, or an income above 1,000,000 a month) is
  treated as missing and counted in ``n_absurd``.

Every ratio is NaN, never infinite, when its denominator is 0 or unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

METRICS: tuple[str, ...] = ("income", "savings", "debt", "savings_deposited")

# Values outside these bounds are data-entry errors (an extra zero, a sign), not facts.
SANE_BOUNDS: dict[str, tuple[float, float]] = {
    "income": (0.0, 1e6),
    "savings": (0.0, 1e8),
    "debt": (0.0, 1e8),
    "savings_deposited": (0.0, 1e6),
}

SLOPE_MONTHS = 12
SLOPE_MIN_POINTS = 3

FAMILY_COLUMNS: list[str] = [
    "family_id",
    "group_id",
    "months_reported",
    "consecutive_months",
    "income_3m",
    "income_12m",
    "savings_3m",
    "savings_12m",
    "debt_3m",
    "debt_12m",
    "income_slope_12m",
    "savings_rate",
    "debt_to_income",
    "income_change",
    "income_change_pct",
    "savings_change",
    "debt_change",
    "goals_active",
    "goals_achieved",
    "help_given_hours",
    "help_given_count",
    "help_received_hours",
    "help_received_count",
    "help_given_value",
    "help_received_value",
    "last_period_reported",
    "n_absurd",
    "single_month",
]

GROUP_COLUMNS: list[str] = [
    "group_id",
    "families",
    "share_reporting",
    "median_income_3m",
    "median_savings_3m",
    "median_debt_3m",
    "median_income_change_pct",
    "help_hours_within_group",
    "help_count_within_group",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class Grid:
    """Dense family x month arrays of one chunk of families."""

    values: dict[str, FloatArray]
    reported: BoolArray
    n_absurd: IntArray


# --- months -----------------------------------------------------------------------------------


def month_keys(values: Iterable[Any]) -> FloatArray:
    """Return months since 1970-01 of dates or datetimes, NaN where missing."""
    series = pd.to_datetime(pd.Series(values), errors="coerce")
    as_months = series.to_numpy().astype("datetime64[M]")
    keys = as_months.astype("int64").astype("float64")
    keys[np.isnat(as_months)] = np.nan
    return keys


def _month_key(day: date | pd.Timestamp) -> int:
    return int(month_keys([day])[0])


# --- grid -------------------------------------------------------------------------------------


def _to_float(column: pd.Series) -> FloatArray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _first_columns(families: pd.DataFrame, start_key: int) -> IntArray:
    """Return, per family, the first grid column inside its window (its joined month)."""
    joined = month_keys(families["joined_on"]) - start_key
    return np.nan_to_num(np.maximum(joined, 0.0), nan=0.0).astype("int64")


def _journal_cells(
    journals: pd.DataFrame, index: pd.Index, first_col: IntArray, start_key: int, months: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Return the positions of the journal rows inside a window, and their grid cells."""
    rows = index.get_indexer(journals["family_id"])
    cols_f = month_keys(journals["period"]) - start_key
    positions = np.flatnonzero((rows >= 0) & (cols_f >= 0) & (cols_f < months))
    rows, cols = rows[positions], cols_f[positions].astype("int64")
    after_join = cols >= first_col[rows]
    return positions[after_join], rows[after_join], cols[after_join]


def build_grid(journals: pd.DataFrame, families: pd.DataFrame, start_key: int, months: int) -> Grid:
    """Place the journal rows of ``families`` into dense family x month arrays."""
    index = pd.Index(families["family_id"].to_numpy(dtype="int64"))
    n = len(index)
    first_col = _first_columns(families, start_key)
    positions, rows, cols = _journal_cells(journals, index, first_col, start_key, months)
    reported = np.zeros((n, months), dtype=bool)
    reported[rows, cols] = True
    n_absurd = np.zeros(n, dtype="int64")
    values: dict[str, FloatArray] = {}
    for metric in METRICS:
        raw = _to_float(journals[metric])[positions]
        low, high = SANE_BOUNDS[metric]
        absurd = ~np.isnan(raw) & ~((raw >= low) & (raw <= high))
        raw[absurd] = np.nan
        n_absurd += np.bincount(rows[absurd], minlength=n)
        grid = np.full((n, months), np.nan)
        grid[rows, cols] = raw
        values[metric] = grid
    return Grid(values=values, reported=reported, n_absurd=n_absurd)


# --- array features ---------------------------------------------------------------------------


def ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Divide element-wise, NaN where the denominator is 0 or the result is not finite."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(numerator, dtype="float64") / np.asarray(denominator, dtype="float64")
    out[~np.isfinite(out)] = np.nan
    return out


def window_mean(grid: FloatArray, k: int) -> FloatArray:
    """Return the mean of the known values in the last ``k`` columns, NaN if none."""
    tail = grid[:, -k:]
    known = ~np.isnan(tail)
    return ratio(np.where(known, tail, 0.0).sum(axis=1), known.sum(axis=1).astype("float64"))


def window_slope(grid: FloatArray, k: int = SLOPE_MONTHS) -> FloatArray:
    """Return each row's least-squares slope (per column) over its known last ``k`` values."""
    y = grid[:, -k:]
    known = ~np.isnan(y)
    n = known.sum(axis=1).astype("float64")
    x = np.broadcast_to(np.arange(k, dtype="float64"), y.shape)
    x_mean = ratio(np.where(known, x, 0.0).sum(axis=1), n)
    y_mean = ratio(np.where(known, y, 0.0).sum(axis=1), n)
    dx = np.where(known, x - x_mean[:, None], 0.0)
    dy = np.where(known, y - y_mean[:, None], 0.0)
    slope = ratio((dx * dy).sum(axis=1), (dx * dx).sum(axis=1))
    slope[n < SLOPE_MIN_POINTS] = np.nan
    return slope


def trailing_run(reported: BoolArray) -> IntArray:
    """Return the number of consecutive True values at the end of each row."""
    flipped = ~reported[:, ::-1]
    first_gap = np.argmax(flipped, axis=1)
    return np.where(flipped.any(axis=1), first_gap, reported.shape[1]).astype("int64")


def streak(reported: BoolArray) -> IntArray:
    """Return the reporting streak ending at the last column, or one column earlier."""
    if reported.shape[1] < 2:
        return trailing_run(reported)
    return np.where(reported[:, -1], trailing_run(reported), trailing_run(reported[:, :-1]))


def paired_rate(numerator: FloatArray, denominator: FloatArray, k: int) -> FloatArray:
    """Return sum(numerator) / sum(denominator) over the last ``k`` columns where both are known."""
    num, den = numerator[:, -k:], denominator[:, -k:]
    both = ~np.isnan(num) & ~np.isnan(den)
    return ratio(np.where(both, num, 0.0).sum(axis=1), np.where(both, den, 0.0).sum(axis=1))


# --- goals and help ---------------------------------------------------------------------------


def _count_by(index: pd.Index, ids: pd.Series, weights: FloatArray | None = None) -> FloatArray:
    rows = index.get_indexer(ids)
    hit = rows >= 0
    w = None if weights is None else np.nan_to_num(weights[hit], nan=0.0)
    return np.bincount(rows[hit], weights=w, minlength=len(index)).astype("float64")


def goal_counts(goals: pd.DataFrame, index: pd.Index) -> dict[str, IntArray]:
    """Count each family's active and achieved goals."""
    status = goals["status"].astype("string")
    out: dict[str, IntArray] = {}
    for name in ("active", "achieved"):
        with_status = goals["family_id"][status.eq(name).fillna(False)]
        out[f"goals_{name}"] = _count_by(index, with_status).astype("int64")
    return out


def recent_confirmed_help(help_: pd.DataFrame, last_key: int, k: int = 12) -> pd.DataFrame:
    """Return the confirmed help exchanges of the ``k`` months ending at ``last_key``."""
    keys = month_keys(help_["period"])
    confirmed = help_["confirmed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return help_[confirmed & (keys > last_key - k) & (keys <= last_key)]


def help_totals(help_: pd.DataFrame, index: pd.Index, last_key: int) -> dict[str, Any]:
    """Sum hours, count and amount of help given and received per family."""
    recent = recent_confirmed_help(help_, last_key)
    hours, amount = _to_float(recent["hours"]), _to_float(recent["amount"])
    out: dict[str, Any] = {}
    for side, column in (("given", "giver_id"), ("received", "receiver_id")):
        out[f"help_{side}_hours"] = _count_by(index, recent[column], hours)
        out[f"help_{side}_count"] = _count_by(index, recent[column]).astype("int64")
        out[f"help_{side}_value"] = _count_by(index, recent[column], amount)
    return out


# --- family features --------------------------------------------------------------------------


def _baselines(families: pd.DataFrame) -> dict[str, FloatArray]:
    # The Family model calls it baseline_monthly_income; accept either name.
    income = "baseline_income" if "baseline_income" in families else "baseline_monthly_income"
    return {
        "income": _to_float(families[income]),
        "savings": _to_float(families["baseline_savings"]),
        "debt": _to_float(families["baseline_debt"]),
    }


def _money_features(grid: Grid) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    for metric in ("income", "savings", "debt"):
        out[f"{metric}_3m"] = window_mean(grid.values[metric], 3)
        out[f"{metric}_12m"] = window_mean(grid.values[metric], 12)
    income, deposited = grid.values["income"], grid.values["savings_deposited"]
    out["income_slope_12m"] = window_slope(income)
    out["savings_rate"] = paired_rate(deposited, income, 12)
    out["debt_to_income"] = ratio(out["debt_3m"], out["income_3m"])
    return out


def _change_features(
    money: dict[str, FloatArray], baseline: dict[str, FloatArray]
) -> dict[str, FloatArray]:
    income_change = money["income_3m"] - baseline["income"]
    return {
        "income_change": income_change,
        "income_change_pct": 100.0 * ratio(income_change, baseline["income"]),
        "savings_change": money["savings_3m"] - baseline["savings"],
        "debt_change": money["debt_3m"] - baseline["debt"],
    }


def _reporting_features(grid: Grid) -> dict[str, Any]:
    months_reported = grid.reported.sum(axis=1).astype("int64")
    return {
        "months_reported": months_reported,
        "consecutive_months": streak(grid.reported),
        "last_period_reported": grid.reported[:, -1].copy(),
        "n_absurd": grid.n_absurd,
        "single_month": months_reported == 1,
    }


def family_features(
    journals: pd.DataFrame,
    families: pd.DataFrame,
    goals: pd.DataFrame,
    help: pd.DataFrame,
    last_period: date | pd.Timestamp,
    months: int = 36,
) -> pd.DataFrame:
    """Return one row of features per family of ``families``, as of ``last_period``."""
    if months < SLOPE_MONTHS:
        raise ValueError(f"months must be at least {SLOPE_MONTHS}, got {months}")
    last_key = _month_key(last_period)
    grid = build_grid(journals, families, last_key - months + 1, months)
    index = pd.Index(families["family_id"].to_numpy(dtype="int64"))
    money = _money_features(grid)
    columns: dict[str, Any] = {
        "family_id": index.to_numpy(),
        "group_id": families["group_id"].astype("Int64").reset_index(drop=True),
        **_reporting_features(grid),
        **money,
        **_change_features(money, _baselines(families)),
        **goal_counts(goals, index),
        **help_totals(help, index, last_key),
    }
    return pd.DataFrame(columns)[FAMILY_COLUMNS]


# --- group features ---------------------------------------------------------------------------


def _help_within_groups(
    family_frame: pd.DataFrame, help_: pd.DataFrame, last_key: int
) -> pd.DataFrame:
    recent = recent_confirmed_help(help_, last_key)
    group_of = pd.Series(
        family_frame["group_id"].astype("Int64").to_numpy(),
        index=family_frame["family_id"].to_numpy(dtype="int64"),
    )
    giver_group = recent["giver_id"].astype("Int64").map(group_of).astype("Int64")
    receiver_group = recent["receiver_id"].astype("Int64").map(group_of).astype("Int64")
    inside = (giver_group == receiver_group).fillna(False).to_numpy(dtype=bool)
    within = pd.DataFrame(
        {"group_id": giver_group[inside].to_numpy(), "hours": _to_float(recent["hours"])[inside]}
    )
    return within.groupby("group_id").agg(
        help_hours_within_group=("hours", "sum"), help_count_within_group=("hours", "size")
    )


def group_features(
    family_frame: pd.DataFrame,
    help: pd.DataFrame,
    last_period: date | pd.Timestamp,
) -> pd.DataFrame:
    """Return one row per group of the families in ``family_frame``, as of ``last_period``.

    Pass the family features of the whole organization (all chunks concatenated), so that
    help between two families of a group is seen even if they were computed apart.
    """
    grouped = family_frame[family_frame["group_id"].notna()].groupby("group_id")
    frame = grouped.agg(
        families=("family_id", "size"),
        share_reporting=("last_period_reported", "mean"),
        median_income_3m=("income_3m", "median"),
        median_savings_3m=("savings_3m", "median"),
        median_debt_3m=("debt_3m", "median"),
        median_income_change_pct=("income_change_pct", "median"),
    )
    within = _help_within_groups(family_frame, help, _month_key(last_period))
    frame = frame.join(within, how="left")
    frame["help_hours_within_group"] = frame["help_hours_within_group"].fillna(0.0)
    frame["help_count_within_group"] = frame["help_count_within_group"].fillna(0).astype("int64")
    frame = frame.reset_index()
    frame["group_id"] = frame["group_id"].astype("Int64")
    frame["share_reporting"] = frame["share_reporting"].astype("float64")
    return frame[GROUP_COLUMNS]
