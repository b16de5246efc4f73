from django.http import HttpResponse
from django.shortcuts import render

from families.models import Family
from fii.access import OrgRequest, family_view, staff_view
from fii.audit import audit_read

from ..periods import due_date, reporting_period
from ..selectors import goals_for, help_rows_for, recent_entries


@family_view
def family_home(request: OrgRequest) -> HttpResponse:
    org = request.organization
    family = request.family
    entries = recent_entries(organization=org, family=family, months=6)
    period = reporting_period(org.today(), org.journal_due_day)
    context = {
        "family": family,
        "latest": entries[0] if entries else None,
        "entries": entries,
        # What the list of recent months shows: the page keeps its HTML by it ({% kept %}).
        "recent_months": tuple((e.period, e.status) for e in entries),
        "goals": goals_for(organization=org, family=family),
        "period": period,
        "current_entry": next((e for e in entries if e.period == period), None),
        "due": due_date(period, org.journal_due_day),
    }
    return render(request, "journals/family_home.html", context)


@staff_view
def family_detail(request: OrgRequest, family_id: int) -> HttpResponse:
    """Show staff one family's facts, journals, goals and help; every view is audited."""
    org = request.organization
    family = Family.objects.select_related("group").get_for_org_or_404(org, pk=family_id)
    audit_read(request, family, page="family")

    context = {
        "family": family,
        "members": list(family.members.all()),
        "entries": recent_entries(organization=org, family=family, months=12),
        "goals": goals_for(organization=org, family=family),
        "help_rows": help_rows_for(organization=org, family=family, limit=20),
    }
    return render(request, "journals/family_detail.html", context)
