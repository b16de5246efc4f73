"""`month_year` writes a month and year as Django's `date:"F Y"` does, in local time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

TEMPLATE = '{% load fii_dates %}{{ day|month_year }}|{{ day|date:"F Y" }}'


@pytest.mark.parametrize("language", ["en", "es"])
def test_month_year_writes_what_the_date_filter_writes(language):
    template = engines["django"].from_string(TEMPLATE)
    days = [dt.date(2026, m, 1) for m in range(1, 13)] + [None, "", "not a date"]
    moment = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)  # still March in Los Angeles
    with translation.override(language), timezone.override("America/Los_Angeles"):
        for day in [*days, moment]:
            ours, django = template.render({"day": day}).split("|")
            assert ours == django, day


@pytest.mark.parametrize(("language", "expected"), [("en", "March 2026"), ("es", "marzo 2026")])
def test_month_year_writes_a_moment_in_its_local_month(language, expected):
    template = engines["django"].from_string("{% load fii_dates %}{{ day|month_year }}")
    moment = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)
    with translation.override(language), timezone.override("America/Los_Angeles"):
        assert template.render({"day": moment}) == expected
