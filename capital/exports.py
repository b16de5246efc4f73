"""Spreadsheets of the queue, the decisions and the ledger, as CSV or XLSX.

Every cell is made safe first: a text that a spreadsheet would run as a formula (it starts with
=, +, -, @ or a tab) is prefixed with an apostrophe, and control characters that XLSX cannot
hold are dropped. Odd data never fails an export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from .models import Disbursement, Flag, Repayment, Review
from .selectors import LoanLine

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CELL = 32_000  # XLSX holds at most 32,767 characters in a cell


@dataclass
class Table:
    """A sheet: a title, the column headers and the rows."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]


def safe_text(value: str) -> str:
    text = CONTROL.sub("", value)[:MAX_CELL]
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> Any:
    """Return a value a spreadsheet stores as it is: numbers stay numbers, text is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return value if value.is_finite() else ""
    if isinstance(value, float):
        return value if math.isfinite(value) else ""
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_text(str(value))


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _person(user: Any) -> str:
    return user.email if user is not None else ""


# --- the tables ----------------------------------------------------------------------------------


def queue_table(flags: Iterable[Flag]) -> Table:
    def row(flag: Flag) -> list[Any]:
        met = sum(1 for item in flag.evidence or [] if isinstance(item, dict) and item.get("met"))
        return [
            flag.pk,
            flag.program.name,
            _name(flag.family),
            _name(flag.group or (flag.family.group if flag.family else None)),
            flag.get_status_display(),
            round(flag.score, 1),
            f"{met}/{len(flag.evidence or [])}",
            flag.opened_at,
            flag.refreshed_at,
        ]

    headers = [
        "flag",
        "program",
        "family",
        "group",
        "status",
        "score",
        "criteria met",
        "opened",
        "refreshed",
    ]
    return Table("Queue", headers, (row(f) for f in flags))


def decisions_table(reviews: Iterable[Review]) -> Table:
    def row(review: Review) -> list[Any]:
        flag = review.flag
        return [
            review.decided_at,
            review.get_decision_display(),
            _person(review.reviewer),
            flag.pk,
            flag.program.name,
            _name(flag.family),
            _name(flag.group),
            review.amount,
            review.note,
            review.answer,
            review.answered_at,
        ]

    headers = [
        "decided at",
        "decision",
        "by",
        "flag",
        "program",
        "family",
        "group",
        "amount",
        "note",
        "family's answer",
        "answered at",
    ]
    return Table("Decisions", headers, (row(r) for r in reviews))


LEDGER_HEADERS = [
    "record",
    "id",
    "program",
    "family",
    "group",
    "amount",
    "date",
    "status",
    "payment",
    "loan",
    "yearly rate",
    "months",
    "repaid",
    "outstanding",
    "arrears",
]


def _disbursement_row(d: Disbursement) -> list[Any]:
    return [
        "payment",
        d.pk,
        d.program.name,
        _name(d.family),
        _name(d.group),
        d.amount,
        d.paid_on or d.due_on,
        d.get_status_display(),
        f"{d.instalment}/{d.instalments}",
        "",
        "",
        "",
        "",
        "",
        "",
    ]


def _loan_row(line: LoanLine) -> list[Any]:
    loan = line.loan
    return [
        "loan",
        loan.pk,
        loan.program.name,
        _name(loan.family),
        "",
        loan.principal,
        loan.start_on,
        loan.get_status_display(),
        "",
        loan.pk,
        loan.annual_rate,
        loan.term_months,
        line.repaid,
        line.outstanding,
        line.arrears,
    ]


def _repayment_row(r: Repayment) -> list[Any]:
    loan = r.loan
    return [
        "repayment",
        r.pk,
        loan.program.name,
        _name(loan.family),
        "",
        r.amount,
        r.paid_on,
        "",
        "",
        loan.pk,
        "",
        "",
        "",
        "",
        "",
    ]


def ledger_table(
    disbursements: Iterable[Disbursement],
    loans: Iterable[LoanLine],
    repayments: Iterable[Repayment],
) -> Table:
    """Return payments, loans and repayments as one table, a record type on each row."""

    def rows() -> Iterator[list[Any]]:
        yield from (_disbursement_row(d) for d in disbursements)
        yield from (_loan_row(line) for line in loans)
        yield from (_repayment_row(r) for r in repayments)

    return Table("Ledger", LEDGER_HEADERS, rows())


# --- the files -----------------------------------------------------------------------------------


def _counted(rows: Iterable[list[Any]], counter: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        counter[0] += 1
        yield [cell(value) for value in row]


def to_csv(table: Table, counter: list[int]) -> bytes:
    """Return the table as UTF-8 CSV with a byte-order mark, which spreadsheets read right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(_counted(table.rows, counter))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, counter: list[int]) -> bytes:
    """Return the table as one worksheet of an XLSX workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.title)
    sheet.append(table.headers)
    for row in _counted(table.rows, counter):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS: dict[str, tuple[Callable[[Table, list[int]], bytes], str]] = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
