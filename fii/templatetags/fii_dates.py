"""A month as pages write it: `{{ period|month_year }}` ("March 2026", "marzo 2026")."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date

register = template.Library()


@register.filter(expects_localtime=True)
def month_year(value: Any) -> str:
    """Write a date's month and year in the active language, as `date:"F Y"` does."""
    return date(value, "F Y")
