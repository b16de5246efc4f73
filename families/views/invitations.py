"""Invitations by e-mail: staff send them, and the invitee accepts with the link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, staff_view
from fii.models import Membership, User
from fii.selectors import membership_home_url

from .. import selectors, services
from ..forms import AcceptInvitationForm, InvitationForm
from ..models import Family, Invitation
from .common import form_status, refused

UNUSABLE_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _invitation_form(request: OrgRequest) -> InvitationForm:
    org = request.organization
    initial = {}
    family_id = request.GET.get("family", "")
    if family_id.isdigit():
        family = Family.objects.for_org(org).active().filter(pk=int(family_id)).first()
        if family is not None:
            initial = {"family": family, "role": "family"}
    return InvitationForm(
        request.POST if request.method == "POST" else None,
        organization=org,
        can_invite_staff=request.membership.is_org_admin,
        initial=initial,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def invitation_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = _invitation_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _invitation, replaced = services.invitation_send(
                organization=org,
                inviter=request.membership,
                email=data["email"],
                role=data["role"],
                family=data["family"],
                request=request,
            )
        except services.RosterError as error:
            form.add_error(None, str(error))
        else:
            if replaced:
                messages.success(request, _("Invitation sent again with a new link."))
            else:
                messages.success(request, _("Invitation sent."))
            return redirect("invitation_list", org_slug=org.slug)
    context = {"form": form, "invitations": selectors.invitation_list(organization=org)}
    return render(request, "families/invitation_list.html", context, status=form_status(request))


@staff_view
@require_POST
def invitation_cancel(request: OrgRequest, invitation_id: int) -> HttpResponse:
    org = request.organization
    invitation = Invitation.objects.get_for_org_or_404(org, pk=invitation_id)
    back = reverse("invitation_list", kwargs={"org_slug": org.slug})
    if invitation.role != "family" and not request.membership.is_org_admin:
        return refused(
            request, _("Only an organization admin can cancel a staff invitation."), back, 403
        )
    try:
        services.invitation_cancel(
            organization=org, actor=request.user, invitation=invitation, request=request
        )
    except services.RosterError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Invitation cancelled: its link no longer works."))
    return redirect("invitation_list", org_slug=org.slug)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    org_name = membership.organization.name
    messages.success(request, _("Welcome to %(org)s.") % {"org": org_name})
    return redirect(membership_home_url(membership))


def _accept_as(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    """The invitee is logged in: accept with one button, or refuse another account plainly."""
    context: dict[str, object] = {"invitation": invitation}
    if user.email.lower() != invitation.email.lower():
        return render(request, "families/invitation_wrong_user.html", context, status=403)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(
                token=invitation.token, user=user, request=request
            )
        except services.RosterError as error:
            context["error"] = str(error)
            return render(request, "families/invitation_accept.html", context, status=409)
        return _joined(request, membership)
    return render(request, "families/invitation_accept.html", context)


def _accept_new(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Nobody is logged in: create the account, or ask an existing one to log in first."""
    context: dict[str, object] = {"invitation": invitation}
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("account_login") + "?next=" + request.path
        context["login_url"] = login_url
        return render(request, "families/invitation_login.html", context)
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=invitation.token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except services.RosterError as error:
            form.add_error(None, str(error))
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    return render(request, "families/invitation_signup.html", context, status=form_status(request))


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation's link; public by design, the token is the key."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as unusable:
        context = {"reason": unusable.reason}
        status = UNUSABLE_STATUS[unusable.reason]
        return render(request, "families/invitation_unusable.html", context, status=status)
    if request.user.is_authenticated:
        return _accept_as(request, invitation, request.user)  # type: ignore[arg-type]
    try:
        return _accept_new(request, invitation)
    except services.InvitationUnusable as unusable:  # used by a racing request meanwhile
        context = {"reason": unusable.reason}
        return render(request, "families/invitation_unusable.html", context, status=410)
