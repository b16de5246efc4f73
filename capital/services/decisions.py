"""Deciding on a flag: approve (with a commitment in the ledger), decline, defer, or ask.

A decision is a conditional UPDATE of the flag's status from the status the person saw: of two
people deciding at once, exactly one changes the row, and the other is told so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Family
from fii.audit import audit_record
from fii.models import Organization

from ..models import (
    CENT,
    LIVE_STATUSES,
    Decision,
    Disbursement,
    Flag,
    FlagStatus,
    Loan,
    Program,
    Review,
    add_months,
)
from ..selectors import is_loan_program, program_budget

MAX_AMOUNT = Decimal("999999999999.99")  # what the ledger's columns hold
MAX_INSTALMENTS = 120
MAX_TEXT = 2000


class FlagConflict(Exception):
    """Someone else decided the flag first; nothing was changed."""

    def __init__(self, status: str) -> None:
        super().__init__(_("Someone else decided this flag a moment ago."))
        self.status = status


@dataclass(frozen=True)
class Terms:
    """How an approved amount is paid: ``instalments`` monthly payments from ``start_on``.

    For a loan, ``start_on`` is the day the money is lent, the loan lasts ``instalments``
    months and ``annual_rate`` is a fraction (0.05 is 5% a year).
    """

    instalments: int
    start_on: date
    annual_rate: Decimal = Decimal("0")


NEXT_STATUS: dict[str, str] = {
    Decision.APPROVE: FlagStatus.APPROVED,
    Decision.DECLINE: FlagStatus.DECLINED,
    Decision.DEFER: FlagStatus.DEFERRED,
    Decision.ASK_INFO: FlagStatus.ASKED,
}
# A question waits for its answer before another is asked; any other decision may follow it.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    Decision.APPROVE: LIVE_STATUSES,
    Decision.DECLINE: LIVE_STATUSES,
    Decision.DEFER: LIVE_STATUSES,
    Decision.ASK_INFO: (FlagStatus.OPEN, FlagStatus.IN_REVIEW),
}


# --- checking what was asked ---------------------------------------------------------------------


def _amount_errors(amount: Any) -> list[str]:
    if amount is None:
        return [_("Enter the amount to commit.")]
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return [_("Enter an amount as a number.")]
    if not value.is_finite() or value <= 0:
        return [_("Enter an amount greater than zero.")]
    if value > MAX_AMOUNT or value != value.quantize(CENT):
        return [_("Enter an amount with at most two decimals.")]
    return []


def _terms_errors(terms: Terms | None, *, today: date, is_loan: bool) -> dict[str, str]:
    if terms is None:
        return {"instalments": _("Say how the amount is paid.")}
    errors = {}
    if not 1 <= terms.instalments <= MAX_INSTALMENTS:
        errors["instalments"] = _("Enter between 1 and %(n)d monthly payments.") % {
            "n": MAX_INSTALMENTS
        }
    if terms.start_on < today:
        errors["start_on"] = _("The first payment cannot be in the past.")
    if not Decimal("0") <= terms.annual_rate <= Decimal("1"):
        errors["annual_rate"] = _("Enter a yearly rate between 0% and 100%.")
    if terms.annual_rate and not is_loan:
        errors["annual_rate"] = _("Only a loan carries interest.")
    return errors


def _check(
    *,
    flag: Flag,
    decision: str,
    note: str,
    amount: Any,
    terms: Terms | None,
    defer_until: date | None,
    today: date,
) -> None:
    """Raise ValidationError, by field, for what the decision needs and did not get."""
    errors: dict[str, Any] = {}
    if decision not in NEXT_STATUS:
        raise ValidationError({"decision": _("Choose approve, decline, defer or ask.")})
    if len(note) > MAX_TEXT:
        errors["note"] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
    if decision == Decision.APPROVE:
        if amount_errors := _amount_errors(amount):
            errors["amount"] = amount_errors
        errors.update(_terms_errors(terms, today=today, is_loan=is_loan_program(flag.program)))
    elif decision == Decision.DECLINE and not note:
        errors["note"] = _("Say why the flag is declined.")
    elif decision == Decision.ASK_INFO and not note:
        errors["note"] = _("Write the question for the family.")
    elif decision == Decision.DEFER and (defer_until is None or defer_until <= today):
        errors["defer_until"] = _("Choose a date after today.")
    if errors:
        raise ValidationError(errors)


# --- committing the money ------------------------------------------------------------------------


def split(amount: Decimal, parts: int) -> list[Decimal]:
    """Split an amount into ``parts`` payments of whole cents; the last takes the remainder."""
    share = (amount / parts).quantize(CENT, rounding=ROUND_DOWN)
    if share <= 0:
        raise ValidationError({"instalments": _("The amount is too small for that many payments.")})
    return [share] * (parts - 1) + [amount - share * (parts - 1)]


def _reserve(*, organization: Organization, flag: Flag, amount: Decimal) -> Program:
    """Lock the program's row and refuse an amount its remaining budget cannot cover."""
    # The lock makes approvals of one program wait for each other: two cannot both see the
    # same remaining budget and together commit more than it.
    program = Program.objects.for_org(organization).select_for_update().get(pk=flag.program_id)
    remaining = program_budget(organization=organization, program_id=program.pk).remaining
    if amount > remaining:
        raise ValidationError(
            {
                "amount": _(
                    "This is more than the program has left: %(remaining)s %(currency)s "
                    "of its budget is not committed yet."
                )
                % {
                    "remaining": f"{max(remaining, Decimal('0')):,.2f}",
                    "currency": program.currency,
                }
            }
        )
    return program


def _commit(*, flag: Flag, program: Program, amount: Decimal, terms: Terms) -> list[Any]:
    """Create the loan, or the scheduled payments, that an approval promises."""
    if is_loan_program(program) and flag.family_id is not None:
        loan = Loan.objects.create(
            organization_id=flag.organization_id,
            program=program,
            family_id=flag.family_id,
            flag=flag,
            principal=amount,
            annual_rate=terms.annual_rate,
            term_months=terms.instalments,
            start_on=terms.start_on,
        )
        return [loan]
    payments = split(amount, terms.instalments)
    return Disbursement.objects.bulk_create(
        Disbursement(
            organization_id=flag.organization_id,
            program=program,
            flag=flag,
            family_id=flag.family_id,
            group_id=flag.group_id,
            amount=payment,
            due_on=add_months(terms.start_on, number - 1),
            instalment=number,
            instalments=terms.instalments,
        )
        for number, payment in enumerate(payments, start=1)
    )


# --- the decision --------------------------------------------------------------------------------


def _claim(*, flag: Flag, decision: str, expected_status: str, defer_until: date | None) -> None:
    """Move the flag from the status its decider saw; raise FlagConflict if it had moved."""
    if expected_status not in ALLOWED_FROM[decision]:
        if expected_status == FlagStatus.ASKED and decision == Decision.ASK_INFO:
            raise ValidationError({"note": _("A question already waits for the family's answer.")})
        raise FlagConflict(expected_status)
    closes = decision != Decision.ASK_INFO
    changed = Flag.objects.filter(
        pk=flag.pk, organization_id=flag.organization_id, status=expected_status
    ).update(
        status=NEXT_STATUS[decision],
        closed_at=timezone.now() if closes else None,
        deferred_until=defer_until if decision == Decision.DEFER else None,
    )
    if changed != 1:
        raise FlagConflict(expected_status)


@transaction.atomic
def flag_decide(
    *,
    organization: Organization,
    actor: Any,
    flag_id: int,
    decision: str,
    note: str,
    amount: Any = None,
    terms: Terms | None = None,
    defer_until: date | None = None,
    expected_status: str,
    request: HttpRequest | None = None,
) -> Review:
    """Record one person's decision on a flag, and on approval the commitment it makes.

    1. Check the decision's inputs (ValidationError, by field).
    2. Move the flag from ``expected_status``, the status the person saw (FlagConflict if
       someone else moved it first).
    3. On approval, lock the program and check its budget, then create the loan or payments.
    4. Write the review and an audit event. Any failure undoes every step.
    """
    flag = Flag.objects.for_org(organization).select_related("program").get(pk=flag_id)
    note = (note or "").strip()
    _check(
        flag=flag,
        decision=decision,
        note=note,
        amount=amount,
        terms=terms,
        defer_until=defer_until,
        today=organization.today(),
    )
    _claim(flag=flag, decision=decision, expected_status=expected_status, defer_until=defer_until)
    committed: list[Any] = []
    if decision == Decision.APPROVE:
        value = Decimal(amount)
        program = _reserve(organization=organization, flag=flag, amount=value)
        committed = _commit(flag=flag, program=program, amount=value, terms=terms)  # type: ignore[arg-type]
    review = Review.objects.create(
        organization=organization,
        flag=flag,
        reviewer=actor if getattr(actor, "is_authenticated", False) else None,
        decision=decision,
        note=note,
        amount=Decimal(amount) if decision == Decision.APPROVE else None,
    )
    audit_record(
        action="flag.decided",
        actor=actor,
        organization=organization,
        obj=flag,
        request=request,
        detail={
            "decision": decision,
            "from": expected_status,
            "to": NEXT_STATUS[decision],
            "review_id": review.pk,
            "commitment": [f"{obj._meta.model_name}:{obj.pk}" for obj in committed],
        },
    )
    return review


@transaction.atomic
def flag_answer(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    flag_id: int,
    answer: str,
    request: HttpRequest | None = None,
) -> Review:
    """Record the family's answer to the question on its flag and hand the flag back to staff."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write your answer.")})
    if len(answer) > MAX_TEXT:
        raise ValidationError({"answer": _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}})
    flag = Flag.objects.for_org(organization).get(pk=flag_id, family=family)
    changed = Flag.objects.filter(pk=flag.pk, status=FlagStatus.ASKED).update(
        status=FlagStatus.IN_REVIEW
    )
    question = (
        Review.objects.for_org(organization)
        .unanswered_questions()
        .filter(flag=flag)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if changed != 1 or question is None:
        raise FlagConflict(flag.status)
    question.answer, question.answered_at = answer, timezone.now()
    question.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    question.save(update_fields=["answer", "answered_at", "answered_by"])
    audit_record(
        action="flag.answered",
        actor=actor,
        organization=organization,
        obj=flag,
        request=request,
        detail={"review_id": question.pk},
    )
    return question
