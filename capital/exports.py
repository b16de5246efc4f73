"""Spreadsheets of the queue, the decisions and the ledger, as CSV or XLSX.

The files are written by ``fii.exports``, which makes every cell safe to open; odd data never
fails an export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fii.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

from .models import Disbursement, Flag, Repayment, Review
from .selectors import LoanLine


@dataclass
class Table:
    """A sheet: a title, the column headers and the rows."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]


def cell(value: Any) -> Any:
    """Return a value as these spreadsheets show it: yes or no, dates and UTC times as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


def _counted(table: Table, counter: list[int]) -> Iterator[list[Any]]:
    """Yield the headers, then the rows as they are read, counting them."""
    yield table.headers
    for row in table.rows:
        counter[0] += 1
        yield [cell(value) for value in row]


def to_csv(table: Table, counter: list[int]) -> bytes:
    return csv_bytes(_counted(table, counter))


def to_xlsx(table: Table, counter: list[int]) -> bytes:
    return xlsx_bytes(_counted(table, counter), title=table.title)


WRITERS: dict[str, tuple[Callable[[Table, list[int]], bytes], str]] = {
    "csv": (to_csv, CSV_TYPE),
    "xlsx": (to_xlsx, XLSX_TYPE),
}
