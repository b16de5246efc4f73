"""Audit events: who did what, never a copy of the sensitive values."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import models
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from .models import AuditEvent, Organization

REFUSAL_AUDIT_SECONDS = 60


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    organization: Organization | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit event."""
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )


def first_refusal_this_minute(key: str) -> bool:
    """Return whether a refusal for `key` (a limit and who) is the first in its minute.

    Refused requests are what a rate limit sheds: auditing the first of each minute keeps
    them on record at one row a minute instead of one per request. With the cache
    unreachable, every refusal counts as the first (the limits fail open then too).
    """
    return bool(cache.add(f"fii:audit:refusal:{key}", 1, REFUSAL_AUDIT_SECONDS))


def audit_event(
    action: str,
    *,
    organization: Organization | None,
    actor: Any,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit event, its detail given as keywords."""
    return audit_record(
        action=action,
        actor=actor,
        organization=organization,
        obj=obj,
        detail=detail,
        request=request,
    )


def audit_read(
    request: Any,
    family: models.Model,
    *,
    page: str,
    organization: Organization | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record that staff looked at one family's data: which family, on which page or endpoint.

    The organization is the request's (set by org_view) unless given, as API views do. Only
    ids and the page's name go into the event, never what the page showed.
    """
    return audit_record(
        action="family.viewed",
        actor=request.user,
        organization=organization or request.organization,
        obj=family,
        detail={"page": page, **detail},
        request=getattr(request, "_request", request),
    )


def audit_denied(
    request: Any, *, reason: str, organization: Organization | None = None, **detail: Any
) -> AuditEvent | None:
    """Record that a signed-in person was refused a page or endpoint.

    The event names the path and method only: no query string, no body. It belongs to the
    organization only when the person is a member of it (a role refusal); a refusal about an
    organization or funder they do not belong to has no organization, so that organization's
    admins never see who knocked, and nothing tells them the slug was tried.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return audit_record(
        action="access.denied",
        actor=user,
        organization=organization,
        detail={"reason": reason, "method": request.method, "path": request.path, **detail},
        request=getattr(request, "_request", request),
    )


def login_key(login: str) -> str:
    """Return a keyed hash of a typed login, to correlate failed attempts without keeping it.

    HMAC-SHA256 with SECRET_KEY over the trimmed, lower-cased text: the same address always
    gives the same key, and the key cannot be turned back into the address without the secret.
    """
    normalized = (login or "").strip().lower()
    return salted_hmac("fii.audit.login_key", normalized, algorithm="sha256").hexdigest()[:32]
