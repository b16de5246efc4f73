"""The one place where a request's organization, role and family are decided.

The organization comes from the URL (`/o/<org_slug>/...`), never from a remembered
"current organization", and is checked against the user's memberships. Another
organization's slug answers 404, exactly like one that does not exist.

Every refusal of a signed-in person is written to the audit log as `access.denied`
(fii.audit.audit_denied): with the organization when they are a member of it and only their
role does not fit, without one otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse

from .audit import audit_denied
from .models import STAFF_ROLES, Funder, Membership, Organization, Role
from .rowsecurity import organization_scope
from .sql import Table, fetch_rows, select, split

View = Callable[..., HttpResponse]


# The organization's slug in a page's path, as the URL patterns take it (fii.urls).
ORG_PATH = re.compile(r"^/o/([-a-zA-Z0-9_]+)/")


def org_slug_of(path: str) -> str | None:
    """Return the organization slug a path asks for, or None for a page of no organization."""
    match = ORG_PATH.match(path)
    return match.group(1) if match else None


@cache
def membership_tables() -> tuple[Table[Any], ...]:
    """The tables of a membership read: the membership, its organization and its family."""
    family = Membership._meta.get_field("family").related_model
    return Table(Membership, "m"), Table(Organization, "o"), Table(family, "f")  # type: ignore[arg-type]


def _membership_joins(organization_condition: str) -> str:
    """Return the joins from a membership to its organization (on a condition) and family."""
    memberships, organizations, families = membership_tables()
    return (
        f"INNER JOIN {organizations.name}"
        f" ON {organizations.column('id')} = {memberships.column('organization')}"
        f"{organization_condition}"
        f" LEFT OUTER JOIN {families.name}"
        f" ON {families.column('id')} = {memberships.column('family')}"
    )


def membership_join(user_column: str) -> str:
    """Return a LEFT JOIN of the user's active membership of one organization, with the
    organization and family, for a query that has the user's id in `user_column`.

    It takes two parameters, in this order: the organization's slug, and True.
    """
    memberships, organizations, _ = membership_tables()
    slug = f" AND {organizations.column('slug')} = %s"
    return (
        f"LEFT OUTER JOIN ({memberships.name} {_membership_joins(slug)})"
        f" ON {memberships.column('user')} = {user_column}"
        f" AND {memberships.column('is_active')} = %s"
    )


@cache
def _membership_query() -> str:
    memberships, organizations, families = membership_tables()
    where = (
        f"{memberships.column('user')} = %s AND {organizations.column('slug')} = %s"
        f" AND {memberships.column('is_active')} = %s"
    )
    joins = _membership_joins("")
    return select(memberships, organizations, families, joins=joins, where=where)


def membership_of(membership: Membership | None, organization: Any, family: Any) -> Any:
    """Return the membership of a row's instances, its organization and family attached."""
    if membership is not None:
        membership.organization = organization
        membership.family = family
    return membership


@dataclass(frozen=True)
class _Read:
    user_id: Any
    org_slug: str
    membership: Membership | None


# The membership read with this request's session (fii.sessions): taken once, by the first
# membership_for of that user and organization; forgotten when a request starts and when a
# membership is saved or deleted.
_read_with_session: ContextVar[_Read | None] = ContextVar("membership_read", default=None)


def keep_membership_read(user_id: Any, org_slug: str, membership: Membership | None) -> None:
    _read_with_session.set(_Read(user_id, org_slug, membership))


def _forget_read(**kwargs: Any) -> None:
    _read_with_session.set(None)


request_started.connect(_forget_read, dispatch_uid="fii.access.forget_read")
post_save.connect(_forget_read, sender=Membership, dispatch_uid="fii.access.forget_saved")
post_delete.connect(_forget_read, sender=Membership, dispatch_uid="fii.access.forget_deleted")


def membership_for(user: Any, org_slug: str) -> Membership:
    """Return the user's active membership of the organization, or raise 404.

    It runs on every page of an organization: the session's read (fii.sessions) brings it
    when the page's path names the organization; otherwise one hand-written join (fii.sql).
    The membership comes with its organization and family, as select_related would give them.
    """
    read = _read_with_session.get()
    if read is not None and read.org_slug == org_slug and str(read.user_id) == str(user.pk):
        _read_with_session.set(None)
        if read.membership is None:
            raise Http404
        return read.membership
    tables = membership_tables()
    rows = fetch_rows(tables[0].db, _membership_query(), [user.pk, org_slug, True])
    if not rows:
        raise Http404
    return membership_of(*split(rows[0], *tables))  # type: ignore[no-any-return]


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
