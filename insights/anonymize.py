"""What funders may see: counts built on too few families are never shown."""

from __future__ import annotations


def suppressed_count(count: int, *, min_cell: int, round_to: int = 5) -> int | None:
    """Return the count rounded to `round_to`, or None when fewer than `min_cell` families."""
    if count < min_cell:
        return None
    return int(round_to * round(count / round_to)) if round_to > 1 else count
