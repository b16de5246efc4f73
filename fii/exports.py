"""CSV and XLSX files whose cells a spreadsheet shows as data: every export writes through here.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) gets a leading apostrophe, as OWASP's "CSV Injection" page advises; control
characters other than tab, newline and carriage return are dropped, since XLSX cannot hold them.
Numbers stay numbers, and so does a text that is only a number ("-3"): no spreadsheet runs it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
MAX_XLSX_CELL = 32_767  # characters in one XLSX cell

Row = Sequence[Any]


def defuse_text(text: str) -> str:
    """Return text without control characters, with an apostrophe before a formula's start."""
    text = CONTROL.sub("", text)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def defuse(value: Any) -> Any:
    """Return a cell value a spreadsheet stores as data: numbers and dates as they are."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat(sep=" ")  # XLSX has no time zones; the text keeps the offset
    if value is None or isinstance(value, int | dt.date | dt.time):  # bool is an int
        return value
    return defuse_text(str(value))


def defused(rows: Iterable[Row]) -> Iterator[list[Any]]:
    """Yield every row with every cell defused."""
    for row in rows:
        yield [defuse(value) for value in row]


def csv_text(rows: Iterable[Row]) -> str:
    """Return rows (the header first) as CSV text."""
    out = io.StringIO()
    csv.writer(out).writerows(defused(rows))
    return out.getvalue()


def csv_bytes(rows: Iterable[Row]) -> bytes:
    """Return rows as UTF-8 CSV with a byte-order mark, so spreadsheets read accents right."""
    return ("\ufeff" + csv_text(rows)).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    return value[:MAX_XLSX_CELL] if isinstance(value, str) else value


def xlsx_bytes(rows: Iterable[Row], *, title: str) -> bytes:
    """Return rows as a workbook of one sheet, the first row (the header) in bold."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title)
    bold = Font(bold=True)
    for number, row in enumerate(defused(rows)):
        cells = [WriteOnlyCell(sheet, value=_xlsx_value(value)) for value in row]
        if number == 0:
            for cell in cells:
                cell.font = bold
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Return a response that saves the body as a file."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(rows: Iterable[Row], *, filename: str) -> HttpResponse:
    return download(csv_bytes(rows), filename=filename, content_type=CSV_TYPE)


def xlsx_download(rows: Iterable[Row], *, filename: str, title: str) -> HttpResponse:
    return download(xlsx_bytes(rows, title=title), filename=filename, content_type=XLSX_TYPE)
