"""A month as pages write it, kept per process: `{{ period|month_year }}`.

The same as `{{ period|date:"F Y" }}` ("March 2026", "marzo de 2026"), which a family's pages
write for every month they list; formatting a date asks for the translated month names each
time, and a page lists a dozen. The text depends only on the date and the language.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@register.filter(expects_localtime=True)
def month_year(value: Any) -> str:
    """Write a date's month and year in the active language ("" for none, as `date` does)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):  # a moment: its local day (expects_localtime)
        value = value.date()
    if not isinstance(value, dt.date):
        return ""
    return _month_year(value, get_language())


@lru_cache(maxsize=4096)
def _month_year(value: dt.date, language: str | None) -> str:
    """`language` keys the cache; date_format reads the active one."""
    return date_format(value, "F Y")
