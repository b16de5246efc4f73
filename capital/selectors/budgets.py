"""Money per program: budget, committed, paid and remaining, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fii.models import Organization

from ..models import (
    Disbursement,
    DisbursementStatus,
    Loan,
    LoanStatus,
    Program,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _total(model: Any, field: str, condition: Q) -> Coalesce:
    """Return a subquery annotation: the sum of ``field`` over the program's rows meeting it."""
    rows = (
        model.objects.filter(condition, program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(Decimal("0"), output_field=MONEY))


def with_budget_figures(programs: QuerySet[Program], today: date) -> QuerySet[Program]:
    """Annotate programs with money committed and paid out, in one query however many rows.

    Committed: every disbursement and every loan not cancelled (a failed payment is still owed).
    Paid: disbursements paid, and loans whose money went out (not cancelled, started).
    """
    live_loan = ~Q(status=LoanStatus.CANCELLED)
    return programs.annotate(
        committed_disbursements=_total(
            Disbursement, "amount", ~Q(status=DisbursementStatus.CANCELLED)
        ),
        committed_loans=_total(Loan, "principal", live_loan),
        paid_disbursements=_total(Disbursement, "amount", Q(status=DisbursementStatus.PAID)),
        paid_loans=_total(Loan, "principal", live_loan & Q(start_on__lte=today)),
    )


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


def _budget(program: Any) -> ProgramBudget:
    return ProgramBudget(
        program=program,
        committed=program.committed_disbursements + program.committed_loans,
        paid=program.paid_disbursements + program.paid_loans,
    )


def program_budgets(
    *, organization: Organization, active_only: bool = False
) -> list[ProgramBudget]:
    """Return every program with its budget, money committed, paid and remaining (one query)."""
    programs = Program.objects.for_org(organization)
    if active_only:
        programs = programs.active()
    return [_budget(p) for p in with_budget_figures(programs, organization.today())]


def program_budget(*, organization: Organization, program_id: int) -> ProgramBudget:
    """Return one program's budget figures (one query); raise Program.DoesNotExist."""
    programs = Program.objects.for_org(organization).filter(pk=program_id)
    return _budget(with_budget_figures(programs, organization.today()).get())
