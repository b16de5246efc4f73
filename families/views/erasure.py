"""Erasure: a family asks to be forgotten; staff may record it for them; an org admin decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, admin_view, family_view, staff_view

from .. import erasure as services
from ..forms import ErasureApproveForm, ErasureDeclineForm, ErasureRequestForm
from ..models import ErasureRequest, ErasureStatus, Family
from .common import form_status, record_view, refused

RECENT_DECIDED = 50


def _counts_display(counts: dict[str, Any]) -> list[tuple[str, list[tuple[str, Any]]]]:
    def label(key: str) -> str:
        return str(services.COUNT_LABELS.get(key, key))

    return [
        (label(app), [(label(k), n) for k, n in (rows or {}).items()])
        for app, rows in counts.items()
    ]


def _requests(request: OrgRequest, family: Family) -> list[ErasureRequest]:
    return list(ErasureRequest.objects.for_org(request.organization).filter(family=family))


# The family's side -------------------------------------------------------------------------


@family_view
@require_http_methods(["GET", "POST"])
def family_erasure(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request(
                organization=org, actor=request.user, family=request.family, request=request
            )
        except services.ErasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("We received your request. An admin will look at it."))
            return redirect("family_erasure", org_slug=org.slug)
    history = _requests(request, request.family)
    # The reason of a decline is news only until the family cancels or asks anew.
    closed = next((r for r in history if not r.is_pending), None)
    context = {
        "form": form,
        "pending": next((r for r in history if r.is_pending), None),
        "last_declined": closed if closed and closed.status == ErasureStatus.DECLINED else None,
    }
    return render(request, "families/family_erasure.html", context, status=form_status(request))


@family_view
@require_POST
def family_erasure_cancel(request: OrgRequest) -> HttpResponse:
    org = request.organization
    back = reverse("family_erasure", kwargs={"org_slug": org.slug})
    pending = ErasureRequest.objects.for_org(org).pending().filter(family=request.family).first()
    if pending is None:
        return refused(request, _("There is no request waiting to cancel."), back)
    try:
        services.erasure_cancel(
            organization=org, actor=request.user, erasure=pending, request=request
        )
    except services.ErasureError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Your request is cancelled. Nothing was deleted."))
    return redirect(back)


# Staff record a request made by phone or in person ----------------------------------------


@staff_view
@require_http_methods(["GET", "POST"])
def erasure_record(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = Family.objects.get_for_org_or_404(org, pk=family_id)
    if request.method == "GET":
        record_view(request, family, "erasure")
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    form.fields["understood"].label = _(
        "The family asked us to delete its information, and we told them it cannot be undone."
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request(
                organization=org,
                actor=request.user,
                family=family,
                on_behalf=True,
                request=request,
            )
        except services.ErasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Request recorded. An organization admin decides on it."))
            return redirect("family_edit", org_slug=org.slug, family_id=family.pk)
    context = {"family": family, "form": form, "history": _requests(request, family)}
    return render(request, "families/erasure_record.html", context, status=form_status(request))


# The admin's side --------------------------------------------------------------------------


@admin_view
def erasure_list(request: OrgRequest) -> HttpResponse:
    rows = ErasureRequest.objects.for_org(request.organization).select_related(
        "family", "requested_by", "decided_by"
    )
    context = {
        "pending": list(rows.pending().order_by("requested_at", "pk")),
        "decided": list(rows.exclude(status=ErasureStatus.PENDING)[:RECENT_DECIDED]),
    }
    return render(request, "families/erasure_list.html", context)


def _erasure(request: OrgRequest, erasure_id: int) -> ErasureRequest:
    return ErasureRequest.objects.select_related(
        "family", "family__group", "requested_by", "decided_by"
    ).get_for_org_or_404(request.organization, pk=erasure_id)


def _detail_page(
    request: OrgRequest,
    erasure: ErasureRequest,
    approve_form: ErasureApproveForm | None = None,
    decline_form: ErasureDeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "erasure": erasure,
        "family": erasure.family,
        "counts": _counts_display(erasure.erased_counts or {}),
        "approve_form": approve_form
        or ErasureApproveForm(family_name=erasure.family.name, prefix="approve"),
        "decline_form": decline_form or ErasureDeclineForm(prefix="decline"),
    }
    return render(request, "families/erasure_detail.html", context, status=status)


@admin_view
def erasure_detail(request: OrgRequest, erasure_id: int) -> HttpResponse:
    return _detail_page(request, _erasure(request, erasure_id))


@admin_view
@require_POST
def erasure_approve(request: OrgRequest, erasure_id: int) -> HttpResponse:
    org = request.organization
    erasure = _erasure(request, erasure_id)
    form = ErasureApproveForm(request.POST, family_name=erasure.family.name, prefix="approve")
    if not form.is_valid():
        return _detail_page(request, erasure, approve_form=form, status=400)
    back = reverse("erasure_detail", kwargs={"org_slug": org.slug, "erasure_id": erasure.pk})
    try:
        services.erasure_approve(
            organization=org, actor=request.user, erasure=erasure, request=request
        )
    except services.ErasureError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Done. The family's personal information is deleted."))
    return redirect(back)


@admin_view
@require_POST
def erasure_decline(request: OrgRequest, erasure_id: int) -> HttpResponse:
    org = request.organization
    erasure = _erasure(request, erasure_id)
    form = ErasureDeclineForm(request.POST, prefix="decline")
    if not form.is_valid():
        return _detail_page(request, erasure, decline_form=form, status=400)
    back = reverse("erasure_detail", kwargs={"org_slug": org.slug, "erasure_id": erasure.pk})
    try:
        services.erasure_decline(
            organization=org,
            actor=request.user,
            erasure=erasure,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except services.ErasureError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Request declined. The family will see your reason."))
    return redirect(back)
