"""Readiness rules evaluated on snapshot frames: pure functions, no database and no Django ORM.

``evaluate`` checks every criterion of one program against every row of a frame at once
(numpy per criterion; the loop is over the program's few criteria, never over families).

Definitions:

- A criterion is *met* when the row's value compares true with the threshold. A missing value
  (NaN, None, pd.NA) never meets a criterion, whatever the operator: not knowing is not
  qualifying. Its evidence value is ``None``.
- ``==`` and ``!=`` compare with a tolerance of 1e-9, so 1.0 computed from floats equals 1.
- ``all_met``: every criterion is met. A program without criteria qualifies nobody.
- ``score``, 0 to 100: the mean over the criteria of a strength, times 100. A criterion that is
  not met has strength 0. A met ``==`` or ``!=`` has strength 1. A met ``>=``, ``>``, ``<=``
  or ``<`` has strength ``0.5 + 0.5 * min(distance / scale, 1)``, where ``distance`` is how far
  the value is past the threshold in the criterion's direction and ``scale`` is the metric's
  "comfortably past" amount (``capital.metrics``): half for meeting it, half for the margin.
  So a subject that meets every criterion scores between 50 (just at every threshold) and
  100 (comfortably past all of them), and the staff queue can be sorted by it.
- ``evidence``: per row, one dict per criterion, in the rules' order:
  ``{metric, label, operator, threshold, value, met}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

EQUALITY_TOLERANCE = 1e-9

RESULT_COLUMNS = ["all_met", "met_count", "score", "evidence"]


def _close(values: FloatArray, threshold: float) -> BoolArray:
    return np.isclose(values, threshold, rtol=0.0, atol=EQUALITY_TOLERANCE)


OPERATORS: dict[str, Callable[[FloatArray, float], BoolArray]] = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
    "==": _close,
    "!=": lambda v, t: ~_close(v, t),
}

# +1: larger values are further past the threshold; -1: smaller ones; 0: no notion of "further".
DIRECTION = {">=": 1.0, ">": 1.0, "<=": -1.0, "<": -1.0, "==": 0.0, "!=": 0.0}


@dataclass(frozen=True)
class RuleSpec:
    """One criterion: a metric compared with a threshold."""

    metric: str
    operator: str
    threshold: float
    label: str = ""
    scale: float = 1.0

    def __post_init__(self) -> None:
        # Frozen, so set through object: a threshold given as 6 is stored and shown as 6.0.
        object.__setattr__(self, "threshold", float(self.threshold))
        if self.operator not in OPERATORS:
            raise ValueError(f"Unknown operator {self.operator!r}.")
        if not np.isfinite(self.threshold):
            raise ValueError(f"The threshold of {self.metric} must be a finite number.")
        if not self.scale > 0:
            raise ValueError(f"The scale of {self.metric} must be positive.")


def column_values(frame: pd.DataFrame, metric: str) -> FloatArray:
    """Return a metric column as float64, NaN where missing; booleans become 0 and 1."""
    if metric not in frame.columns:
        # A missing column is a mismatch between insights and capital, not a missing value:
        # treating it as NaN would quietly expire every flag of the program.
        raise KeyError(f"The snapshot frame has no column {metric!r}.")
    numeric = pd.to_numeric(frame[metric], errors="coerce")
    # A copy: the cleaning below must not write into the caller's frame.
    values = numeric.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    values[~np.isfinite(values)] = np.nan
    return values


def criterion_met(rule: RuleSpec, values: FloatArray) -> BoolArray:
    """Return, per row, whether the value meets the criterion; never for a missing value."""
    with np.errstate(invalid="ignore"):
        return OPERATORS[rule.operator](values, rule.threshold) & ~np.isnan(values)


def criterion_strength(rule: RuleSpec, values: FloatArray, met: BoolArray) -> FloatArray:
    """Return, per row, the criterion's contribution to the score, from 0 to 1."""
    direction = DIRECTION[rule.operator]
    if direction == 0.0:
        return met.astype("float64")
    distance = np.nan_to_num(direction * (values - rule.threshold), nan=0.0)
    margin = np.clip(distance / rule.scale, 0.0, 1.0)
    return np.where(met, 0.5 + 0.5 * margin, 0.0)


def _evidence_column(rule: RuleSpec, values: FloatArray, met: BoolArray) -> list[dict[str, Any]]:
    """Return one criterion's evidence item for every row."""
    # Plain Python floats and bools: the items go to JSON, and numpy scalars are slow here.
    seen = values.astype(object)
    seen[np.isnan(values)] = None
    return [
        {
            "metric": rule.metric,
            "label": rule.label,
            "operator": rule.operator,
            "threshold": rule.threshold,
            "value": v,
            "met": m,
        }
        for v, m in zip(seen.tolist(), met.tolist(), strict=True)
    ]


def evidence_rows(
    rules: list[RuleSpec], values: list[FloatArray], mets: list[BoolArray]
) -> list[list[dict[str, Any]]]:
    """Return, per row, the evidence list of every criterion with the value seen."""
    columns = [
        _evidence_column(rule, vals, met)
        for rule, vals, met in zip(rules, values, mets, strict=True)
    ]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _empty_result(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    n = len(frame)
    return pd.DataFrame(
        {
            id_column: frame[id_column].to_numpy(),
            "all_met": np.zeros(n, dtype=bool),
            "met_count": np.zeros(n, dtype="int64"),
            "score": np.zeros(n, dtype="float64"),
            "evidence": [[] for _ in range(n)],
        }
    )


def evaluate(rules: list[RuleSpec], frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Return, per row of ``frame``, whether every rule holds, a 0-100 score and the evidence."""
    if not rules:
        return _empty_result(frame, id_column)
    values = [column_values(frame, rule.metric) for rule in rules]
    mets = [criterion_met(rule, v) for rule, v in zip(rules, values, strict=True)]
    strengths = [
        criterion_strength(rule, v, m) for rule, v, m in zip(rules, values, mets, strict=True)
    ]
    met_matrix = np.vstack(mets)
    return pd.DataFrame(
        {
            id_column: frame[id_column].to_numpy(),
            "all_met": met_matrix.all(axis=0),
            "met_count": met_matrix.sum(axis=0).astype("int64"),
            "score": 100.0 * np.vstack(strengths).mean(axis=0),
            "evidence": evidence_rows(rules, values, mets),
        }
    )
