"""Downloads of the queue (as filtered), the decisions and the ledger; each one is audited."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest, staff_view
from fii.audit import audit_record
from fii.exports import download

from ..exports import WRITERS, Table, decisions_table, ledger_table, queue_table
from ..forms import PeriodForm
from ..models import Program, Repayment, Review
from ..selectors import loan_line, loans_with_repaid, queue_flags, review_log
from .ledger import filtered_disbursements, ledger_filter_form
from .queue import queue_filter_form

CHUNK = 1000


def _download(request: OrgRequest, table: Table, what: str, fmt: str) -> HttpResponse:
    org = request.organization
    write, content_type = WRITERS[fmt]
    counter = [0]
    body = write(table, counter)
    audit_record(
        action="capital.exported",
        actor=request.user,
        organization=org,
        request=request,
        detail={"what": what, "format": fmt, "rows": counter[0]},
    )
    filename = f"{org.slug}-{what}-{org.today():%Y-%m-%d}.{fmt}"
    return download(body, filename=filename, content_type=content_type)


def _refuse(request: OrgRequest, form: Any) -> HttpResponse:
    return render(request, "capital/export_error.html", {"form": form}, status=400)


@staff_view
def queue_export(request: OrgRequest, fmt: str) -> HttpResponse:
    """Download the queue as the page's filters show it, every page at once."""
    form = queue_filter_form(request)
    if not form.is_valid():
        return _refuse(request, form)
    flags = queue_flags(organization=request.organization, filters=form.filters())
    return _download(request, queue_table(flags.iterator(chunk_size=CHUNK)), "queue", fmt)


def decisions_in(request: OrgRequest, form: PeriodForm) -> QuerySet[Review]:
    """Return the decisions of the form's period (all of them when it is empty)."""
    reviews = review_log(organization=request.organization)
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if data.get("start"):
        reviews = reviews.filter(decided_at__date__gte=data["start"])
    if data.get("end"):
        reviews = reviews.filter(decided_at__date__lte=data["end"])
    return reviews


@staff_view
def decision_log(request: OrgRequest) -> HttpResponse:
    """List every decision on a flag, who took it and why, newest first."""
    form = PeriodForm(request.GET)
    valid = form.is_valid()
    page = Paginator(decisions_in(request, form), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render(request, "capital/decisions.html", context, status=200 if valid else 400)


@staff_view
def decisions_export(request: OrgRequest, fmt: str) -> HttpResponse:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _refuse(request, form)
    reviews = decisions_in(request, form).iterator(chunk_size=CHUNK)
    return _download(request, decisions_table(reviews), "decisions", fmt)


@staff_view
def ledger_export(request: OrgRequest, fmt: str) -> HttpResponse:
    """Download payments (as filtered), loans with arrears, and repayments."""
    org = request.organization
    form = ledger_filter_form(request, list(Program.objects.for_org(org)))
    if not form.is_valid():
        return _refuse(request, form)
    program_id = form.cleaned_data.get("program")
    loans = loans_with_repaid(organization=org).order_by("pk")
    repayments = Repayment.objects.for_org(org).select_related("loan__program", "loan__family")
    if program_id:
        loans = loans.filter(program_id=program_id)
        repayments = repayments.filter(loan__program_id=program_id)
    today = org.today()
    table = ledger_table(
        filtered_disbursements(request, form).iterator(chunk_size=CHUNK),
        (loan_line(loan, today) for loan in loans.iterator(chunk_size=CHUNK)),
        repayments.order_by("paid_on", "pk").iterator(chunk_size=CHUNK),
    )
    return _download(request, table, "ledger", fmt)
