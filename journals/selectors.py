"""Reads of journal data for one screen, each with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from families.models import Family, Group
from fii.models import Organization

from .models import EntryStatus, Goal, JournalEntry


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


def recent_entries(
    *, organization: Organization, family: Family, months: int = 12
) -> list[JournalEntry]:
    return list(
        JournalEntry.objects.for_org(organization)
        .filter(family=family)
        .order_by("-period")[:months]
    )


def goals_for(*, organization: Organization, family: Family) -> list[Goal]:
    return list(Goal.objects.for_org(organization).filter(family=family))
