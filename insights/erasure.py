"""Insights' part of erasing a family: its story goes; its snapshots are numbers and stay."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from .models import Story


def erase_family_story(
    sender: Any, family: Any, organization: Any, **kwargs: Any
) -> dict[str, int]:
    """Delete the family's story, shared or not; return how many went."""
    return {"stories": Story.objects.for_org(organization).filter(family=family).delete()[0]}


# What the counts above mean, for the admin who reads them (families.erasure).
COUNT_LABELS = {
    "insights": gettext_lazy("Stories"),
    "stories": gettext_lazy("Stories deleted"),
}
