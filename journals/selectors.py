"""Reads of journal data for one screen, each with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache

from families.models import Family, Group
from fii.models import Organization

from .catalog import BUILTIN_CODES
from .models import EntryStatus, Goal, HelpExchange, Indicator, JournalEntry

# Old versions are never read again once catalog_version moves on; they age out.
INDICATORS_CACHE_SECONDS = 24 * 60 * 60


def active_indicators_key(organization: Organization) -> str:
    """Return the cache key of the organization's active indicators at its catalog version."""
    return f"journals:active-indicators:{organization.pk}:{organization.catalog_version}"


def active_indicators(organization: Organization) -> list[Indicator]:
    """Return the organization's active indicators, from the cache while its catalog is unchanged.

    Every save or delete of an indicator moves Organization.catalog_version on (signals.py),
    so a new version is a new key; `organization` is the request's, read with the membership.
    """
    key = active_indicators_key(organization)
    indicators = cache.get(key)
    if indicators is None:
        indicators = list(Indicator.objects.for_org(organization).active())
        cache.set(key, indicators, INDICATORS_CACHE_SECONDS)
    return indicators


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


def journal_month_entries(
    *, organization: Organization, family: Family, period: date
) -> tuple[JournalEntry | None, JournalEntry | None]:
    """Return the month's entry and the last submitted one before it, in one query."""
    entries = JournalEntry.objects.for_org(organization).filter(family=family)
    wanted = entries.in_period(period) | entries.submitted().before(period)
    rows = list(wanted.order_by("-period")[:2])
    # The month sorts first when it is there: no later month is read.
    entry = rows.pop(0) if rows and rows[0].period == period else None
    return entry, rows[0] if rows else None


def recent_entries(
    *, organization: Organization, family: Family, months: int = 12
) -> list[JournalEntry]:
    """Return the family's latest entries, newest first."""
    entries = JournalEntry.objects.for_org(organization).filter(family=family)
    return list(entries.order_by("-period")[:months])


def goals_for(*, organization: Organization, family: Family, open_only: bool = False) -> list[Goal]:
    """Return the family's goals, or only those still open, in the goals' own order."""
    goals = Goal.objects.for_org(organization).filter(family=family)
    return list(goals.open() if open_only else goals)


def family_neighbours(*, organization: Organization, family: Family) -> list[Family]:
    """Return the other active families of the family's group (none without a group)."""
    if family.group_id is None:
        return []
    families = Family.objects.for_org(organization).active().filter(group_id=family.group_id)
    return list(families.exclude(pk=family.pk))


def help_rows_for(
    *,
    organization: Organization,
    family: Family | None = None,
    group_id: int | None = None,
    period: date | None = None,
    limit: int | None = None,
) -> list[HelpExchange]:
    """Return the help a family (or any family of a group) gave or got, newest first, in one query.

    Each exchange comes with its giver and receiver. A group's help is found by its families'
    ids (a subquery), never by joining every exchange of the organization to the groups.
    """
    families: Any
    if family is not None and group_id is None:
        families = [family.pk]
    elif family is None and group_id is not None:
        families = Family.objects.for_org(organization).filter(group_id=group_id).values("pk")
    else:
        raise ValueError("Give a family or a group, not both.")
    exchanges = (
        HelpExchange.objects.for_org(organization)
        .involving(families)
        .select_related("giver", "receiver")
    )
    if period is not None:
        exchanges = exchanges.filter(period=period)
    return list(exchanges[:limit] if limit is not None else exchanges)


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
            HelpExchange.objects.for_org(organization).involving([family]),
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
        income for e in entries.in_period(latest) if (income := e.total_income) is not None
    )
    if len(incomes) < organization.min_cell_size:
        return GroupComparison(size, None, latest)
    mid = len(incomes) // 2
    median = incomes[mid] if len(incomes) % 2 else (incomes[mid - 1] + incomes[mid]) / 2
    return GroupComparison(size, median, latest)
