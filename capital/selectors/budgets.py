"""Money per program: budget, committed, paid and remaining, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fii.models import Organization

from ..models import Disbursement, Loan, Program, ProgramQuerySet

MONEY = DecimalField(max_digits=16, decimal_places=2)  # a sum of money, in the ORM's annotations
ZERO = Value(Decimal("0"), output_field=MONEY)


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


def _total(rows: QuerySet[Disbursement] | QuerySet[Loan], column: str) -> Coalesce:
    """Return the sum of ``column`` over the rows of the outer query's program, 0 when none."""
    total = (
        rows.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def programs_with_money(*, organization: Organization, today: date) -> ProgramQuerySet:
    """Return the organization's programs annotated with the money ``committed`` and ``paid``.

    Committed: every payment and every loan not cancelled (a failed payment is still owed).
    Paid: payments paid, and loans whose money went out (not cancelled, started by today).
    """
    payments, loans = Disbursement.objects.all(), Loan.objects.all()
    return Program.objects.for_org(organization).annotate(
        committed=_total(payments.committed(), "amount") + _total(loans.committed(), "principal"),
        paid=_total(payments.paid(), "amount") + _total(loans.paid_out(today), "principal"),
    )


def _budget(program: Program) -> ProgramBudget:
    return ProgramBudget(program, program.committed, program.paid)  # type: ignore[attr-defined]


def program_budgets(
    *, organization: Organization, active_only: bool = False
) -> list[ProgramBudget]:
    """Return every program with its budget, money committed, paid and remaining (one query)."""
    programs = programs_with_money(organization=organization, today=organization.today())
    if active_only:
        programs = programs.active()
    return [_budget(program) for program in programs]


def program_budget(*, organization: Organization, program_id: int) -> ProgramBudget:
    """Return one program's budget figures (one query); raise Program.DoesNotExist."""
    programs = programs_with_money(organization=organization, today=organization.today())
    return _budget(programs.get(pk=program_id))
