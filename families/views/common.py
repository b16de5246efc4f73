"""Small helpers shared by the roster pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest
from fii.audit import audit_read


def refused(request: HttpRequest, message: str, back_url: str, status: int = 409) -> HttpResponse:
    """Answer a refused change with its reason and a way back; nothing was saved."""
    context = {"message": message, "back_url": back_url}
    return render(request, "families/refused.html", context, status=status)


def form_status(request: HttpRequest) -> int:
    """A form shown again after a POST carries errors: 400; a first view is 200."""
    return 400 if request.method == "POST" else 200


def record_view(request: OrgRequest, family: Any, page: str, **ids: Any) -> None:
    """Log that staff looked at a family's data, as the family's own page does."""
    audit_read(request, family, page=page, **ids)
