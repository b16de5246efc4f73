"""Role checks, made after the base class has resolved the organization from the URL."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class HasOrgRole(BasePermission):
    """Allow members whose role in the URL's organization is one of the view's `allowed_roles`."""

    message = _("Your role in this organization does not give access to this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = getattr(view, "membership", None)
        return membership is not None and membership.role in view.allowed_roles
