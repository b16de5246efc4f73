"""Reads of capital data for one screen, each with a fixed number of queries.

The family's checklist lives here; the staff console's reads are in the modules beside it
and are imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext

from families.models import Family
from fii.models import Organization
from insights.selectors import family_snapshot

from ..metrics import METRICS, Subject, Unit, format_value
from ..models import Flag, Program, ReadinessRule
from ..rules import evaluate
from .budgets import MONEY, ProgramBudget, program_budget, program_budgets, programs_with_money
from .ledger import (
    FamilyLedger,
    FamilyLoan,
    LoanLine,
    family_ledger,
    ledger_disbursements,
    loan_line,
    loans_with_repaid,
    repaid_total,
)
from .preview import RulePreview, rule_preview
from .queue import (
    ANY,
    LIVE,
    QUEUE_SORTS,
    QueueCounts,
    QueueFilters,
    queue_counts,
    queue_filter_options,
    queue_flags,
    queue_rows,
)
from .review import (
    EvidenceLine,
    FlagReview,
    Standing,
    evidence_lines,
    flag_for_review,
    flag_review,
    is_loan_program,
    open_questions_for,
    review_log,
    subject_goals,
    subject_history,
    subject_standing,
    trajectory_points,
)

__all__ = [
    "ANY",
    "LIVE",
    "MONEY",
    "QUEUE_SORTS",
    "Checklist",
    "CriterionLine",
    "EvidenceLine",
    "FamilyLedger",
    "FamilyLoan",
    "FlagReview",
    "LoanLine",
    "ProgramBudget",
    "ProgramChecklist",
    "QueueCounts",
    "QueueFilters",
    "RulePreview",
    "SnapshotValues",
    "Standing",
    "checklist_for",
    "evidence_lines",
    "family_ledger",
    "flag_for_review",
    "flag_review",
    "is_loan_program",
    "ledger_disbursements",
    "loan_line",
    "loans_with_repaid",
    "open_questions_for",
    "program_budget",
    "program_budgets",
    "programs_with_money",
    "queue_counts",
    "queue_filter_options",
    "queue_flags",
    "queue_rows",
    "repaid_total",
    "review_log",
    "rule_preview",
    "subject_goals",
    "subject_history",
    "subject_standing",
    "trajectory_points",
]


@dataclass(frozen=True)
class CriterionLine:
    """One criterion as a family reads it: what is asked, what we saw, met or not."""

    text: str
    value: float | None
    value_text: str
    seen_text: str
    met: bool


@dataclass(frozen=True)
class ProgramChecklist:
    program: Program
    criteria: list[CriterionLine]
    flag: Flag | None

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def percent(self) -> int:
        return round(100 * self.met_count / self.total) if self.total else 0


@dataclass(frozen=True)
class Checklist:
    programs: list[ProgramChecklist]
    as_of: date | None
    has_snapshot: bool


@dataclass(frozen=True)
class SnapshotValues:
    as_of: date | None
    values: dict[str, Any]


def _latest_snapshot(*, organization: Organization, family: Family) -> SnapshotValues | None:
    """Return the family's metrics on the latest succeeded run, or None before any run."""
    snapshot = family_snapshot(organization=organization, family=family)
    if snapshot is None:
        return None
    values = {name: getattr(snapshot, name, None) for name in METRICS}
    return SnapshotValues(as_of=snapshot.run.as_of, values=values)


def _one_row_frame(family: Family, rules: list[ReadinessRule], values: dict[str, Any]) -> Any:
    """Return a one-row frame of the family's values for the metrics the rules test."""
    row: dict[str, Any] = {"family_id": [family.pk]}
    for rule in rules:
        value = values.get(rule.metric)
        row[rule.metric] = [np.nan if value is None else value]
    return pd.DataFrame(row)


def _program_lines(
    program: Program, family: Family, values: dict[str, Any] | None
) -> list[CriterionLine]:
    """Return the program's criteria, each checked against the family's values."""
    rules = list(program.rules.all())
    if not rules:
        return []
    frame = _one_row_frame(family, rules, values or {})
    evidence = evaluate([r.spec() for r in rules], frame, "family_id")["evidence"].iloc[0]
    return [_line(rule, item, program.currency) for rule, item in zip(rules, evidence, strict=True)]


def _line(rule: ReadinessRule, item: dict[str, Any], currency: str) -> CriterionLine:
    metric = METRICS[rule.metric]
    value_text = format_value(metric, item["value"], currency)
    # "you have yes" reads badly: a yes/no answer stands on its own.
    if metric.unit == Unit.YESNO:
        seen = value_text
    else:
        seen = gettext("you have %(value)s") % {"value": value_text}
    return CriterionLine(
        text=rule.plain_text(currency),
        value=item["value"],
        value_text=value_text,
        seen_text=seen,
        met=item["met"],
    )


def checklist_for(*, organization: Organization, family: Family) -> Checklist:
    """Return every active family program with the family's progress on each criterion."""
    programs = (
        Program.objects.for_org(organization)
        .active()
        .filter(subject=Subject.FAMILY)
        .prefetch_related("rules")
    )
    flags = {
        flag.program_id: flag
        for flag in Flag.objects.for_org(organization).live().filter(family=family)
    }
    snapshot = _latest_snapshot(organization=organization, family=family)
    values = snapshot.values if snapshot else None
    return Checklist(
        programs=[
            ProgramChecklist(p, _program_lines(p, family, values), flags.get(p.pk))
            for p in programs
        ],
        as_of=snapshot.as_of if snapshot else None,
        has_snapshot=snapshot is not None,
    )
