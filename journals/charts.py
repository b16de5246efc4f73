"""Pure chart builders for a family's own pages: plain data in, plotly.js figures out.

Figures are plain dicts that plotly.js draws (the bundle in static/vendor/plotly); no page
carries a chart library it does not use, and nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

COLORS = {
    "income": "#1f6f5c",
    "savings": "#2f5fb3",
    "debt": "#b5462f",
    "given": "#1f6f5c",
    "received": "#c48a00",
}
CONFIG = {"displayModeBar": False, "responsive": True}


@dataclass(frozen=True)
class MonthPoint:
    period: dt.date
    income: float | None
    savings: float | None
    debt: float | None


def _layout(y_title: str = "", barmode: str | None = None) -> dict[str, Any]:
    # No title inside the figure: the section heading above it names the chart.
    layout: dict[str, Any] = {
        "margin": {"l": 48, "r": 8, "t": 12, "b": 40},
        "height": 280,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "fixedrange": True},
        "xaxis": {"fixedrange": True},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    if barmode:
        layout["barmode"] = barmode
    return layout


def money_figure(points: Sequence[MonthPoint], currency: str) -> dict[str, Any]:
    """Draw income, savings and debt by month as three lines."""
    months = [p.period.isoformat() for p in points]
    series = [
        ("income", _("Monthly income")),
        ("savings", _("Savings")),
        ("debt", _("Debt")),
    ]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": label,
            "x": months,
            "y": [getattr(p, key) for p in points],
            "line": {"color": COLORS[key], "width": 3},
            "connectgaps": False,
        }
        for key, label in series
    ]
    return {
        "data": data,
        "layout": _layout(currency),
        "config": CONFIG,
    }


def help_figure(rows: Sequence[tuple[dt.date, float, float]]) -> dict[str, Any]:
    """Draw hours of help given and received by month, side by side."""
    months = [r[0].isoformat() for r in rows]
    data = [
        {
            "type": "bar",
            "name": _("Given"),
            "x": months,
            "y": [r[1] for r in rows],
            "marker": {"color": COLORS["given"]},
        },
        {
            "type": "bar",
            "name": _("Received"),
            "x": months,
            "y": [r[2] for r in rows],
            "marker": {"color": COLORS["received"]},
        },
    ]
    return {
        "data": data,
        "layout": _layout(_("hours"), barmode="group"),
        "config": CONFIG,
    }


def stipends_figure(rows: Sequence[tuple[dt.date, float, bool]], currency: str) -> dict[str, Any]:
    """Draw stipends by month, paid and still to be paid."""
    paid = [(r[0].isoformat(), r[1]) for r in rows if r[2]]
    waiting = [(r[0].isoformat(), r[1]) for r in rows if not r[2]]
    data = [
        {
            "type": "bar",
            "name": _("Paid"),
            "x": [p[0] for p in paid],
            "y": [p[1] for p in paid],
            "marker": {"color": COLORS["income"]},
        },
        {
            "type": "bar",
            "name": _("To be paid"),
            "x": [w[0] for w in waiting],
            "y": [w[1] for w in waiting],
            "marker": {"color": COLORS["received"]},
        },
    ]
    return {
        "data": data,
        "layout": _layout(currency, barmode="stack"),
        "config": CONFIG,
    }


def _money(value: float, currency: str) -> str:
    amount = number_format(round(value), decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def income_summary(points: Sequence[MonthPoint], currency: str) -> str:
    """Say in one sentence how income moved over the last 12 reported months."""
    known = [p for p in points if p.income is not None][-12:]
    if len(known) < 2:
        return _("After two months of journals you will see here how your income is moving.")
    first, last = known[0], known[-1]
    months = (last.period.year - first.period.year) * 12 + last.period.month - first.period.month
    values = {
        "start": _money(first.income or 0, currency),
        "end": _money(last.income or 0, currency),
        "n": months,
    }
    if (last.income or 0) > (first.income or 0):
        return _("Your monthly income rose from %(start)s to %(end)s over %(n)d months.") % values
    if (last.income or 0) < (first.income or 0):
        return _("Your monthly income went from %(start)s to %(end)s over %(n)d months.") % values
    return _("Your monthly income held at %(end)s over %(n)d months.") % values
