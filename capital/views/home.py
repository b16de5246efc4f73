"""The staff home: this month's journals, the readiness queue, the nightly run, the budgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from families.models import ErasureRequest
from fii.access import OrgRequest, staff_view
from insights.models import AggregationRun, RunStatus
from insights.selectors import latest_run
from journals.models import EntryStatus, JournalEntry
from journals.periods import add_months, due_date, reporting_period
from journals.selectors import GroupReport, reporting_status

from ..selectors import program_budgets, queue_counts


@dataclass(frozen=True)
class GroupRow:
    """A group's families with this month's status and whether last month's journal is late."""

    report: GroupReport
    rows: list[tuple[Any, str, bool]]  # family, status this month, late for last month

    @property
    def late(self) -> int:
        return sum(1 for _family, _status, late in self.rows if late)


def _late(family: Any, last_month: dict[int, str], period: Any) -> bool:
    """Say whether a family that was already with us last month did not submit its journal."""
    return family.joined_on < period and last_month.get(family.pk) != EntryStatus.SUBMITTED


def _reporting(org: Any) -> dict[str, Any]:
    """Return this month's journals by group, and who missed last month's (now closed)."""
    period = reporting_period(org.today(), org.journal_due_day)
    previous = add_months(period, -1)
    groups = reporting_status(organization=org, period=period)
    last_month = dict(
        JournalEntry.objects.for_org(org).in_period(previous).values_list("family_id", "status")
    )
    rows = [
        GroupRow(
            g,
            [(r.family, r.status, _late(r.family, last_month, period)) for r in g.families],
        )
        for g in groups
    ]
    total = sum(len(g.families) for g in groups)
    return {
        "period": period,
        "previous": previous,
        "due": due_date(period, org.journal_due_day),
        "groups": rows,
        "total": total,
        "submitted": sum(g.submitted for g in groups),
        "late": sum(r.late for r in rows),
    }


def _runs(org: Any) -> dict[str, Any]:
    """Return the latest succeeded run and, when it differs, the latest attempt."""
    attempt = AggregationRun.objects.for_org(org).order_by("-as_of", "-pk").first()
    if attempt is None or attempt.status == RunStatus.SUCCEEDED:
        return {"run": attempt, "attempt": None}
    return {"run": latest_run(organization=org), "attempt": attempt}


@staff_view
def staff_home(request: OrgRequest) -> HttpResponse:
    """Show staff how the organization stands today, in a fixed number of queries."""
    org = request.organization
    context = {
        **_reporting(org),
        **_runs(org),
        "counts": queue_counts(organization=org),
        "budgets": program_budgets(organization=org, active_only=True),
        "erasures_waiting": _erasures_waiting(request),
    }
    return render(request, "capital/staff_home.html", context)


def _erasures_waiting(request: OrgRequest) -> int:
    """Count families' requests to be forgotten that wait for an admin (admins only decide)."""
    if not request.membership.is_org_admin:
        return 0
    return ErasureRequest.objects.for_org(request.organization).pending().count()
