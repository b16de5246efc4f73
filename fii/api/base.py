"""The one place where an API request's organization or funder, role and family are decided.

As for the pages (fii.access), the tenant comes from the URL, `org_slug` or `funder_slug`,
and is checked against the user's memberships: someone else's organization answers 404
exactly like one that does not exist, a role that does not fit answers 403, and every
queryset starts from `.for_org(self.organization)`. A handler cannot forget it.

Each refusal of an authenticated caller is audited as `access.denied`, as on the pages
(fii.access): with the organization only for a member whose role does not fit.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import generics, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from fii import rowsecurity
from fii.access import funder_for, membership_for
from fii.audit import audit_denied
from fii.models import STAFF_ROLES, Funder, Membership, Organization, Role

from .permissions import HasOrgRole

M = TypeVar("M", bound=Model)

# Ids are 64-bit: a larger number in a URL names nothing (and SQLite would overflow on it).
MAX_ID = 2**63 - 1


def validated(serializer_class: type[Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Return request data validated by a serializer, or raise a 400 with its errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _TenantResolved(APIView):
    """Authenticate, then resolve the tenant of the URL, then run the permission classes."""

    # The reason an audited refusal gives when the tenant of the URL is not the caller's.
    not_a_member_reason: ClassVar[str] = "not_a_member"

    def check_permissions(self, request: Request) -> None:
        if not (request.user and request.user.is_authenticated):
            # 401 with a WWW-Authenticate header, before anything about the tenant is looked up.
            self.permission_denied(request)
        try:
            self.resolve_tenant(request)
        except Http404:
            audit_denied(request, reason=self.not_a_member_reason, via="api")
            raise
        super().check_permissions(request)

    def resolve_tenant(self, request: Request) -> None:
        raise NotImplementedError


class OrgScoped(_TenantResolved):
    """Resolve `org_slug` into the member's organization, membership and family."""

    allowed_roles: ClassVar[frozenset[str]] = frozenset(Role.values)
    permission_classes = [IsAuthenticated, HasOrgRole]
    membership: Membership

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # With row security, the whole call in one transaction, kept to the organization's
        # rows from the moment it is known (resolve_tenant).
        if not rowsecurity.enabled():
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def resolve_tenant(self, request: Request) -> None:
        self.membership = membership_for(request.user, self.kwargs["org_slug"])
        if rowsecurity.enabled():
            rowsecurity.set_organization(self.membership.organization_id)

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        membership = getattr(self, "membership", None)
        if membership is not None:
            audit_denied(
                request,
                reason="role",
                organization=membership.organization,
                role=membership.role,
                via="api",
            )
        super().permission_denied(request, message=message, code=code)

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def family(self) -> Any:
        """Return the member's family (None for staff); typed loosely as fii imports no app."""
        return self.membership.family


class OrgViewSet(OrgScoped, viewsets.GenericViewSet[M]):
    """A viewset over one tenant model, always scoped to the URL's organization."""

    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[M]:
        queryset = super().get_queryset().for_org(self.organization)  # type: ignore[attr-defined]
        return self.scope_to_member(queryset)

    def scope_to_member(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """Narrow the organization's rows to those this member may see (all, for staff)."""
        return queryset

    def get_object(self) -> M:
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if int(pk) > MAX_ID:
            raise Http404
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(self.request, obj)
        return obj


class OwnFamilyViewSet(OrgViewSet[M]):
    """A family's own data: other families' rows are not found."""

    allowed_roles = frozenset({Role.FAMILY})

    def scope_to_member(self, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset.filter(family=self.family)


class StaffViewSet(OrgViewSet[M]):
    """Data of the whole organization, for its staff and admins."""

    allowed_roles = STAFF_ROLES


class StaffAPIView(OrgScoped, generics.GenericAPIView):
    """A staff endpoint that is not one model's list (a report)."""

    allowed_roles = STAFF_ROLES


class FunderAPIView(_TenantResolved, generics.GenericAPIView):
    """An endpoint of the funder area: resolve `funder_slug` for a member of that funder."""

    funder: Funder
    not_a_member_reason: ClassVar[str] = "not_a_funder"

    def resolve_tenant(self, request: Request) -> None:
        self.funder = funder_for(request.user, self.kwargs["funder_slug"])
