"""Numbers as people type them, read the same way by the journal form and the CSV import."""

from __future__ import annotations

import re

# "1,200" and "-1,200,000": commas that group thousands, not a decimal comma.
THOUSANDS_WITH_COMMAS = re.compile(r"-?\d{1,3}(,\d{3})+")


def normalize_number(text: str) -> str:
    """Return typed text as Python's float() reads it: "$1,200", "1 200", "1.200,50", "12,5"."""
    cleaned = re.sub(r"[\s$€£]", "", text)
    if "," in cleaned and "." in cleaned:
        # The separator written last is the decimal one: "1.200,50" and "1,200.50".
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return cleaned.replace(thousands, "").replace(decimal, ".")
    if "," in cleaned:
        grouped = THOUSANDS_WITH_COMMAS.fullmatch(cleaned)
        return cleaned.replace(",", "" if grouped else ".")
    return cleaned
