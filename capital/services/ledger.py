"""Changes to the ledger: a scheduled payment paid, failed or cancelled; a loan repaid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fii.audit import audit_record
from fii.models import Organization

from ..models import CENT, Disbursement, DisbursementStatus, Loan, LoanStatus, Repayment
from ..selectors import loan_line, loans_with_repaid

S = DisbursementStatus

# Where a payment may go from where it is; a paid or cancelled payment is final.
DISBURSEMENT_MOVES: dict[str, tuple[str, ...]] = {
    S.SCHEDULED: (S.PAID, S.FAILED, S.CANCELLED),
    S.FAILED: (S.PAID, S.SCHEDULED, S.CANCELLED),
}
LOAN_MOVES: dict[str, tuple[str, ...]] = {
    LoanStatus.ACTIVE: (LoanStatus.CANCELLED, LoanStatus.WRITTEN_OFF),
}


class LedgerConflict(Exception):
    """The row changed since the person saw it; nothing was changed."""

    def __init__(self) -> None:
        super().__init__(_("Someone else changed this a moment ago. Here is how it stands now."))


@transaction.atomic
def disbursement_set_status(
    *,
    organization: Organization,
    actor: Any,
    disbursement_id: int,
    status: str,
    expected_status: str,
    paid_on: date | None = None,
    request: HttpRequest | None = None,
) -> Disbursement:
    """Mark a scheduled payment paid (on a day not in the future), failed or cancelled."""
    payment = Disbursement.objects.for_org(organization).get(pk=disbursement_id)
    if status not in DISBURSEMENT_MOVES.get(expected_status, ()):
        raise ValidationError({"status": _("A payment cannot go from this status to that one.")})
    if status == S.PAID and (paid_on is None or paid_on > organization.today()):
        raise ValidationError({"paid_on": _("Enter the day it was paid: today or earlier.")})
    changed = Disbursement.objects.filter(pk=payment.pk, status=expected_status).update(
        status=status, paid_on=paid_on if status == S.PAID else None
    )
    if changed != 1:
        raise LedgerConflict
    payment.refresh_from_db()
    audit_record(
        action="disbursement.status_changed",
        actor=actor,
        organization=organization,
        obj=payment,
        request=request,
        detail={"from": expected_status, "to": status},
    )
    return payment


def _repayment_errors(amount: Any, paid_on: date | None, *, loan: Any, today: date) -> dict:
    errors: dict[str, str] = {}
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return {"amount": _("Enter an amount as a number.")}
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        errors["amount"] = _("Enter an amount greater than zero, with at most two decimals.")
    elif value > (owed := loan_line(loan, today).outstanding):
        errors["amount"] = _("That is more than the %(owed)s still owed on this loan.") % {
            "owed": f"{owed:,.2f}"
        }
    if paid_on is None or paid_on > today:
        errors["paid_on"] = _("Enter the day it was paid: today or earlier.")
    elif paid_on < loan.start_on:
        errors["paid_on"] = _("A repayment cannot come before the loan started.")
    return errors


@transaction.atomic
def repayment_record(
    *,
    organization: Organization,
    actor: Any,
    loan_id: int,
    amount: Any,
    paid_on: date | None,
    request: HttpRequest | None = None,
) -> Repayment:
    """Record money repaid on an active loan; the loan is repaid when nothing is owed."""
    # Locked: two people recording the last instalment at once cannot both pass the check.
    Loan.objects.for_org(organization).select_for_update().get(pk=loan_id)
    loan = loans_with_repaid(organization=organization).get(pk=loan_id)
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError({"amount": _("This loan is closed: it takes no more repayments.")})
    today = organization.today()
    if errors := _repayment_errors(amount, paid_on, loan=loan, today=today):
        raise ValidationError(errors)
    assert paid_on is not None  # checked above
    repayment = Repayment.objects.create(
        organization=organization, loan=loan, amount=Decimal(amount), paid_on=paid_on
    )
    if loan_line(loan, today).outstanding - repayment.amount <= 0:
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.REPAID)
    audit_record(
        action="repayment.recorded",
        actor=actor,
        organization=organization,
        obj=repayment,
        request=request,
        detail={"loan_id": loan.pk},
    )
    return repayment


@transaction.atomic
def loan_set_status(
    *,
    organization: Organization,
    actor: Any,
    loan_id: int,
    status: str,
    expected_status: str,
    request: HttpRequest | None = None,
) -> Loan:
    """Cancel a loan nothing was repaid on, or write off what is left of an active one."""
    loan = Loan.objects.for_org(organization).select_for_update().get(pk=loan_id)
    if status not in LOAN_MOVES.get(expected_status, ()):
        raise ValidationError({"status": _("A loan cannot go from this status to that one.")})
    if status == LoanStatus.CANCELLED and loan.repayments.exists():
        raise ValidationError({"status": _("A loan with repayments cannot be cancelled.")})
    changed = Loan.objects.filter(pk=loan.pk, status=expected_status).update(status=status)
    if changed != 1:
        raise LedgerConflict
    loan.status = status
    audit_record(
        action="loan.status_changed",
        actor=actor,
        organization=organization,
        obj=loan,
        request=request,
        detail={"from": expected_status, "to": status},
    )
    return loan
