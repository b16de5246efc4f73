"""Reads of journal data for one screen, each with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.db.models import Q

from families.models import Family, Group
from fii.models import Organization
from fii.sql import Table, fetch_rows, select, split

from .catalog import BUILTIN_CODES
from .models import (
    OPEN_GOAL_STATUSES,
    EntryStatus,
    Goal,
    HelpExchange,
    Indicator,
    JournalEntry,
)

# Each process's copy of every organization's active indicators: organization id ->
# (catalog version, indicators). The journal pages read them on every request; they change a
# few times a year, and every change moves Organization.catalog_version on (signals.py).
_ACTIVE_INDICATORS: dict[int, tuple[int, tuple[Indicator, ...]]] = {}


def active_indicators(organization: Organization) -> list[Indicator]:
    """Return the organization's active indicators, read again only when they have changed.

    The version is the one of `organization` as the request read it (with the membership,
    no query of its own); the indicators must be treated as read-only.
    """
    version = organization.catalog_version
    held = _ACTIVE_INDICATORS.get(organization.pk)
    if held is not None and held[0] == version:
        return list(held[1])
    indicators = tuple(Indicator.objects.for_org(organization).active())
    _ACTIVE_INDICATORS[organization.pk] = (version, indicators)
    return list(indicators)


def forget_indicators() -> None:
    """Drop this process's copies (tests: a rolled-back database reuses ids)."""
    _ACTIVE_INDICATORS.clear()


@dataclass
class FamilyReport:
    family: Family
    status: str  # "submitted", "draft" or "missing"


@dataclass
class GroupReport:
    group: Group | None
    families: list[FamilyReport] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for f in self.families if f.status == EntryStatus.SUBMITTED)


def reporting_status(*, organization: Organization, period: date) -> list[GroupReport]:
    """Return the active families, by group, with their journal status for one month."""
    families = (
        Family.objects.for_org(organization)
        .active()
        .select_related("group")
        .order_by("group__name", "name")
    )
    statuses = dict(
        JournalEntry.objects.for_org(organization)
        .in_period(period)
        .values_list("family_id", "status")
    )
    groups: dict[int | None, GroupReport] = {}
    for family in families:
        report = groups.setdefault(family.group_id, GroupReport(group=family.group))
        report.families.append(FamilyReport(family, statuses.get(family.pk, "missing")))
    return sorted(groups.values(), key=lambda g: (g.group is None, g.group.name if g.group else ""))


@cache
def _month_query() -> tuple[Table[JournalEntry], str]:
    entries = Table(JournalEntry, "e")
    column = entries.column
    where = (
        f"{column('organization')} = %s AND {column('family')} = %s"
        f" AND ({column('period')} = %s"
        f" OR ({column('period')} < %s AND {column('status')} = %s))"
    )
    return entries, select(entries, where=where, order_by=f"{column('period')} DESC", limit=2)


def journal_month_entries(
    *, organization: Organization, family: Family, period: date
) -> tuple[JournalEntry | None, JournalEntry | None]:
    """Return the month's entry and the last submitted one before it, in one query.

    The month sorts first when it exists, since no later month is read. Every journal
    request reads it, so the query is written by hand (fii.sql).
    """
    entries, sql = _month_query()
    when = entries.value("period", period)
    params = [organization.pk, family.pk, when, when, EntryStatus.SUBMITTED.value]
    rows = entries.fetch(sql, params)
    entry = rows.pop(0) if rows and rows[0].period == period else None
    return entry, rows[0] if rows else None


@cache
def _recent_query() -> tuple[Table[JournalEntry], str]:
    entries = Table(JournalEntry, "e")
    where = f"{entries.column('organization')} = %s AND {entries.column('family')} = %s"
    return entries, select(entries, where=where, order_by=entries.order("-period"), limit="%s")


def recent_entries(
    *, organization: Organization, family: Family, months: int = 12
) -> list[JournalEntry]:
    """Return the family's latest entries, newest first (the family's home: by hand, fii.sql)."""
    entries, sql = _recent_query()
    return entries.fetch(sql, [organization.pk, family.pk, months])


@cache
def _goals_query(open_only: bool) -> tuple[Table[Goal], str]:
    goals = Table(Goal, "g")
    where = f"{goals.column('organization')} = %s AND {goals.column('family')} = %s"
    if open_only:
        where += f" AND {goals.column('status')} IN (%s, %s)"
    return goals, select(goals, where=where, order_by=goals.order())


def goals_for(*, organization: Organization, family: Family, open_only: bool = False) -> list[Goal]:
    """Return the family's goals, or only those still open, in the goals' own order.

    The family's home and journal read them on every visit: by hand (fii.sql).
    """
    goals, sql = _goals_query(open_only)
    params: list[Any] = [organization.pk, family.pk]
    if open_only:
        params += [status.value for status in OPEN_GOAL_STATUSES]
    return goals.fetch(sql, params)


@cache
def _help_query(period: bool, families: int, limited: bool) -> tuple[tuple[Table[Any], ...], str]:
    """The help given or received by any of `families` families (their ids are parameters)."""
    helps = Table(HelpExchange, "h")
    givers, receivers = Table(Family, "gv"), Table(Family, "rc")
    joins = (
        f"LEFT OUTER JOIN {givers.name} ON {givers.column('id')} = {helps.column('giver')}"
        f" LEFT OUTER JOIN {receivers.name}"
        f" ON {receivers.column('id')} = {helps.column('receiver')}"
    )
    ids = ", ".join(["%s"] * families)
    # By the exchange's own columns (indexed), never by the families' groups after the joins:
    # that would join every exchange of the organization before keeping a group's.
    where = (
        f"{helps.column('organization')} = %s"
        f" AND ({helps.column('giver')} IN ({ids}) OR {helps.column('receiver')} IN ({ids}))"
    )
    if period:
        where += f" AND {helps.column('period')} = %s"
    tables = (helps, givers, receivers)
    limit = "%s" if limited else None
    return tables, select(*tables, joins=joins, where=where, order_by=helps.order(), limit=limit)


def help_rows_for(
    *,
    organization: Organization,
    family: Family | None = None,
    group_id: int | None = None,
    period: date | None = None,
    limit: int | None = None,
) -> list[HelpExchange]:
    """Return the help a family (or any family of a group) gave or got, newest first.

    Each exchange comes with its giver and receiver, as select_related would give them. The
    journal and the flag review show it on every visit: one query written by hand (fii.sql);
    for a group, after the group's families are read.
    """
    if (family is None) == (group_id is None):
        raise ValueError("Give a family or a group, not both.")
    if family is not None:
        families = [family.pk]
    else:
        assert group_id is not None
        families = list(
            Family.objects.for_org(organization)
            .filter(group_id=group_id)
            .values_list("pk", flat=True)
        )
    if not families:
        return []
    tables, sql = _help_query(period is not None, len(families), limit is not None)
    params: list[Any] = [organization.pk, *families, *families]
    if period is not None:
        params.append(tables[0].value("period", period))
    if limit is not None:
        params.append(limit)
    rows = []
    for row in fetch_rows(tables[0].db, sql, params):
        exchange, giver, receiver = split(row, *tables)
        HelpExchange.giver.field.set_cached_value(exchange, giver)
        HelpExchange.receiver.field.set_cached_value(exchange, receiver)
        rows.append(exchange)
    return rows


def family_data_export(*, organization: Organization, family: Family) -> dict[str, Any]:
    """Return everything held about one family, as plain data."""
    from families.models import Consent, FamilyMember

    from .models import GoalUpdate, JournalRevision, Stipend

    def rows(qs: Any, *fields: str) -> list[dict[str, Any]]:
        return [dict(r) for r in qs.values(*fields)]

    scoped = {"organization": organization}
    entry_fields = ["period", "status", "submitted_at", "extra", *BUILTIN_CODES]
    return {
        "family": {
            "name": family.name,
            "group": family.group.name if family.group else None,
            "joined_on": family.joined_on,
            "household_size": family.household_size,
            "baseline_monthly_income": family.baseline_monthly_income,
            "baseline_savings": family.baseline_savings,
            "baseline_debt": family.baseline_debt,
            "reminders_enabled": family.reminders_enabled,
        },
        "members": rows(
            FamilyMember.objects.filter(**scoped, family=family),
            "first_name",
            "is_adult",
            "birth_year",
            "school",
        ),
        "consents": rows(
            Consent.objects.filter(**scoped, family=family),
            "kind",
            "text_version",
            "granted_at",
            "revoked_at",
        ),
        "journals": rows(
            JournalEntry.objects.filter(**scoped, family=family).order_by("period"), *entry_fields
        ),
        "journal_corrections": rows(
            JournalRevision.objects.filter(**scoped, entry__family=family),
            "entry__period",
            "values",
            "changed_at",
        ),
        "goals": rows(
            Goal.objects.filter(**scoped, family=family),
            "id",
            "title",
            "domain",
            "success_looks_like",
            "target_amount",
            "target_date",
            "priority",
            "status",
            "created_at",
            "achieved_at",
        ),
        "goal_updates": rows(
            GoalUpdate.objects.filter(**scoped, goal__family=family),
            "goal_id",
            "period",
            "note",
            "amount_so_far",
            "percent_done",
            "created_at",
        ),
        "help": rows(
            HelpExchange.objects.filter(**scoped).filter(Q(giver=family) | Q(receiver=family)),
            "period",
            "giver__name",
            "receiver__name",
            "kind",
            "hours",
            "amount",
            "note",
            "confirmed_at",
        ),
        "stipends": rows(
            Stipend.objects.filter(**scoped, family=family), "period", "amount", "status", "paid_at"
        ),
    }


@dataclass(frozen=True)
class GroupComparison:
    families: int
    median_income: float | None
    period: date | None


def group_comparison(*, organization: Organization, family: Family) -> GroupComparison | None:
    """Return the group's median income in its latest month, hiding it below the cell size."""
    if family.group_id is None:
        return None
    peers = Family.objects.for_org(organization).counted().filter(group_id=family.group_id)
    size = peers.count()
    if size < organization.min_cell_size:
        return GroupComparison(size, None, None)
    entries = JournalEntry.objects.for_org(organization).submitted().filter(family__in=peers)
    latest = entries.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return GroupComparison(size, None, None)
    incomes = sorted(
        income for e in entries.filter(period=latest) if (income := e.total_income) is not None
    )
    if len(incomes) < organization.min_cell_size:
        return GroupComparison(size, None, latest)
    mid = len(incomes) // 2
    median = incomes[mid] if len(incomes) % 2 else (incomes[mid - 1] + incomes[mid]) / 2
    return GroupComparison(size, median, latest)
