"""Money per program: budget, committed, paid and remaining, in one query.

Every flag's page shows its program's figures, and the ORM spent more Python building the four
subqueries than the database spent summing: the query is written by hand (fii.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import DecimalField

from fii.models import Organization
from fii.sql import Table, fetch_rows, select

from ..models import (
    Disbursement,
    DisbursementStatus,
    Loan,
    LoanStatus,
    Program,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)  # a sum of money, in the ORM's annotations
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProgramBudget:
    program: Program
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.program.budget - self.committed

    @property
    def percent_committed(self) -> int:
        budget = self.program.budget
        return min(100, round(100 * self.committed / budget)) if budget else 0


@cache
def _budgets_query(one: bool, active_only: bool) -> tuple[Table[Program], str]:
    """Return the programs with four sums each, as correlated subqueries (one statement).

    Committed: every disbursement and every loan not cancelled (a failed payment is still owed).
    Paid: disbursements paid, and loans whose money went out (not cancelled, started by today).
    """
    programs, payments, loans = Table(Program, "p"), Table(Disbursement, "d"), Table(Loan, "l")

    def total(table: Table[Any], column: str, condition: str) -> str:
        where = f"{table.column('program')} = {programs.column('id')} AND {condition}"
        inner = f"SELECT SUM({table.column(column)}) FROM {table.name} WHERE {where}"  # noqa: S608
        return f"COALESCE(({inner}), 0)"

    live_loan = f"{loans.column('status')} <> %s"
    sums = ", ".join(
        [
            total(payments, "amount", f"{payments.column('status')} <> %s"),
            total(loans, "principal", live_loan),
            total(payments, "amount", f"{payments.column('status')} = %s"),
            total(loans, "principal", f"{live_loan} AND {loans.column('start_on')} <= %s"),
        ]
    )
    where = f"{programs.column('organization')} = %s"
    if one:
        where += f" AND {programs.column('id')} = %s"
    if active_only:
        where += f" AND {programs.column('active')} = %s"
    sql = select(programs, where=where, order_by=programs.order())
    return programs, sql.replace(" FROM ", f", {sums} FROM ", 1)


def _money(value: Any) -> Decimal:
    """Return a sum as money: PostgreSQL gives a Decimal, SQLite a number."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def _read_budgets(
    organization: Organization, program_id: int | None = None, active_only: bool = False
) -> list[ProgramBudget]:
    programs, sql = _budgets_query(program_id is not None, active_only)
    today = Table(Loan, "l").value("start_on", organization.today())
    params: list[Any] = [
        DisbursementStatus.CANCELLED.value,
        LoanStatus.CANCELLED.value,
        DisbursementStatus.PAID.value,
        LoanStatus.CANCELLED.value,
        today,
        organization.pk,
    ]
    if program_id is not None:
        params.append(program_id)
    if active_only:
        params.append(True)
    width = len(programs.fields)
    budgets = []
    for row in fetch_rows(programs.db, sql, params):
        committed = _money(row[width]) + _money(row[width + 1])
        paid = _money(row[width + 2]) + _money(row[width + 3])
        budgets.append(ProgramBudget(programs.build(row[:width]), committed, paid))  # type: ignore[arg-type]
    return budgets


def program_budgets(
    *, organization: Organization, active_only: bool = False
) -> list[ProgramBudget]:
    """Return every program with its budget, money committed, paid and remaining (one query)."""
    return _read_budgets(organization, active_only=active_only)


def program_budget(*, organization: Organization, program_id: int) -> ProgramBudget:
    """Return one program's budget figures (one query); raise Program.DoesNotExist."""
    found = _read_budgets(organization, program_id=program_id)
    if not found:
        raise Program.DoesNotExist(f"No program {program_id} in {organization.slug}.")
    return found[0]
