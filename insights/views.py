"""Funder pages: the organizations a funder funds, anonymized dashboards and CSV exports.

Every figure on these pages comes from ``insights.funder.funder_tables``, which publishes it
through ``insights.anonymize``; the views only choose rows, format them and draw charts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fii.access import OrgRequest, funder_view
from fii.audit import audit_denied, audit_event
from fii.exports import csv_download
from fii.models import Organization

from . import charts
from .anonymize import TOTAL
from .funder import (
    TABLES,
    FunderTables,
    export_columns,
    funder_tables,
    summaries_from,
    table_rows,
)

Row = dict[str, Any]


# --- columns and cells ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "text"  # text, count, number, money, share, growth


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str
    hidden: bool
    value: Any = None


def _format(value: Any, kind: str) -> str:
    if kind == "text":
        return str(value)
    if kind == "share":
        return f"{round(100 * value)}%"
    if kind == "growth":
        return f"{number_format(value, decimal_pos=0, use_l10n=True)}%"
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def _cells(row: Row, columns: Sequence[Column]) -> list[Cell]:
    out = []
    for column in columns:
        value = row.get(column.key)
        if value is None:
            out.append(Cell("", column.kind, True))
        else:
            out.append(Cell(_format(value, column.kind), column.kind, False, value))
    return out


# --- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    id: str
    figure: dict[str, Any]
    label: str


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    explanation: Any
    headline: str
    charts: list[Chart]
    columns: list[Column]
    rows: list[list[Cell]]
    export_url: str

    @property
    def empty(self) -> bool:
        """No figure of the section can be shown."""
        return not any(
            not cell.hidden for row in self.rows for cell in row if cell.kind not in ("text",)
        )


ORGANIZATION = Column("organization", gettext_lazy("Organization"))
FAMILIES = Column("families", gettext_lazy("Families"), "count")

COLUMNS: dict[str, list[Column]] = {
    "trajectories": [
        Column("cohort", gettext_lazy("Joined in")),
        Column("months_since_joining", gettext_lazy("Time since joining")),
        FAMILIES,
        Column("median_income", gettext_lazy("Median monthly income"), "money"),
        Column("median_savings", gettext_lazy("Median savings"), "money"),
        Column("median_debt", gettext_lazy("Median debt"), "money"),
        Column("share_above_poverty_line", gettext_lazy("Above the poverty line"), "share"),
        Column("share_reached_a_goal", gettext_lazy("Reached a goal"), "share"),
    ],
    "mutuality": [
        Column("kind", gettext_lazy("Kind of help")),
        FAMILIES,
        Column("exchanges", gettext_lazy("Exchanges"), "number"),
        Column("hours", gettext_lazy("Hours"), "number"),
        Column("value", gettext_lazy("Money or goods"), "money"),
    ],
    "capital": [
        ORGANIZATION,
        Column("program", gettext_lazy("Program")),
        FAMILIES,
        Column("committed", gettext_lazy("Committed"), "money"),
        Column("paid", gettext_lazy("Paid"), "money"),
        Column("repaid", gettext_lazy("Repaid"), "money"),
        Column("arrears", gettext_lazy("In arrears"), "money"),
    ],
    "deviants": [
        ORGANIZATION,
        Column("families_ranked", gettext_lazy("Families compared"), "count"),
        Column("families_positive_deviants", gettext_lazy("Positive deviants"), "count"),
        Column("median_growth_pct", gettext_lazy("Median income growth"), "growth"),
        Column("deviants_median_growth_pct", gettext_lazy("Growth of positive deviants"), "growth"),
        Column("deviants_peer_median_growth_pct", gettext_lazy("Growth of their peers"), "growth"),
    ],
    "costs": [
        ORGANIZATION,
        FAMILIES,
        Column("running_costs", gettext_lazy("Running costs"), "money"),
        Column("capital_paid", gettext_lazy("Capital paid"), "money"),
        Column("stipends_paid", gettext_lazy("Stipends paid"), "money"),
        Column("total_spent", gettext_lazy("Total spent"), "money"),
        Column("share_to_families", gettext_lazy("Reached families directly"), "share"),
        Column("cost_per_family_month", gettext_lazy("Cost per family per month"), "money"),
    ],
}

TITLES = {
    "trajectories": gettext_lazy("Income, savings and debt since joining"),
    "mutuality": gettext_lazy("Help between families"),
    "capital": gettext_lazy("Capital"),
    "deviants": gettext_lazy("Positive deviants"),
    "costs": gettext_lazy("Cost-effectiveness"),
}
EXPLANATIONS = {
    "trajectories": gettext_lazy(
        "Families grouped by the year they joined, at joining and as time goes by. Medians: "
        "half of the families had more, half less. The poverty line is the federal guideline "
        "for the household's size."
    ),
    "mutuality": gettext_lazy(
        "Help one family gave another and both confirmed, in the last 12 months."
    ),
    "capital": gettext_lazy(
        "Scholarships, loans, matched savings and grants put behind families' own initiatives."
    ),
    "deviants": gettext_lazy(
        "Families whose income grew clearly faster than families who started in the same place, "
        "from the latest nightly run. Growth is the change of monthly income since joining."
    ),
    "costs": gettext_lazy(
        "Every dollar spent: running costs, capital paid out and stipends for journals. Capital "
        "and stipends reach families directly."
    ),
}


def _trajectory_charts(rows: list[Row], currency: str) -> list[Chart]:
    specs = [
        ("income", "median_income", _("Median monthly income by time since joining"), False),
        ("poverty", "share_above_poverty_line", _("Share above the poverty line"), True),
        ("goals", "share_reached_a_goal", _("Share that reached a goal"), True),
    ]
    out = []
    for name, column, label, as_percent in specs:
        figure = charts.trajectory_figure(
            rows, column, y_title="" if as_percent else currency, as_percent=as_percent
        )
        if figure is not None:
            out.append(Chart(f"chart-trajectories-{name}", figure, label))
    return out


def _headlines(rows: list[Row], currency: str) -> dict[str, str]:
    return {
        "income": charts.income_headline(rows, currency),
        "poverty": charts.share_headline(
            rows,
            "share_above_poverty_line",
            _(
                "Of families %(when)s, %(share)s had an income above the poverty line for "
                "their household size."
            ),
        ),
        "goals": charts.share_headline(
            rows,
            "share_reached_a_goal",
            _("Of families %(when)s, %(share)s had reached a goal they set themselves."),
        ),
    }


def _chart(key: str, figure: dict[str, Any] | None, label: str) -> list[Chart]:
    return [Chart(f"chart-{key}", figure, label)] if figure is not None else []


def _section(key: str, rows: list[Row], currency: str, export_url: str, *, pooled: bool) -> Section:
    columns = COLUMNS[key]
    if key == "trajectories":
        lines = _headlines(rows, currency)
        headline = " ".join(dict.fromkeys(line for line in lines.values() if line))
        found = _trajectory_charts(rows, currency)
    elif key == "mutuality":
        headline = charts.mutuality_headline(rows, currency)
        found = _chart(key, charts.mutuality_figure(rows), _("Hours of help by kind"))
    elif key == "capital":
        headline = charts.capital_headline(rows, currency)
        label = _("Capital by organization") if pooled else _("Capital by program")
        found = _chart(key, charts.capital_figure(rows, currency), label)
    elif key == "deviants":
        headline = charts.deviants_headline(rows)
        found = []
    else:
        headline = charts.costs_headline(rows, currency)
        found = _chart(key, charts.costs_figure(rows, currency), _("What was spent"))
    if not pooled:
        columns = [c for c in columns if c.key != "organization"]
    return Section(
        key,
        TITLES[key],
        EXPLANATIONS[key],
        headline,
        found,
        columns,
        [_cells(row, columns) for row in rows],
        export_url,
    )


# Which rows of each table a page shows: all organizations together, or one organization.
POOLED_ROWS: dict[str, Callable[[Row], bool]] = {
    "trajectories": lambda r: r["_org"] == TOTAL,
    "mutuality": lambda r: r["_org"] == TOTAL,
    "capital": lambda r: r["_program"] == TOTAL,
    "deviants": lambda r: True,
    "costs": lambda r: True,
}


def _currency(organizations: Sequence[Organization]) -> str:
    currencies = sorted({o.currency for o in organizations})
    return currencies[0] if len(currencies) == 1 else ""


def _sections(
    tables: FunderTables,
    *,
    organization: Hashable | None,
    export_url: Callable[[str], str],
) -> list[Section]:
    sections = []
    currency = _currency(tables.organizations)
    for key in TABLES[1:]:
        rows = table_rows(tables, key, organization=organization)
        if organization is None:
            rows = [r for r in rows if POOLED_ROWS[key](r)]
        sections.append(_section(key, rows, currency, export_url(key), pooled=organization is None))
    return sections


# --- views ------------------------------------------------------------------------------------


def _funded(request: OrgRequest, org_slug: str) -> Organization:
    """Return an organization the funder funds, or raise 404 (also for one that exists)."""
    organization = request.funder.organizations.filter(slug=org_slug).first()
    if organization is None:
        audit_denied(request, reason="not_funded", funder=request.funder.slug)
        raise Http404
    return organization


@funder_view
def funder_home(request: OrgRequest) -> HttpResponse:
    funder = request.funder
    organizations = list(funder.organizations.order_by("name"))
    tables = funder_tables(organizations=organizations)
    sections = _sections(
        tables,
        organization=None,
        export_url=lambda key: reverse(f"funder_export_{key}", args=[funder.slug]),
    )
    context = {
        "summaries": list(zip(organizations, summaries_from(tables), strict=True)),
        "enough": bool(tables.included),
        "sections": sections,
        "has_charts": bool(tables.included) and any(s.charts for s in sections),
        "summary_export_url": reverse("funder_export_organizations", args=[funder.slug]),
    }
    return render(request, "insights/funder_home.html", context)


@funder_view
def funder_organization(request: OrgRequest, org_slug: str) -> HttpResponse:
    funder = request.funder
    organization = _funded(request, org_slug)
    tables = funder_tables(organizations=[organization])
    sections = _sections(
        tables,
        organization=organization.slug,
        export_url=lambda key: reverse(
            f"funder_org_export_{key}", args=[funder.slug, organization.slug]
        ),
    )
    context = {
        "organization": organization,
        "summary": summaries_from(tables)[0],
        "sections": sections,
        "has_charts": any(s.charts for s in sections),
        "summary_export_url": reverse(
            "funder_org_export_organizations", args=[funder.slug, organization.slug]
        ),
    }
    return render(request, "insights/funder_organization.html", context)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


@funder_view
def funder_export(request: OrgRequest, table: str, org_slug: str | None = None) -> HttpResponse:
    """Download one published table as CSV; a hidden figure is an empty cell."""
    funder = request.funder
    if table not in TABLES:
        raise Http404
    if org_slug is not None:
        organizations = [_funded(request, org_slug)]
        name = f"{funder.slug}-{org_slug}-{table}.csv"
    else:
        organizations = list(funder.organizations.order_by("name"))
        name = f"{funder.slug}-{table}.csv"
    tables = funder_tables(organizations=organizations)
    rows = table_rows(tables, table, organization=org_slug)
    columns = export_columns(rows) or ["organization"]
    cells = ([_csv_value(row.get(c)) for c in columns] for row in rows)
    response = csv_download([columns, *cells], filename=name)
    response["Cache-Control"] = "private, no-store"
    # An export of one organization's figures is in that organization's log (its admins see
    # which funder took them); one across all funded organizations is an operator's event.
    audit_event(
        "funder.exported",
        organization=organizations[0] if org_slug is not None else None,
        actor=request.user,
        request=request,
        funder=funder.slug,
        table=table,
        organizations=len(organizations),
        rows=len(rows),
    )
    return response
