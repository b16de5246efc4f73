"""One flag under review: evidence, trajectory, standing, history; and questions asked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any

from django.db.models import Q, QuerySet, Subquery

from families.models import Family, Group
from fii.models import Organization
from insights.models import FamilySnapshot, GroupSnapshot
from insights.selectors import latest_run
from journals.catalog import INCOME_COLUMNS
from journals.charts import MonthPoint, money_figure
from journals.models import Goal, HelpExchange, JournalEntry
from journals.selectors import help_rows_for

from ..metrics import METRICS, OPERATOR_WORDS, Subject, format_value
from ..models import Decision, Flag, FlagStatus, Program, ProgramKind, Review
from .budgets import ProgramBudget, program_budget


@dataclass(frozen=True)
class EvidenceLine:
    label: str
    threshold_text: str
    value_text: str
    met: bool


def evidence_lines(flag: Flag) -> list[EvidenceLine]:
    """Return the flag's stored evidence, every value written as people read it."""
    currency = flag.program.currency
    lines = []
    for item in flag.evidence if isinstance(flag.evidence, list) else []:
        if not isinstance(item, dict):
            continue
        metric = METRICS.get(str(item.get("metric")))
        operator = str(item.get("operator", ""))
        words = str(OPERATOR_WORDS.get(operator, operator))
        threshold, value = (
            _number_or_none(item.get("threshold")),
            _number_or_none(item.get("value")),
        )
        if metric is not None:
            threshold_text = f"{words} {format_value(metric, threshold, currency)}"
            value_text = format_value(metric, value, currency)
        else:
            threshold_text = f"{words} {'—' if threshold is None else threshold}"
            value_text = "—" if value is None else str(value)
        label = str(item.get("label") or (metric.label if metric else item.get("metric", "")))
        lines.append(EvidenceLine(label, threshold_text, value_text, bool(item.get("met"))))
    return lines


def _number_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Standing:
    """Where the subject stood on the latest nightly run."""

    as_of: date | None
    growth_percentile: float | None = None
    margin: float | None = None
    peer_group: str = ""
    peer_size: int | None = None
    is_positive_deviant: bool | None = None
    group_snapshot: GroupSnapshot | None = None


@dataclass(frozen=True)
class FlagReview:
    flag: Flag
    evidence: list[EvidenceLine]
    points: list[MonthPoint]
    goals: list[Goal]
    help_rows: list[HelpExchange]
    standing: Standing | None
    history: list[Review]
    open_question: Review | None
    budget: ProgramBudget
    is_loan: bool

    @property
    def chart(self) -> dict[str, Any] | None:
        """Return the trajectory as a figure, or None without points."""
        return money_figure(self.points, self.flag.program.currency) if self.points else None


def flag_for_review(*, organization: Organization, flag_id: int) -> Flag:
    """Return the organization's flag with its program and subject; raise Flag.DoesNotExist."""
    return Flag.objects.for_org(organization).with_subject().get(pk=flag_id)


def _month_points(rows: list[tuple[Any, ...]]) -> list[MonthPoint]:
    """Return one point per month: the median income, savings and debt of the rows given.

    Each row is (period, savings, debt, income column...); a family's income is the sum of
    the columns it answered.
    """
    by_month: dict[date, list[list[float]]] = {}
    for period, savings, debt, *incomes in rows:
        known = [v for v in incomes if v is not None]
        values = by_month.setdefault(period, [[], [], []])
        for bucket, value in zip(
            values, (sum(known) if known else None, savings, debt), strict=True
        ):
            if value is not None:
                bucket.append(value)
    return [
        MonthPoint(period, *(median(b) if b else None for b in values))
        for period, values in sorted(by_month.items())
    ]


def trajectory_points(
    *, organization: Organization, family: Family | None = None, group: Group | None = None
) -> list[MonthPoint]:
    """Return the family's last 24 submitted months, or the group's median over them."""
    entries = JournalEntry.objects.for_org(organization).submitted()
    if family is not None:
        entries = entries.filter(family=family)
    else:
        entries = entries.filter(family__group=group, family__archived_at__isnull=True)
    columns = ("period", "savings_balance", "debt_total", *INCOME_COLUMNS)
    # One query: the rows of the last 24 months that have any (a subquery picks them).
    months = entries.order_by("-period").values("period").distinct()[:24]
    rows = list(entries.filter(period__in=Subquery(months)).values_list(*columns))
    return _month_points(rows)


STANDING_FIELDS = ("growth_percentile", "margin", "peer_group", "peer_size", "is_positive_deviant")


def subject_standing(*, organization: Organization, flag: Flag) -> Standing | None:
    """Return where the flag's subject stood on the latest succeeded run, or None before any."""
    run = latest_run(organization=organization)
    if run is None:
        return None
    if flag.family_id is not None:
        snapshots = FamilySnapshot.objects.for_org(organization).filter(
            run=run, family_id=flag.family_id
        )
        values = snapshots.values(*STANDING_FIELDS).first()
        return Standing(as_of=run.as_of, **(values or {}))
    if flag.group_id is not None:
        snapshot = (
            GroupSnapshot.objects.for_org(organization)
            .filter(run=run, group_id=flag.group_id)
            .first()
        )
        return Standing(as_of=run.as_of, group_snapshot=snapshot)
    return Standing(as_of=run.as_of)


def subject_goals(*, organization: Organization, flag: Flag, limit: int = 30) -> list[Goal]:
    """Return the subject's goals (a group's: its families'), each with its family."""
    if flag.family_id is not None:
        subject = Q(family_id=flag.family_id)
    else:
        subject = Q(family__group_id=flag.group_id)
    goals = Goal.objects.for_org(organization).filter(subject).select_related("family")
    return list(goals[:limit])


def _help_rows(organization: Organization, flag: Flag) -> list[HelpExchange]:
    if flag.family_id is not None:
        return help_rows_for(organization=organization, family=flag.family, limit=20)
    return help_rows_for(organization=organization, group_id=flag.group_id, limit=20)


def subject_history(*, organization: Organization, flag: Flag) -> list[Review]:
    """Return every decision on the subject's flags, in any program, newest first."""
    if flag.family_id is not None:
        subject = Q(flag__family_id=flag.family_id)
    else:
        subject = Q(flag__group_id=flag.group_id)
    reviews = Review.objects.for_org(organization).filter(subject)
    return list(reviews.select_related("reviewer", "flag__program"))


def is_loan_program(program: Program) -> bool:
    """A business-loan program for families lends money; every other program gives it."""
    return program.kind == ProgramKind.BUSINESS_LOAN and program.subject == Subject.FAMILY


def _trajectory(organization: Organization, flag: Flag) -> list[MonthPoint]:
    if flag.family_id is not None:
        return trajectory_points(organization=organization, family=flag.family)
    return trajectory_points(organization=organization, group=flag.group)


def _open_question(flag: Flag, history: list[Review]) -> Review | None:
    """Return the question on this flag that waits for the family, from the subject's history."""
    if flag.status != FlagStatus.ASKED:
        return None
    return next(
        (r for r in history if r.flag_id == flag.pk and r.decision == Decision.ASK_INFO), None
    )


def flag_review(*, organization: Organization, flag: Flag) -> FlagReview:
    """Return everything staff weigh before deciding on a flag (a fixed number of queries)."""
    points = _trajectory(organization, flag)
    history = subject_history(organization=organization, flag=flag)
    return FlagReview(
        flag=flag,
        evidence=evidence_lines(flag),
        points=points,
        goals=subject_goals(organization=organization, flag=flag),
        help_rows=_help_rows(organization, flag),
        standing=subject_standing(organization=organization, flag=flag),
        history=history,
        open_question=_open_question(flag, history),
        budget=program_budget(organization=organization, program_id=flag.program_id),
        is_loan=is_loan_program(flag.program),
    )


def review_log(*, organization: Organization) -> QuerySet[Review]:
    """Return every decision on every flag, newest first, with who decided and on what."""
    return Review.objects.for_org(organization).select_related(
        "reviewer", "flag__program", "flag__family", "flag__group"
    )


# --- questions to a family -----------------------------------------------------------------------


def open_questions_for(*, organization: Organization, family: Family) -> list[Review]:
    """Return the questions staff asked the family that still wait for its answer, oldest first."""
    questions = (
        Review.objects.for_org(organization)
        .unanswered_questions()
        .filter(flag__family=family, flag__status=FlagStatus.ASKED)
        .select_related("flag__program")
        .order_by("decided_at", "pk")
    )
    return list(questions)
