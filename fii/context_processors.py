from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Give the layout the current organization and role, when a view resolved them."""
    return {
        "current_org": getattr(request, "organization", None),
        "current_membership": getattr(request, "membership", None),
        "current_funder": getattr(request, "funder", None),
    }
