"""Audit events: who did what, never a copy of the sensitive values."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, Organization


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
