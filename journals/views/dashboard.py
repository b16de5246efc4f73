"""The family's own progress: charts, a plain-language summary, and how its group is doing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest, family_view

from ..charts import (
    MonthPoint,
    help_figure,
    income_summary,
    money_figure,
    stipends_figure,
)
from ..models import Goal, GoalUpdate, HelpExchange, JournalEntry, Stipend, StipendStatus
from ..selectors import group_comparison


def _points(org: Any, family: Any) -> list[MonthPoint]:
    entries = (
        JournalEntry.objects.for_org(org).submitted().filter(family=family).order_by("-period")[:24]
    )
    return [
        MonthPoint(e.period, e.total_income, e.value("savings_balance"), e.value("debt_total"))
        for e in reversed(entries)
    ]


def _help_rows(org: Any, family: Any) -> list[tuple[Any, float, float]]:
    given: dict[Any, float] = defaultdict(float)
    received: dict[Any, float] = defaultdict(float)
    rows = (
        HelpExchange.objects.for_org(org)
        .involving([family])
        .values_list("period", "giver_id", "hours")
        .order_by()
    )
    for period, giver_id, hours in rows:
        (given if giver_id == family.pk else received)[period] += hours or 0
    months = sorted(set(given) | set(received))[-12:]
    return [(m, given[m], received[m]) for m in months]


def _goal_rows(org: Any, family: Any) -> list[tuple[str, int]]:
    latest = GoalUpdate.objects.filter(goal=OuterRef("pk"), percent_done__isnull=False).order_by(
        "-created_at"
    )
    goals = (
        Goal.objects.for_org(org)
        .filter(family=family)
        .open()
        .annotate(percent=Subquery(latest.values("percent_done")[:1]))
    )
    return [(g.title, getattr(g, "percent", None) or 0) for g in goals]


@family_view
def dashboard(request: OrgRequest) -> HttpResponse:
    org = request.organization
    family = request.family
    points = _points(org, family)
    help_rows = _help_rows(org, family)
    goal_rows = _goal_rows(org, family)
    stipends = [
        (s.period, float(s.amount), s.status == StipendStatus.PAID)
        for s in Stipend.objects.for_org(org)
        .filter(family=family)
        .exclude(status=StipendStatus.CANCELLED)
        .order_by("period")
    ]
    context = {
        "summary": income_summary(points, org.currency),
        "points": points,
        "money_chart": money_figure(points, org.currency) if points else None,
        "help_rows": help_rows,
        "help_chart": help_figure(help_rows) if help_rows else None,
        "goal_rows": goal_rows,
        "stipend_rows": stipends,
        "stipends_chart": stipends_figure(stipends, org.currency) if stipends else None,
        "comparison": group_comparison(organization=org, family=family),
        "latest": points[-1] if points else None,
    }
    return render(request, "journals/dashboard.html", context)
