"""The organization's settings and its indicator catalog, for org admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, admin_view

from ..forms import CustomIndicatorForm, OrganizationSettingsForm
from ..models import Indicator
from ..services import (
    CatalogError,
    indicator_delete,
    indicator_is_used,
    indicator_save,
    indicator_set_active,
    indicator_usage,
    organization_settings_update,
)

# Below this many families a figure may point at a family; the default minimum cell size.
PRIVACY_CELL_SIZE = 11


def _status(request: OrgRequest) -> int:
    return 400 if request.method == "POST" else 200


def _refused(request: OrgRequest, message: str) -> HttpResponse:
    back = reverse("indicator_list", kwargs={"org_slug": request.organization.slug})
    context = {"message": message, "back_url": back}
    return render(request, "families/refused.html", context, status=409)


@admin_view
@require_http_methods(["GET", "POST"])
def org_settings(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = OrganizationSettingsForm(
        request.POST if request.method == "POST" else None, instance=org
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        org.refresh_from_db()
        changed = organization_settings_update(
            organization=org, actor=request.user, changes=changes, request=request
        )
        messages.success(request, _("Settings saved.") if changed else _("Nothing changed."))
        if org.min_cell_size < PRIVACY_CELL_SIZE:
            messages.warning(
                request,
                _(
                    "The minimum cell size is below %(n)d: funders' figures may rest on so few "
                    "families that one of them could be recognized."
                )
                % {"n": PRIVACY_CELL_SIZE},
            )
        return redirect("org_settings", org_slug=org.slug)
    if request.method == "POST":
        org.refresh_from_db()
    context = {"form": form, "privacy_cell_size": PRIVACY_CELL_SIZE}
    return render(request, "journals/org_settings.html", context, status=_status(request))


@admin_view
def indicator_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    indicators = list(Indicator.objects.for_org(org).order_by("domain", "position", "code"))
    usage = indicator_usage(organization=org)
    for indicator in indicators:
        indicator.used_in = usage.get(indicator.code, 0)  # type: ignore[attr-defined]
    context = {
        "builtins": [i for i in indicators if i.is_builtin],
        "customs": [i for i in indicators if not i.is_builtin],
    }
    return render(request, "journals/indicator_list.html", context)


def _indicator(request: OrgRequest, indicator_id: int) -> Indicator:
    return Indicator.objects.get_for_org_or_404(request.organization, pk=indicator_id)


def _indicator_form_page(request: OrgRequest, indicator: Indicator | None) -> HttpResponse:
    org = request.organization
    used = indicator is not None and indicator_is_used(organization=org, indicator=indicator)
    form = CustomIndicatorForm(
        request.POST if request.method == "POST" else None,
        instance=indicator,
        organization=org,
        used=used,
    )
    if request.method == "POST" and form.is_valid():
        indicator_save(
            organization=org,
            actor=request.user,
            indicator=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Indicator saved. It appears in the next journals."))
        return redirect("indicator_list", org_slug=org.slug)
    context = {"form": form, "indicator": indicator, "used": used}
    return render(request, "journals/indicator_form.html", context, status=_status(request))


@admin_view
@require_http_methods(["GET", "POST"])
def indicator_create(request: OrgRequest) -> HttpResponse:
    return _indicator_form_page(request, None)


@admin_view
@require_http_methods(["GET", "POST"])
def indicator_edit(request: OrgRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(request, indicator_id)
    if indicator.is_builtin:
        return _refused(
            request, _("Built-in indicators can be switched on or off; their wording is fixed.")
        )
    return _indicator_form_page(request, indicator)


@admin_view
@require_POST
def indicator_toggle(request: OrgRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(request, indicator_id)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        return _refused(request, _("Choose to switch the indicator on or off."))
    indicator_set_active(
        organization=request.organization,
        actor=request.user,
        indicator=indicator,
        active=active == "1",
        request=request,
    )
    if active == "1":
        messages.success(request, _("%(label)s is on.") % {"label": indicator.label})
    else:
        messages.success(request, _("%(label)s is off.") % {"label": indicator.label})
    return redirect("indicator_list", org_slug=request.organization.slug)


@admin_view
@require_POST
def indicator_remove(request: OrgRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(request, indicator_id)
    try:
        indicator_delete(
            organization=request.organization,
            actor=request.user,
            indicator=indicator,
            request=request,
        )
    except CatalogError as error:
        return _refused(request, str(error))
    messages.success(request, _("Indicator deleted."))
    return redirect("indicator_list", org_slug=request.organization.slug)
