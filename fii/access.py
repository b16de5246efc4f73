"""The one place where a request's organization, role and family are decided.

The organization comes from the URL (`/o/<org_slug>/...`), never from a remembered
"current organization", and is checked against the user's memberships. Another
organization's slug answers 404, exactly like one that does not exist.

Every refusal of a signed-in person is written to the audit log as `access.denied`
(fii.audit.audit_denied): with the organization when they are a member of it and only their
role does not fit, without one otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .audit import audit_denied
from .models import STAFF_ROLES, Funder, Membership, Organization, Role
from .rowsecurity import organization_scope

View = Callable[..., HttpResponse]


def membership_for(user: Any, org_slug: str) -> Membership:
    """Return the user's active membership of the organization, with it and its family, or 404."""
    memberships = Membership.objects.select_related("organization", "family")
    return get_object_or_404(memberships, user=user, organization__slug=org_slug, is_active=True)


def org_view(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Resolve `org_slug` into request.organization and request.membership, with a role check."""
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                membership = membership_for(request.user, org_slug)
            except Http404:
                audit_denied(request, reason="not_a_member")
                raise
            if allowed is not None and membership.role not in allowed:
                audit_denied(
                    request,
                    reason="role",
                    organization=membership.organization,
                    role=membership.role,
                )
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            request.organization = membership.organization  # type: ignore[attr-defined]
            # The family of a family member (None for staff); typed loosely since fii
            # imports nothing from families.
            request.family = membership.family  # type: ignore[attr-defined]
            with organization_scope(membership.organization_id):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_view = org_view(STAFF_ROLES)
family_view = org_view({Role.FAMILY})
admin_view = org_view({Role.ORG_ADMIN})


def funder_for(user: Any, funder_slug: str) -> Funder:
    """Return the funder the user belongs to, or raise 404."""
    funder = Funder.objects.filter(slug=funder_slug, members=user).first()
    if funder is None:
        raise Http404
    return funder


def funder_view(view: View) -> View:
    """Resolve `funder_slug` into request.funder for a member of that funder."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, funder_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.funder = funder_for(request.user, funder_slug)  # type: ignore[attr-defined]
        except Http404:
            audit_denied(request, reason="not_a_funder")
            raise
        return view(request, *args, **kwargs)

    return wrapper


def ensure_family_access(membership: Membership, family_id: int) -> None:
    """A family user sees only its own family; staff see every family of their organization."""
    if membership.role == Role.FAMILY and membership.family_id != family_id:
        raise Http404


class OrgRequest(HttpRequest):
    """A request that went through org_view or funder_view (for type checkers)."""

    organization: Organization
    membership: Membership
    family: Any
    funder: Funder
