"""A month's stipend payouts for staff: the list, CSV and XLSX files, and marking them paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fii.access import OrgRequest, staff_view
from fii.audit import audit_record
from fii.exports import csv_download, xlsx_download
from fii.models import Organization

from ..models import Stipend, StipendStatus
from ..periods import month_or_404
from ..services import stipends_mark_paid


def _period(year: int, month: int) -> dt.date:
    if not 2000 <= year <= 2100:
        raise Http404
    return month_or_404(year, month)


def month_stipends(*, organization: Organization, period: dt.date) -> list[Stipend]:
    """Return the month's stipends with their family and group, by group then family."""
    return list(
        Stipend.objects.for_org(organization)
        .filter(period=period)
        .select_related("family", "family__group")
        .order_by("family__group__name", "family__name", "pk")
    )


def _local_date(moment: dt.datetime | None, organization: Organization) -> str:
    return timezone.localtime(moment, organization.tz).date().isoformat() if moment else ""


HEADER = [
    "family_id",
    "family",
    "group",
    "month",
    "amount",
    "currency",
    "status",
    "earned_on",
    "paid_on",
]


def payout_rows(stipends: Iterable[Stipend], organization: Organization) -> list[list[Any]]:
    """Return one row per stipend, in the order of HEADER."""
    return [
        [
            s.family_id,
            s.family.name,
            s.family.group.name if s.family.group else "",
            s.period.strftime("%Y-%m"),
            s.amount,
            organization.currency,
            s.status,
            _local_date(s.earned_at, organization),
            _local_date(s.paid_at, organization),
        ]
        for s in stipends
    ]


@dataclass
class MonthTotals:
    earned: Decimal
    paid: Decimal
    earned_count: int
    paid_count: int


def _totals(stipends: list[Stipend]) -> MonthTotals:
    earned = [s for s in stipends if s.status == StipendStatus.EARNED]
    paid = [s for s in stipends if s.status == StipendStatus.PAID]
    return MonthTotals(
        earned=sum((s.amount for s in earned), Decimal(0)),
        paid=sum((s.amount for s in paid), Decimal(0)),
        earned_count=len(earned),
        paid_count=len(paid),
    )


@staff_view
def stipend_months(request: OrgRequest) -> HttpResponse:
    """List the months that have stipends, with what is waiting and what is paid."""
    org = request.organization
    months = (
        Stipend.objects.for_org(org)
        .values("period")
        .annotate(
            waiting=Count("pk", filter=Q(status=StipendStatus.EARNED)),
            paid=Count("pk", filter=Q(status=StipendStatus.PAID)),
            waiting_amount=Sum("amount", filter=Q(status=StipendStatus.EARNED)),
        )
        .order_by("-period")
    )
    return render(request, "journals/stipend_months.html", {"months": list(months)})


@staff_view
def stipend_month(request: OrgRequest, year: int, month: int) -> HttpResponse:
    org = request.organization
    period = _period(year, month)
    stipends = month_stipends(organization=org, period=period)
    context = {"period": period, "stipends": stipends, "totals": _totals(stipends)}
    return render(request, "journals/stipend_month.html", context)


def _record_export(request: OrgRequest, period: dt.date, fmt: str, count: int) -> None:
    audit_record(
        action="stipends.exported",
        actor=request.user,
        organization=request.organization,
        detail={"period": period.isoformat(), "format": fmt, "count": count},
        request=request,
    )


def _filename(org: Organization, period: dt.date, ext: str) -> str:
    return f"stipends-{org.slug}-{period:%Y-%m}.{ext}"


@staff_view
def stipend_export_csv(request: OrgRequest, year: int, month: int) -> HttpResponse:
    org = request.organization
    period = _period(year, month)
    rows = payout_rows(month_stipends(organization=org, period=period), org)
    _record_export(request, period, "csv", len(rows))
    return csv_download([HEADER, *rows], filename=_filename(org, period, "csv"))


@staff_view
def stipend_export_xlsx(request: OrgRequest, year: int, month: int) -> HttpResponse:
    org = request.organization
    period = _period(year, month)
    rows = payout_rows(month_stipends(organization=org, period=period), org)
    _record_export(request, period, "xlsx", len(rows))
    name = _filename(org, period, "xlsx")
    return xlsx_download([HEADER, *rows], filename=name, title=f"{period:%Y-%m}")


@staff_view
@require_POST
def stipend_mark_paid(request: OrgRequest, year: int, month: int) -> HttpResponse:
    org = request.organization
    period = _period(year, month)
    count = stipends_mark_paid(organization=org, actor=request.user, period=period, request=request)
    if count:
        messages.success(
            request,
            ngettext("%(n)d stipend marked as paid.", "%(n)d stipends marked as paid.", count)
            % {"n": count},
        )
    else:
        messages.info(request, _("Nothing was waiting to be paid for this month."))
    return redirect("stipend_month", org_slug=org.slug, year=period.year, month=period.month)
