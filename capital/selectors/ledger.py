"""The ledger's rows: scheduled payments, loans with arrears, and a family's own money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from families.models import Family
from fii.models import Organization

from ..models import (
    Disbursement,
    Instalment,
    Loan,
    LoanQuerySet,
    LoanStatus,
    Repayment,
)
from .budgets import MONEY, ZERO


@dataclass(frozen=True)
class LoanLine:
    """A loan with what was repaid, what is still owed and what is late."""

    loan: Loan
    schedule: list[Instalment]
    repaid: Decimal
    today: date

    @property
    def total_due(self) -> Decimal:
        return sum((i.amount for i in self.schedule), Decimal("0"))

    @property
    def outstanding(self) -> Decimal:
        return max(Decimal("0"), self.total_due - self.repaid)

    @property
    def due_to_date(self) -> Decimal:
        return sum((i.amount for i in self.schedule if i.due_on <= self.today), Decimal("0"))

    @property
    def arrears(self) -> Decimal:
        """Return what the schedule asked for by today and was not repaid."""
        if self.loan.status != LoanStatus.ACTIVE:
            return Decimal("0")
        return max(Decimal("0"), self.due_to_date - self.repaid)

    @property
    def next_instalment(self) -> Instalment | None:
        paid = self.repaid
        for instalment in self.schedule:
            paid -= instalment.amount
            if paid < 0:
                return instalment
        return None


def repaid_total() -> Coalesce:
    """Return the sum repaid on the outer query's loan, 0 when nothing was repaid."""
    repaid = (
        Repayment.objects.filter(loan=OuterRef("pk"))
        .order_by()
        .values("loan")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(repaid, output_field=MONEY), ZERO)


def loans_with_repaid(*, organization: Organization) -> LoanQuerySet:
    """Return the organization's loans annotated with the sum repaid on each."""
    return (
        Loan.objects.for_org(organization)
        .select_related("program", "family")
        .annotate(repaid=repaid_total())
    )


def loan_line(loan: Any, today: date) -> LoanLine:
    """Return a loan annotated by ``loans_with_repaid`` as a ledger line."""
    return LoanLine(loan=loan, schedule=loan.schedule(), repaid=loan.repaid, today=today)


def ledger_disbursements(
    *,
    organization: Organization,
    status: str = "",
    program_id: int | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> QuerySet[Disbursement]:
    """Return the organization's scheduled payments, filtered, with their recipient."""
    rows = Disbursement.objects.for_org(organization).select_related("program", "family", "group")
    if status:
        rows = rows.filter(status=status)
    if program_id is not None:
        rows = rows.filter(program_id=program_id)
    if due_from is not None:
        rows = rows.filter(due_on__gte=due_from)
    if due_to is not None:
        rows = rows.filter(due_on__lte=due_to)
    return rows.order_by("due_on", "pk")


@dataclass(frozen=True)
class FamilyLoan:
    line: LoanLine
    repayments: list[Repayment]


@dataclass(frozen=True)
class FamilyLedger:
    disbursements: list[Disbursement]
    loans: list[FamilyLoan]

    @property
    def is_empty(self) -> bool:
        return not self.disbursements and not self.loans


def family_ledger(*, organization: Organization, family: Family) -> FamilyLedger:
    """Return the money committed to the family: payments, loans and their repayments.

    Two queries, and a third for the repayments when the family has a loan.
    """
    today = organization.today()
    disbursements = list(
        Disbursement.objects.for_org(organization)
        .committed()
        .filter(family=family)
        .select_related("program")
    )
    repayments = Prefetch("repayments", queryset=Repayment.objects.for_org(organization))
    loans = (
        loans_with_repaid(organization=organization)
        .committed()
        .filter(family=family)
        .prefetch_related(repayments)
    )
    return FamilyLedger(
        disbursements,
        [FamilyLoan(loan_line(loan, today), list(loan.repayments.all())) for loan in loans],
    )
