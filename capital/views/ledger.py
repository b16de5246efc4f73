"""The capital ledger: budgets, scheduled payments and loans, and what staff record on them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, staff_view
from fii.audit import audit_read

from ..forms import (
    DisbursementStatusForm,
    LedgerFilterForm,
    LoanStatusForm,
    RepaymentForm,
    attach_errors,
)
from ..models import Disbursement, DisbursementStatus
from ..selectors import ledger_disbursements, loan_line, loans_with_repaid, program_budgets
from ..services import disbursement_set_status, loan_set_status, repayment_record
from ..services.ledger import LedgerConflict

PER_PAGE = 25


def ledger_filter_form(request: OrgRequest, programs: list[Any]) -> LedgerFilterForm:
    return LedgerFilterForm(request.GET, programs=programs)


def filtered_disbursements(request: OrgRequest, form: LedgerFilterForm) -> QuerySet[Disbursement]:
    """Return the payments the ledger's valid filters ask for (also used by the export)."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    return ledger_disbursements(
        organization=request.organization,
        status=data.get("status") or "",
        program_id=data.get("program") or None,
        due_from=data.get("due_from"),
        due_to=data.get("due_to"),
    )


def _render(
    request: OrgRequest, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    org = request.organization
    budgets = program_budgets(organization=org)
    form = ledger_filter_form(request, [b.program for b in budgets])
    if not form.is_valid():
        status = 400
    payments = Paginator(filtered_disbursements(request, form), PER_PAGE)
    loans = loans_with_repaid(organization=org).order_by("-start_on", "pk")
    if program_id := form.cleaned_data.get("program"):
        loans = loans.filter(program_id=program_id)
    loans_page = Paginator(loans, PER_PAGE).get_page(request.GET.get("loans_page"))
    today = org.today()
    context = {
        "form": form,
        "budgets": budgets,
        "payments": payments.get_page(request.GET.get("page")),
        "loans": loans_page,
        "loan_lines": [loan_line(loan, today) for loan in loans_page],
        "today": today,
        "errors": errors or [],
    }
    return render(request, "capital/ledger.html", context, status=status)


@staff_view
def ledger(request: OrgRequest) -> HttpResponse:
    """Show budgets, every scheduled payment with its status, and every loan with arrears."""
    return _render(request)


def _errors(form: Any) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@staff_view
@require_POST
def disbursement_status(request: OrgRequest, disbursement_id: int) -> HttpResponse:
    """Mark one scheduled payment paid, failed, cancelled or scheduled again."""
    org = request.organization
    payment = Disbursement.objects.get_for_org_or_404(org, pk=disbursement_id)
    form = DisbursementStatusForm(request.POST, prefix=f"payment-{payment.pk}")
    if form.is_valid():
        try:
            disbursement_set_status(
                organization=org,
                actor=request.user,
                disbursement_id=payment.pk,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        except LedgerConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("ledger", org_slug=org.slug)
        else:
            label = DisbursementStatus(form.cleaned_data["status"]).label
            messages.success(request, _("The payment is marked: %(status)s.") % {"status": label})
            return redirect(reverse("ledger", args=[org.slug]) + f"#payment-{payment.pk}")
    return _render(request, _errors(form), status=400)


def _loan(request: OrgRequest, loan_id: int) -> Any:
    loan = loans_with_repaid(organization=request.organization).filter(pk=loan_id).first()
    if loan is None:
        raise Http404
    return loan


def _render_loan(
    request: OrgRequest, loan: Any, repay: RepaymentForm | None = None, status: int = 200
) -> HttpResponse:
    today = request.organization.today()
    context = {
        "line": loan_line(loan, today),
        "repayments": list(loan.repayments.all()),
        "repay_form": repay or RepaymentForm(initial={"paid_on": today}),
        "status_form": LoanStatusForm(initial={"expected_status": loan.status}),
        "today": today,
    }
    return render(request, "capital/loan_detail.html", context, status=status)


def _repay(request: OrgRequest, loan: Any) -> HttpResponse:
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            repayment_record(
                organization=request.organization,
                actor=request.user,
                loan_id=loan.pk,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The repayment is recorded."))
            return redirect("loan_detail", org_slug=request.organization.slug, loan_id=loan.pk)
    return _render_loan(request, loan, form, status=400)


def _set_status(request: OrgRequest, loan: Any) -> HttpResponse:
    form = LoanStatusForm(request.POST)
    if form.is_valid():
        try:
            loan_set_status(
                organization=request.organization,
                actor=request.user,
                loan_id=loan.pk,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _render_loan(request, loan, status=400)
        except LedgerConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("The loan's status is changed."))
        return redirect("loan_detail", org_slug=request.organization.slug, loan_id=loan.pk)
    messages.error(request, _("Choose cancel or write off."))
    return _render_loan(request, loan, status=400)


@staff_view
@require_http_methods(["GET", "POST"])
def loan_detail(request: OrgRequest, loan_id: int) -> HttpResponse:
    """Show a loan's schedule, repayments and arrears; record a repayment or close the loan."""
    loan = _loan(request, loan_id)
    if request.method == "GET":
        audit_read(request, loan.family, page="loan", loan_id=loan.pk)
        return _render_loan(request, loan)
    if request.POST.get("action") == "status":
        return _set_status(request, loan)
    return _repay(request, loan)
