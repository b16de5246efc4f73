"""The US federal poverty line, to place a household's income against it.

The 2025 HHS poverty guidelines for the 48 contiguous states and the District of Columbia:
15,650 USD a year for one person and 5,500 USD for each additional person (Alaska and Hawaii
have higher guidelines, not modelled here).
"""

from __future__ import annotations

GUIDELINE_YEAR = 2025
FIRST_PERSON_ANNUAL = 15_650.0
EACH_ADDITIONAL_ANNUAL = 5_500.0


def poverty_line_annual(household_size: int) -> float:
    """Return the yearly poverty guideline in USD for a household of this many people."""
    if household_size < 1:
        raise ValueError("A household has at least one person.")
    return FIRST_PERSON_ANNUAL + EACH_ADDITIONAL_ANNUAL * (household_size - 1)


def poverty_line_monthly(household_size: int) -> float:
    """Return the monthly poverty guideline in USD (the yearly one divided by twelve)."""
    return poverty_line_annual(household_size) / 12
