"""Names shared by the funder tables: the tables, statuses and spans of months since joining."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

TABLES = ("organizations", "trajectories", "mutuality", "capital", "deviants", "costs")
HELP_MONTHS = 12

# Statuses: partitions of a cell's families, each summing to ALL.
ALL = "all"
REPORTED, NOT_REPORTED = "reported", "not_reported"
ABOVE, BELOW = "above", "below"
REACHED, NOT_REACHED = "reached", "not_reached"
RANKED, DEVIANT, OTHER = "ranked", "deviant", "other"


@dataclass(frozen=True)
class Bucket:
    """A span of months since joining; ``start`` is the baseline given when joining."""

    key: str
    low: int
    high: int
    label: Any
    phrase: Any  # for a sentence: "when they joined", "6 to 11 months after joining"


BUCKETS: tuple[Bucket, ...] = (
    Bucket("start", -1, -1, _("At joining"), _("when they joined")),
    Bucket("0-5", 0, 5, _("0 to 5 months"), _("0 to 5 months after joining")),
    Bucket("6-11", 6, 11, _("6 to 11 months"), _("6 to 11 months after joining")),
    Bucket("12-17", 12, 17, _("12 to 17 months"), _("12 to 17 months after joining")),
    Bucket("18-23", 18, 23, _("18 to 23 months"), _("18 to 23 months after joining")),
    Bucket("24-35", 24, 35, _("2 years"), _("two years after joining")),
    Bucket("36-47", 36, 47, _("3 years"), _("three years after joining")),
    Bucket("48+", 48, 10**6, _("4 years or more"), _("four years or more after joining")),
)
BUCKET_LABELS = {b.key: b.label for b in BUCKETS}
BUCKET_PHRASES = {b.key: b.phrase for b in BUCKETS}
