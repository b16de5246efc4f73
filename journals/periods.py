"""Months as journal periods: always the first day of a month."""

from __future__ import annotations

from datetime import date

from django.http import Http404


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + (period.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def due_date(period: date, due_day: int) -> date:
    """Return the day a month's journal is due: the due day of the following month."""
    return add_months(period, 1).replace(day=due_day)


def reporting_period(today: date, due_day: int) -> date:
    """Return the month being reported on: last month until its due day, then this month."""
    this_month = month_start(today)
    if today <= due_date(add_months(this_month, -1), due_day):
        return add_months(this_month, -1)
    return this_month


def month_or_404(year: int, month: int) -> date:
    """Return the month a URL names; 404 for one that cannot exist (month 13, year 10**20)."""
    try:
        return date(year, month, 1)
    except (ValueError, OverflowError) as exc:
        raise Http404 from exc
