"""Pure figures and headlines for the funder pages: published rows in, plotly.js dicts out.

The rows come from ``insights.funder.table_rows``, already anonymized: a hidden figure is None
and draws as a gap. Figures are plain dicts that plotly.js draws from our static files (see
static/js/charts.js); nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .anonymize import TOTAL

PALETTE = ("#1f6f5c", "#2f5fb3", "#c48a00", "#7a4fa3", "#b5462f", "#3d8fb0", "#6b6b6b")
COLORS = {
    "all": "#1b1b1b",
    "committed": "#2f5fb3",
    "paid": "#1f6f5c",
    "repaid": "#c48a00",
    "arrears": "#b5462f",
    "running": "#6b6b6b",
    "stipends": "#c48a00",
}
CONFIG = {"displayModeBar": False, "responsive": True}

Row = dict[str, Any]


def _layout(y_title: str = "", *, barmode: str | None = None, percent: bool = False) -> dict:
    # No title inside the figure: the section heading above it names the chart.
    layout: dict[str, Any] = {
        "margin": {"l": 56, "r": 8, "t": 12, "b": 48},
        "height": 300,
        "legend": {"orientation": "h", "y": -0.25},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "fixedrange": True},
        "xaxis": {"fixedrange": True, "type": "category"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    if percent:
        layout["yaxis"].update(range=[0, 100], ticksuffix="%")
    if barmode:
        layout["barmode"] = barmode
    return layout


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any] | None:
    """Return the figure, or None when every value is hidden (nothing to draw)."""
    if not any(v is not None for trace in data for v in trace["y"]):
        return None
    return {"data": data, "layout": layout, "config": CONFIG}


def money(value: float | None, currency: str) -> str:
    """Return an amount for a sentence: $1,240 or 1,240 EUR."""
    amount = number_format(round(value or 0), decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def percent(share: float | None) -> str:
    return f"{round(100 * (share or 0))}%"


def focus(rows: Sequence[Row]) -> Row | None:
    """Return the row a headline speaks about: all organizations if shown, else the last."""
    pooled = [r for r in rows if r.get("_org") == TOTAL]
    candidates = pooled or list(rows)
    return candidates[-1] if candidates else None


# --- trajectories ------------------------------------------------------------------------------


def _by_cohort(rows: Sequence[Row]) -> dict[Any, list[Row]]:
    cohorts: dict[Any, list[Row]] = {}
    for row in rows:
        cohorts.setdefault(row["_cohort"], []).append(row)
    # Cohorts in order of year, "all cohorts" last and drawn on top.
    return dict(sorted(cohorts.items(), key=lambda item: (item[0] == TOTAL, str(item[0]))))


def _months(rows: Sequence[Row]) -> list[str]:
    return list(dict.fromkeys(r["months_since_joining"] for r in rows))


def trajectory_figure(
    rows: Sequence[Row], column: str, *, y_title: str = "", as_percent: bool = False
) -> dict[str, Any] | None:
    """Draw one line per cohort of a figure by months since joining."""
    months = _months(rows)
    cohorts = _by_cohort(rows)
    if len(cohorts) == 2:  # one cohort: its line and "all cohorts" are the same line
        cohorts = {k: v for k, v in cohorts.items() if k == TOTAL}
    data = []
    for i, (cohort, cohort_rows) in enumerate(cohorts.items()):
        values = {r["months_since_joining"]: r[column] for r in cohort_rows}
        y = [values.get(m) for m in months]
        if as_percent:
            y = [None if v is None else round(100 * v) for v in y]
        color = COLORS["all"] if cohort == TOTAL else PALETTE[i % len(PALETTE)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": cohort_rows[0]["cohort"],
                "x": months,
                "y": y,
                "line": {"color": color, "width": 4 if cohort == TOTAL else 2},
                "connectgaps": False,
            }
        )
    return _figure(data, _layout(y_title, percent=as_percent))


def _all_cohorts(rows: Sequence[Row], column: str) -> list[Row]:
    return [r for r in rows if r["_cohort"] == TOTAL and r[column] is not None]


def income_headline(rows: Sequence[Row], currency: str) -> str:
    """Say how the median income of all cohorts moved from joining to the latest months."""
    known = _all_cohorts(rows, "median_income")
    if not known:
        return _("No organization has enough families to show this yet.")
    first, last = known[0], known[-1]
    values = {
        "start": money(first["median_income"], currency),
        "first": first["_when"],
        "end": money(last["median_income"], currency),
        "last": last["_when"],
    }
    if first is last:
        return _("The median monthly income of families was %(start)s %(first)s.") % values
    return (
        _("The median monthly income of families was %(start)s %(first)s and %(end)s %(last)s.")
        % values
    )


def share_headline(rows: Sequence[Row], column: str, sentence: str) -> str:
    """Fill a sentence with the latest shown share of all cohorts, after joining."""
    known = [r for r in _all_cohorts(rows, column) if r["_bucket"] != "start"]
    if not known:
        return ""
    last = known[-1]
    return sentence % {"share": percent(last[column]), "when": last["_when"]}


# --- mutuality ---------------------------------------------------------------------------------


def mutuality_figure(rows: Sequence[Row]) -> dict[str, Any] | None:
    """Draw hours of help by kind of help, for the kinds that can be shown."""
    kinds = [r for r in rows if r["_kind"] != TOTAL]
    data = [
        {
            "type": "bar",
            "name": _("Hours"),
            "x": [r["kind"] for r in kinds],
            "y": [r["hours"] for r in kinds],
            "marker": {"color": COLORS["paid"]},
        }
    ]
    return _figure(data, _layout(_("hours")))


def mutuality_headline(rows: Sequence[Row], currency: str) -> str:
    total = focus([r for r in rows if r["_kind"] == TOTAL])
    if total is None or total["hours"] is None:
        return _("No organization has enough families to show this yet.")
    if total["value"]:
        return _(
            "In the last 12 months, families gave each other %(hours)s hours of help "
            "and %(value)s in money or goods."
        ) % {"hours": _number(total["hours"]), "value": money(total["value"], currency)}
    return _("In the last 12 months, families gave each other %(hours)s hours of help.") % {
        "hours": _number(total["hours"])
    }


def _number(value: float | None) -> str:
    return number_format(round(value or 0), decimal_pos=0, use_l10n=True, force_grouping=True)


# --- capital -----------------------------------------------------------------------------------


CAPITAL_SERIES = ("committed", "paid", "repaid", "arrears")


def capital_figure(rows: Sequence[Row], currency: str) -> dict[str, Any] | None:
    """Draw money committed, paid, repaid and in arrears by program (or organization)."""
    programs = [r for r in rows if r["_program"] != TOTAL] or [
        r for r in rows if r["_org"] != TOTAL
    ]
    labels = {
        "committed": _("Committed"),
        "paid": _("Paid"),
        "repaid": _("Repaid"),
        "arrears": _("In arrears"),
    }
    data = [
        {
            "type": "bar",
            "name": labels[key],
            "x": [r["program"] if r["_program"] != TOTAL else r["organization"] for r in programs],
            "y": [r[key] for r in programs],
            "marker": {"color": COLORS[key]},
        }
        for key in CAPITAL_SERIES
    ]
    return _figure(data, _layout(currency, barmode="group"))


def capital_headline(rows: Sequence[Row], currency: str) -> str:
    total = focus([r for r in rows if r["_program"] == TOTAL])
    if total is None or total["committed"] is None:
        return _("No organization has enough families to show this yet.")
    if not total["committed"]:
        return _("No capital has been committed yet.")
    return _(
        "%(committed)s committed to families and groups, %(paid)s paid out, %(repaid)s repaid, "
        "%(arrears)s in arrears."
    ) % {key: money(total[key], currency) for key in CAPITAL_SERIES}


# --- positive deviants -------------------------------------------------------------------------


def deviants_headline(rows: Sequence[Row]) -> str:
    row = focus(rows)
    if row is None or row["families_ranked"] is None:
        return _("No organization has enough families to show this yet.")
    if row["families_ranked"] == 0:
        return _("No family has enough peers who started in the same place to be compared yet.")
    values = {"n": row["families_ranked"]}
    if row["families_positive_deviants"] is not None:
        values["deviants"] = row["families_positive_deviants"]
        sentence = _(
            "%(n)s families were compared with peers who started in the same place; "
            "%(deviants)s grew clearly faster than their peers."
        )
    else:
        sentence = _(
            "%(n)s families were compared with peers who started in the same place; too few "
            "grew clearly faster than their peers to say how many."
        )
    text = sentence % values
    if row["median_growth_pct"] is not None:
        text += " " + _("Their median income growth since joining was %(growth)s%%.") % {
            "growth": _number(row["median_growth_pct"])
        }
    return text


# --- cost-effectiveness ------------------------------------------------------------------------


def costs_figure(rows: Sequence[Row], currency: str) -> dict[str, Any] | None:
    """Draw, per organization, what was spent: running costs, capital and stipends."""
    series = (
        ("running_costs", _("Running costs"), COLORS["running"]),
        ("capital_paid", _("Capital paid"), COLORS["paid"]),
        ("stipends_paid", _("Stipends paid"), COLORS["stipends"]),
    )
    data = [
        {
            "type": "bar",
            "name": label,
            "x": [r["organization"] for r in rows],
            "y": [r[key] for r in rows],
            "marker": {"color": color},
        }
        for key, label, color in series
    ]
    return _figure(data, _layout(currency, barmode="stack"))


def costs_headline(rows: Sequence[Row], currency: str) -> str:
    row = focus(rows)
    if row is None or row["share_to_families"] is None:
        return _("No organization has enough families to show this yet.")
    cents = round(100 * row["share_to_families"])
    text = _("Of every dollar spent, %(cents)s cents reached families directly.") % {"cents": cents}
    if row["cost_per_family_month"] is not None:
        text += " " + _("Everything together cost %(amount)s per family per month.") % {
            "amount": money(row["cost_per_family_month"], currency)
        }
    return text
