"""The family's home: this month's journal, its recent months, its goals and staff's questions.

It lives in capital, like the staff home, because it reads journals and capital alike.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest, family_view
from journals.periods import due_date, reporting_period
from journals.selectors import goals_for, recent_entries

from ..selectors import open_questions_for


@family_view
def family_home(request: OrgRequest) -> HttpResponse:
    """Show a family where it stands this month and what staff asked it."""
    org, family = request.organization, request.family
    entries = recent_entries(organization=org, family=family, months=6)
    period = reporting_period(org.today(), org.journal_due_day)
    context = {
        "family": family,
        "latest": entries[0] if entries else None,
        "entries": entries,
        "goals": goals_for(organization=org, family=family),
        "questions": open_questions_for(organization=org, family=family),
        "period": period,
        "current_entry": next((e for e in entries if e.period == period), None),
        "due": due_date(period, org.journal_due_day),
    }
    return render(request, "capital/family_home.html", context)
