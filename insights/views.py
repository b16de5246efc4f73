from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from families.models import Family
from fii.access import OrgRequest, funder_view
from fii.models import Organization
from journals.models import EntryStatus, JournalEntry
from journals.periods import add_months, month_start

from .anonymize import suppressed_count


@dataclass(frozen=True)
class OrganizationSummary:
    name: str
    min_cell: int
    families: int | None
    reporting_share: float | None


def _last_month(org: Organization):  # type: ignore[no-untyped-def]
    return add_months(month_start(org.today()), -1)


def _summaries(organizations: list[Organization]) -> list[OrganizationSummary]:
    """Count families and last month's reporting per organization, in two queries."""
    if not organizations:
        return []
    family_counts = dict(
        Family.objects.filter(organization__in=organizations, archived_at__isnull=True)
        .values("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )
    last_month = reduce(or_, (Q(organization=o, period=_last_month(o)) for o in organizations))
    reported = dict(
        JournalEntry.objects.filter(last_month, status=EntryStatus.SUBMITTED)
        .values("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )
    out = []
    for org in organizations:
        total, done = family_counts.get(org.pk, 0), reported.get(org.pk, 0)
        shown = suppressed_count(total, min_cell=org.min_cell_size)
        # The share is shown only when both the families who did and did not report are enough.
        enough = min(done, total - done) >= org.min_cell_size
        out.append(
            OrganizationSummary(
                org.name, org.min_cell_size, shown, done / total if enough else None
            )
        )
    return out


@funder_view
def funder_home(request: OrgRequest) -> HttpResponse:
    funder = request.funder
    organizations = list(funder.organizations.order_by("name"))
    return render(request, "insights/funder_home.html", {"summaries": _summaries(organizations)})
