"""The snapshot metrics a readiness rule may test, with plain-language labels and units.

Family metrics are columns of ``insights.features.FAMILY_COLUMNS`` and of
``insights.deviance.DEVIANCE_COLUMNS``; group metrics are columns of
``insights.features.GROUP_COLUMNS``. Identifiers and data-quality columns (``family_id``,
``n_absurd``, ``single_month``, ``peer_group``...) are not criteria, so they are left out.

``scale`` is how far past a threshold a value must be to count as *comfortably* past it; the
readiness score (``capital.rules``) divides by it. It is in the metric's own unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


class Subject:
    FAMILY = "family"
    GROUP = "group"


class Unit:
    MONTHS = "months"
    MONEY = "money"
    MONEY_PER_MONTH = "money_per_month"
    PERCENT = "percent"
    POINTS = "points"
    SHARE = "share"
    RATIO = "ratio"
    HOURS = "hours"
    COUNT = "count"
    YESNO = "yesno"
    PERCENTILE = "percentile"


@dataclass(frozen=True)
class Metric:
    name: str
    subject: str
    unit: str
    label_en: str
    label_es: str
    scale: float

    @property
    def label(self) -> str:
        """Return the label in the active language, English when it has none."""
        return self.label_es if (get_language() or "en")[:2] == "es" else self.label_en


def _family(name: str, unit: str, en: str, es: str, scale: float) -> Metric:
    return Metric(name, Subject.FAMILY, unit, en, es, scale)


def _group(name: str, unit: str, en: str, es: str, scale: float) -> Metric:
    return Metric(name, Subject.GROUP, unit, en, es, scale)


FAMILY_METRICS: tuple[Metric, ...] = (
    _family("months_reported", Unit.MONTHS, "Months reported", "Meses reportados", 6),
    _family(
        "consecutive_months",
        Unit.MONTHS,
        "Months reported in a row",
        "Meses seguidos reportados",
        6,
    ),
    _family(
        "last_period_reported",
        Unit.YESNO,
        "Reported last month",
        "Reportó el mes pasado",
        1,
    ),
    _family(
        "income_3m",
        Unit.MONEY,
        "Average monthly income, last 3 months",
        "Ingreso mensual promedio, últimos 3 meses",
        500,
    ),
    _family(
        "income_12m",
        Unit.MONEY,
        "Average monthly income, last 12 months",
        "Ingreso mensual promedio, últimos 12 meses",
        500,
    ),
    _family(
        "savings_3m",
        Unit.MONEY,
        "Average savings, last 3 months",
        "Ahorros promedio, últimos 3 meses",
        500,
    ),
    _family(
        "savings_12m",
        Unit.MONEY,
        "Average savings, last 12 months",
        "Ahorros promedio, últimos 12 meses",
        500,
    ),
    _family(
        "debt_3m",
        Unit.MONEY,
        "Average debt, last 3 months",
        "Deuda promedio, últimos 3 meses",
        1000,
    ),
    _family(
        "debt_12m",
        Unit.MONEY,
        "Average debt, last 12 months",
        "Deuda promedio, últimos 12 meses",
        1000,
    ),
    _family(
        "income_slope_12m",
        Unit.MONEY_PER_MONTH,
        "Monthly income trend over the last 12 months",
        "Tendencia del ingreso mensual, últimos 12 meses",
        50,
    ),
    _family(
        "savings_rate",
        Unit.SHARE,
        "Share of income saved, last 12 months",
        "Parte del ingreso ahorrada, últimos 12 meses",
        0.05,
    ),
    _family(
        "debt_to_income",
        Unit.RATIO,
        "Debt compared with monthly income",
        "Deuda comparada con el ingreso mensual",
        0.5,
    ),
    _family(
        "income_change",
        Unit.MONEY,
        "Change in monthly income since joining",
        "Cambio del ingreso mensual desde que se unió",
        250,
    ),
    _family(
        "income_change_pct",
        Unit.PERCENT,
        "Change in monthly income since joining",
        "Cambio del ingreso mensual desde que se unió",
        10,
    ),
    _family(
        "savings_change",
        Unit.MONEY,
        "Change in savings since joining",
        "Cambio de los ahorros desde que se unió",
        250,
    ),
    _family(
        "debt_change",
        Unit.MONEY,
        "Change in debt since joining",
        "Cambio de la deuda desde que se unió",
        500,
    ),
    _family("goals_active", Unit.COUNT, "Goals in progress", "Metas en curso", 2),
    _family("goals_achieved", Unit.COUNT, "Goals reached", "Metas alcanzadas", 2),
    _family(
        "help_given_hours",
        Unit.HOURS,
        "Hours of help given, last 12 months",
        "Horas de ayuda dada, últimos 12 meses",
        10,
    ),
    _family(
        "help_given_count",
        Unit.COUNT,
        "Times help was given, last 12 months",
        "Veces que dio ayuda, últimos 12 meses",
        3,
    ),
    _family(
        "help_received_hours",
        Unit.HOURS,
        "Hours of help received, last 12 months",
        "Horas de ayuda recibida, últimos 12 meses",
        10,
    ),
    _family(
        "help_received_count",
        Unit.COUNT,
        "Times help was received, last 12 months",
        "Veces que recibió ayuda, últimos 12 meses",
        3,
    ),
    _family(
        "help_given_value",
        Unit.MONEY,
        "Money or goods given to others, last 12 months",
        "Dinero o bienes dados a otros, últimos 12 meses",
        100,
    ),
    _family(
        "help_received_value",
        Unit.MONEY,
        "Money or goods received from others, last 12 months",
        "Dinero o bienes recibidos de otros, últimos 12 meses",
        100,
    ),
    _family(
        "growth_percentile",
        Unit.PERCENTILE,
        "Income growth compared with similar families",
        "Crecimiento del ingreso comparado con familias similares",
        10,
    ),
    _family(
        "margin",
        Unit.POINTS,
        "Income growth above the middle of similar families",
        "Crecimiento del ingreso por encima del medio de familias similares",
        10,
    ),
    _family(
        "is_positive_deviant",
        Unit.YESNO,
        "Income growing clearly faster than similar families",
        "Ingreso creciendo claramente más rápido que familias similares",
        1,
    ),
)

GROUP_METRICS: tuple[Metric, ...] = (
    _group("families", Unit.COUNT, "Families in the group", "Familias en el grupo", 2),
    _group(
        "share_reporting",
        Unit.SHARE,
        "Share of families who reported last month",
        "Parte de las familias que reportaron el mes pasado",
        0.25,
    ),
    _group(
        "median_income_3m",
        Unit.MONEY,
        "Typical monthly income in the group",
        "Ingreso mensual típico del grupo",
        500,
    ),
    _group(
        "median_savings_3m",
        Unit.MONEY,
        "Typical savings in the group",
        "Ahorros típicos del grupo",
        500,
    ),
    _group(
        "median_debt_3m",
        Unit.MONEY,
        "Typical debt in the group",
        "Deuda típica del grupo",
        1000,
    ),
    _group(
        "median_income_change_pct",
        Unit.PERCENT,
        "Typical change in monthly income since joining",
        "Cambio típico del ingreso mensual desde que se unieron",
        10,
    ),
    _group(
        "help_hours_within_group",
        Unit.HOURS,
        "Hours of help between families of the group, last 12 months",
        "Horas de ayuda entre familias del grupo, últimos 12 meses",
        20,
    ),
    _group(
        "help_count_within_group",
        Unit.COUNT,
        "Times families of the group helped each other, last 12 months",
        "Veces que las familias del grupo se ayudaron, últimos 12 meses",
        5,
    ),
)

METRICS: dict[str, Metric] = {m.name: m for m in FAMILY_METRICS + GROUP_METRICS}
SUBJECT_METRICS: dict[str, tuple[Metric, ...]] = {
    Subject.FAMILY: FAMILY_METRICS,
    Subject.GROUP: GROUP_METRICS,
}
METRIC_CHOICES: list[tuple[str, str]] = [(m.name, m.label_en) for m in METRICS.values()]


def metrics_for(subject: str) -> tuple[Metric, ...]:
    """Return the metrics a rule of a program for this subject may test."""
    return SUBJECT_METRICS[subject]


# --- plain language ----------------------------------------------------------------------------

OPERATOR_WORDS = {
    ">=": _("at least"),
    ">": _("more than"),
    "<=": _("at most"),
    "<": _("less than"),
    "==": _("exactly"),
    "!=": _("anything but"),
}


def _number(value: float, decimals: int) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def _decimals(value: float) -> int:
    """Return the fewest decimals, at most 2, that show the value: 2, 1.5, 0.25."""
    for decimals in (0, 1):
        if round(value, decimals) == round(value, 2):
            return decimals
    return 2


def format_value(metric: Metric, value: float | None, currency: str = "") -> str:
    """Return a value of the metric as a family would say it, or a dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    unit = metric.unit
    if unit == Unit.YESNO:
        return gettext("yes") if value else gettext("no")
    if unit == Unit.SHARE:
        return f"{_number(100 * value, 0)}%"
    if unit == Unit.PERCENT:
        return f"{_number(value, 0)}%"
    if unit in (Unit.MONEY, Unit.MONEY_PER_MONTH):
        amount = f"{_number(value, 0)} {currency}".strip()
        if unit == Unit.MONEY_PER_MONTH:
            return gettext("%(amount)s a month") % {"amount": amount}
        return amount
    if unit == Unit.HOURS:
        return gettext("%(n)s hours") % {"n": _number(value, _decimals(value))}
    if unit == Unit.POINTS:
        return gettext("%(n)s points") % {"n": _number(value, _decimals(value))}
    if unit == Unit.PERCENTILE:
        return gettext("%(n)s of 100") % {"n": _number(value, 0)}
    return _number(value, _decimals(value))


def requirement_text(metric: Metric, operator: str, threshold: float, currency: str = "") -> str:
    """Return a criterion in plain language, e.g. "Months reported: at least 6"."""
    if metric.unit == Unit.YESNO and operator in ("==", "!=") and threshold in (0, 1):
        wanted = (threshold == 1) == (operator == "==")
        return f"{metric.label}: {gettext('yes') if wanted else gettext('no')}"
    words = OPERATOR_WORDS[operator]
    return f"{metric.label}: {words} {format_value(metric, threshold, currency)}"
