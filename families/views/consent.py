"""Consent records: staff record and revoke them; a family sees and revokes its own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, family_view, staff_view

from .. import selectors, services
from ..forms import ConsentForm
from ..models import Consent, Family
from .common import form_status, record_view, refused


@staff_view
@require_http_methods(["GET", "POST"])
def consent_list(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = Family.objects.get_for_org_or_404(org, pk=family_id)
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        organization=org,
        initial={"agreed_on": org.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_grant(
                organization=org,
                actor=request.user,
                family=family,
                request=request,
                **form.cleaned_data,
            )
        except services.RosterError as error:
            form.add_error("kind", str(error))
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("consent_list", org_slug=org.slug, family_id=family.pk)
    if request.method != "POST":
        record_view(request, family, "consent")
    context = {
        "family": family,
        "form": form,
        "consents": selectors.consent_list(organization=org, family=family),
    }
    return render(request, "families/consent_list.html", context, status=form_status(request))


@staff_view
@require_POST
def consent_revoke(request: OrgRequest, family_id: int, consent_id: int) -> HttpResponse:
    org = request.organization
    family = Family.objects.get_for_org_or_404(org, pk=family_id)
    consent = Consent.objects.filter(family=family).get_for_org_or_404(org, pk=consent_id)
    back = reverse("consent_list", kwargs={"org_slug": org.slug, "family_id": family.pk})
    try:
        services.consent_revoke(
            organization=org, actor=request.user, consent=consent, request=request
        )
    except services.RosterError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Consent revoked. The record is kept with the date."))
    return redirect(back)


@family_view
def family_consent(request: OrgRequest) -> HttpResponse:
    org = request.organization
    consents = selectors.consent_list(organization=org, family=request.family)
    return render(request, "families/family_consent.html", {"consents": consents})


@family_view
@require_POST
def family_consent_revoke(request: OrgRequest, consent_id: int) -> HttpResponse:
    org = request.organization
    consent = Consent.objects.filter(family=request.family).get_for_org_or_404(org, pk=consent_id)
    back = reverse("family_consent", kwargs={"org_slug": org.slug})
    try:
        services.consent_revoke(
            organization=org, actor=request.user, consent=consent, request=request
        )
    except services.RosterError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Done. Your consent is withdrawn from today."))
    return redirect(back)
