"""Reading uploaded CSV files, the column names, and the templates to start from."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from fii.models import Organization

from ..models import Indicator

MAX_IMPORT_BYTES = 5 * 1024 * 1024

FAMILIES, JOURNALS = "families", "journals"
FAMILY_REQUIRED = ["household_name", "group_name", "joined_on", "household_size", "baseline_income"]
FAMILY_OPTIONAL = ["baseline_savings", "baseline_debt"]
JOURNAL_REQUIRED = ["household_name", "period"]


class ImportFileError(Exception):
    """An uploaded file cannot be read at all (size, encoding, not text)."""


def decode_upload(data: bytes, *, label: str) -> str:
    """Return the text of an uploaded CSV file, or raise ImportFileError saying why not."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _("%(file)s is larger than 5 MB: split it into several files.") % {"file": label}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("%(file)s is not UTF-8 text: in your spreadsheet, save it as 'CSV UTF-8'.")
            % {"file": label}
        ) from exc
    if "\x00" in text:
        raise ImportFileError(
            _("%(file)s is not a CSV file: save the spreadsheet as 'CSV UTF-8'.") % {"file": label}
        )
    return text


def header_key(text: str) -> str:
    """Return a column name as a key: "Household name " and "household_name" are the same."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


# Templates ---------------------------------------------------------------------------------


def families_template() -> list[list[str]]:
    """Return the rows of the families file's template: its header and an example."""
    return [
        [*FAMILY_REQUIRED, *FAMILY_OPTIONAL],
        ["The Rivera household", "Eastside group", "2024-01-15", "4", "2200", "150", "3000"],
    ]


def journals_template(*, organization: Organization) -> list[list[str]]:
    """Return the rows of the journals file's template for the organization's indicators."""
    active = Indicator.objects.for_org(organization).active().order_by("position", "code")
    # Built-in indicators first, in the catalog's order, then the organization's own.
    codes = [i.code for i in active if i.is_builtin] + [i.code for i in active if not i.is_builtin]
    example = ["The Rivera household", "2024-02", *["" for _code in codes]]
    return [[*JOURNAL_REQUIRED, *codes], example]


def count_rows(text: str) -> int:
    """Return how many data rows (not blank, not the header) a CSV text has."""
    if not text.strip():
        return 0
    try:
        rows = sum(1 for cells in csv.reader(io.StringIO(text)) if any(cells))
    except csv.Error:  # the check reports it; for the progress bar, lines will do
        rows = text.count("\n") + 1
    return max(rows - 1, 0)


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(reader, start=2):
            if any(c.strip() for c in cells):
                yield number, cells

    return [header_key(h) for h in header], body()
