"""One flag under review: evidence, trajectory, standing, history; and questions asked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from statistics import median
from typing import Any

from django.db.models import QuerySet, Subquery

from families.models import Family, Group
from fii.models import Organization
from fii.sql import Table, fetch_rows, select, split
from insights.models import AggregationRun, FamilySnapshot, GroupSnapshot, RunStatus
from journals.catalog import INCOME_COLUMNS
from journals.charts import MonthPoint, money_figure
from journals.models import Goal, HelpExchange, JournalEntry
from journals.selectors import help_rows_for

from ..metrics import METRICS, OPERATOR_WORDS, Subject, format_value
from ..models import (
    Decision,
    Flag,
    FlagStatus,
    Program,
    ProgramKind,
    Review,
)
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


@dataclass
class FlagReview:
    flag: Flag
    evidence: list[EvidenceLine]
    points: list[MonthPoint]
    goals: list[Any]
    help_rows: list[HelpExchange]
    standing: Standing | None
    history: list[Review]
    open_question: Review | None
    budget: ProgramBudget
    is_loan: bool

    @cached_property
    def chart(self) -> dict[str, Any] | None:
        """The trajectory as a figure, drawn when asked (the page keeps its HTML by points)."""
        return money_figure(self.points, self.flag.program.currency) if self.points else None

    @property
    def trajectory_key(self) -> tuple[Any, ...]:
        """What the trajectory's chart and table show: the page keeps their HTML by it."""
        return (tuple(self.points), self.flag.program.currency)


@cache
def _flag_query() -> tuple[tuple[Table[Any], ...], str]:
    flags, programs, families = Table(Flag, "f"), Table(Program, "p"), Table(Family, "fa")
    family_groups, groups = Table(Group, "fg"), Table(Group, "g")
    joins = (
        f"INNER JOIN {programs.name} ON {programs.column('id')} = {flags.column('program')}"
        f" LEFT OUTER JOIN {families.name} ON {families.column('id')} = {flags.column('family')}"
        f" LEFT OUTER JOIN {family_groups.name}"
        f" ON {family_groups.column('id')} = {families.column('group')}"
        f" LEFT OUTER JOIN {groups.name} ON {groups.column('id')} = {flags.column('group')}"
    )
    where = f"{flags.column('organization')} = %s AND {flags.column('id')} = %s"
    tables = (flags, programs, families, family_groups, groups)
    return tables, select(*tables, joins=joins, where=where)


def flag_for_review(*, organization: Organization, flag_id: int) -> Flag:
    """Return the organization's flag with its program and subject; raise Flag.DoesNotExist.

    The flag's page reads it on every view and decision: one join written by hand (fii.sql),
    the program, family, family's group and group attached as select_related would.
    """
    tables, sql = _flag_query()
    rows = fetch_rows(tables[0].db, sql, [organization.pk, flag_id])
    if not rows:
        raise Flag.DoesNotExist(f"No flag {flag_id} in {organization.slug}.")
    flag, program, family, family_group, group = split(rows[0], *tables)
    if family is not None:
        family.group = family_group
    flag.program, flag.family, flag.group = program, family, group
    return flag


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


def _subject(flag: Flag) -> tuple[bool, int | None]:
    """Return whether the flag is a family's, and the id of its family or group."""
    family = flag.family_id is not None
    return family, flag.family_id if family else flag.group_id


@cache
def _standing_query(family: bool) -> tuple[tuple[Table[Any], ...], str]:
    runs = Table(AggregationRun, "r")
    snaps = Table(FamilySnapshot if family else GroupSnapshot, "s")
    subject = "family" if family else "group"
    joins = (
        f"LEFT OUTER JOIN {snaps.name} ON {snaps.column('run')} = {runs.column('id')}"
        f" AND {snaps.column('organization')} = {runs.column('organization')}"
        f" AND {snaps.column(subject)} = %s"
    )
    where = f"{runs.column('organization')} = %s AND {runs.column('status')} = %s"
    sql = select(runs, snaps, joins=joins, where=where, order_by=runs.order("-as_of"), limit=1)
    return (runs, snaps), sql


def _standing(*, organization: Organization, flag: Flag) -> Standing | None:
    """Return where the subject stood on the latest run: the run and its snapshot, one query."""
    family, subject = _subject(flag)
    tables, sql = _standing_query(family)
    rows = fetch_rows(tables[0].db, sql, [subject, organization.pk, RunStatus.SUCCEEDED.value])
    if not rows:
        return None
    run, snap = split(rows[0], *tables)
    if not family:
        return Standing(as_of=run.as_of, group_snapshot=snap)
    if snap is None:
        return Standing(as_of=run.as_of)
    return Standing(
        as_of=run.as_of,
        growth_percentile=snap.growth_percentile,
        margin=snap.margin,
        peer_group=snap.peer_group,
        peer_size=snap.peer_size,
        is_positive_deviant=snap.is_positive_deviant,
    )


@cache
def _goals_query(family: bool) -> tuple[tuple[Table[Any], ...], str]:
    goals, families = Table(Goal, "g"), Table(Family, "fa")
    joins = f"INNER JOIN {families.name} ON {families.column('id')} = {goals.column('family')}"
    subject = goals.column("family") if family else families.column("group")
    where = f"{goals.column('organization')} = %s AND {subject} = %s"
    sql = select(goals, families, joins=joins, where=where, order_by=goals.order(), limit=30)
    return (goals, families), sql


def _goals(organization: Organization, flag: Flag) -> list[Goal]:
    """Return the subject's goals (a group's: its families'), each with its family (fii.sql)."""
    family, subject = _subject(flag)
    tables, sql = _goals_query(family)
    goals = []
    for row in fetch_rows(tables[0].db, sql, [organization.pk, subject]):
        goal, goal_family = split(row, *tables)
        goal.family = goal_family
        goals.append(goal)
    return goals


def _help_rows(organization: Organization, flag: Flag) -> list[HelpExchange]:
    if flag.family_id is not None:
        return help_rows_for(organization=organization, family=flag.family, limit=20)
    return help_rows_for(organization=organization, group_id=flag.group_id, limit=20)


@cache
def _history_query(family: bool) -> tuple[tuple[Table[Any], ...], str]:
    reviews, flags, programs = Table(Review, "r"), Table(Flag, "f"), Table(Program, "p")
    reviewers = Table(Review._meta.get_field("reviewer").related_model, "u")  # type: ignore[arg-type]
    joins = (
        f"INNER JOIN {flags.name} ON {flags.column('id')} = {reviews.column('flag')}"
        f" INNER JOIN {programs.name} ON {programs.column('id')} = {flags.column('program')}"
        f" LEFT OUTER JOIN {reviewers.name}"
        f" ON {reviewers.column('id')} = {reviews.column('reviewer')}"
    )
    subject = flags.column("family" if family else "group")
    where = f"{reviews.column('organization')} = %s AND {subject} = %s"
    order_by = reviews.order("-decided_at", "-id")  # Review's own ordering
    tables = (reviews, flags, programs, reviewers)
    return tables, select(*tables, joins=joins, where=where, order_by=order_by)


def subject_history(*, organization: Organization, flag: Flag) -> list[Review]:
    """Return every decision on the subject's flags, in any program, newest first.

    Each review comes with its reviewer and its flag's program, as select_related would give
    them: the flag page reads it on every visit, by hand (fii.sql).
    """
    family, subject = _subject(flag)
    tables, sql = _history_query(family)
    history = []
    for row in fetch_rows(tables[0].db, sql, [organization.pk, subject]):
        review, review_flag, program, reviewer = split(row, *tables)
        review_flag.program = program
        review.flag = review_flag
        review.reviewer = reviewer
        history.append(review)
    return history


def is_loan_program(program: Program) -> bool:
    """A business-loan program for families lends money; every other program gives it."""
    return program.kind == ProgramKind.BUSINESS_LOAN and program.subject == Subject.FAMILY


def flag_review(*, organization: Organization, flag: Flag) -> FlagReview:
    """Return everything staff weigh before deciding on a flag (a fixed number of queries)."""
    if flag.family_id is not None:
        points = trajectory_points(organization=organization, family=flag.family)
    else:
        points = trajectory_points(organization=organization, group=flag.group)
    history = subject_history(organization=organization, flag=flag)
    question = next(
        (r for r in history if r.flag_id == flag.pk and r.decision == Decision.ASK_INFO), None
    )
    return FlagReview(
        flag=flag,
        evidence=evidence_lines(flag),
        points=points,
        goals=_goals(organization, flag),
        help_rows=_help_rows(organization, flag),
        standing=_standing(organization=organization, flag=flag),
        history=history,
        open_question=question if flag.status == FlagStatus.ASKED else None,
        budget=program_budget(organization=organization, program_id=flag.program_id),
        is_loan=is_loan_program(flag.program),
    )


def review_log(*, organization: Organization) -> QuerySet[Review]:
    """Return every decision on every flag, newest first, with who decided and on what."""
    return Review.objects.for_org(organization).select_related(
        "reviewer", "flag__program", "flag__family", "flag__group"
    )


# --- questions to a family -----------------------------------------------------------------------


@cache
def _open_questions_query() -> tuple[tuple[Table[Any], ...], str]:
    reviews, flags, programs = Table(Review, "r"), Table(Flag, "f"), Table(Program, "p")
    joins = (
        f"INNER JOIN {flags.name} ON {flags.column('id')} = {reviews.column('flag')}"
        f" INNER JOIN {programs.name} ON {programs.column('id')} = {flags.column('program')}"
    )
    where = (
        f"{reviews.column('organization')} = %s AND {reviews.column('decision')} = %s"
        f" AND {reviews.column('answered_at')} IS NULL"
        f" AND {flags.column('family')} = %s AND {flags.column('status')} = %s"
    )
    order_by = reviews.order("decided_at", "id")
    return (reviews, flags, programs), select(
        reviews, flags, programs, joins=joins, where=where, order_by=order_by
    )


def open_questions_for(*, organization: Organization, family: Family) -> list[Review]:
    """Return the questions staff asked the family that still wait for its answer (one query).

    The family's home asks on every visit, so the query is written by hand (fii.sql); each
    review comes with its flag and the flag's program, as select_related would give them.
    """
    tables, sql = _open_questions_query()
    params = [organization.pk, Decision.ASK_INFO.value, family.pk, FlagStatus.ASKED.value]
    questions = []
    for row in fetch_rows(tables[0].db, sql, params):
        review, flag, program = split(row, *tables)
        flag.program = program
        review.flag = flag
        questions.append(review)
    return questions
