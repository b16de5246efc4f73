"""Capital's part of erasing a family: flags close, words go, the ledger stays.

Disbursements, loans and repayments keep their amounts and dates for the organization's
accounts; they carry no free text, and the family they point to is now nameless.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Flag, FlagStatus, Review


def erase_family_capital(
    sender: Any, family: Any, organization: Any, **kwargs: Any
) -> dict[str, int]:
    """Expire the family's live flags and blank the notes and answers about it; return counts."""
    flags = Flag.objects.for_org(organization).filter(family=family)
    reviews = Review.objects.for_org(organization).filter(flag__family=family)
    return {
        "flags_expired": flags.live().update(status=FlagStatus.EXPIRED, closed_at=timezone.now()),
        "review_notes": reviews.exclude(note="", answer="").update(note="", answer=""),
    }


# What the counts above mean, for the admin who reads them (families.erasure).
COUNT_LABELS = {
    "capital": gettext_lazy("Capital"),
    "flags_expired": gettext_lazy("Open flags closed"),
    "review_notes": gettext_lazy("Staff notes and family answers removed"),
}
