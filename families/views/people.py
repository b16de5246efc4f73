"""Staff and admin accounts, managed by the organization's admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fii.access import OrgRequest, admin_view
from fii.models import STAFF_ROLES, Membership

from .. import selectors, services
from ..forms import MembershipRoleForm
from .common import refused


def _staff_membership(request: OrgRequest, membership_id: int) -> Membership:
    memberships = Membership.objects.filter(role__in=STAFF_ROLES).select_related("user")
    return memberships.get_for_org_or_404(request.organization, pk=membership_id)


def _back(request: OrgRequest) -> str:
    return reverse("people_list", kwargs={"org_slug": request.organization.slug})


@admin_view
def people_list(request: OrgRequest) -> HttpResponse:
    people = selectors.staff_list(organization=request.organization)
    context = {"people": people, "role_form": MembershipRoleForm()}
    return render(request, "families/people_list.html", context)


@admin_view
@require_POST
def membership_role(request: OrgRequest, membership_id: int) -> HttpResponse:
    membership = _staff_membership(request, membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        return refused(request, _("Choose staff or organization admin."), _back(request), 400)
    try:
        services.membership_set_role(
            organization=request.organization,
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            request=request,
        )
    except services.RosterError as error:
        return refused(request, str(error), _back(request))
    messages.success(request, _("Role changed."))
    return redirect(_back(request))


def _set_active(request: OrgRequest, membership_id: int, active: bool) -> HttpResponse:
    membership = _staff_membership(request, membership_id)
    try:
        services.membership_set_active(
            organization=request.organization,
            actor=request.user,
            membership=membership,
            active=active,
            request=request,
        )
    except services.RosterError as error:
        return refused(request, str(error), _back(request))
    if active:
        messages.success(request, _("Account reactivated."))
    else:
        messages.success(
            request, _("Account deactivated: it can no longer open this organization.")
        )
    return redirect(_back(request))


@admin_view
@require_POST
def membership_deactivate(request: OrgRequest, membership_id: int) -> HttpResponse:
    return _set_active(request, membership_id, active=False)


@admin_view
@require_POST
def membership_reactivate(request: OrgRequest, membership_id: int) -> HttpResponse:
    return _set_active(request, membership_id, active=True)
