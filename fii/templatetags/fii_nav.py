"""The main navigation, written once per process for each role, organization and language.

It holds some twenty links and labels, and it is the same for every family (or every staff
member) of an organization: reversing the URLs and translating the labels on every page cost
more than many a page's own content.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# (language, role, organization, funder) -> the navigation's HTML. URLs only change with a new
# release (a new process); names are part of the key. Cleared when it grows past any real need.
_WRITTEN: dict[tuple[Any, ...], SafeString] = {}
_MOST = 2000


def nav_context(context: template.Context) -> dict[str, Any]:
    membership = context.get("current_membership")
    org = context.get("current_org") if membership is not None else None
    funder = context.get("current_funder")
    return {
        "org_slug": org.slug if org is not None else "",
        "org_name": org.name if org is not None else "",
        "family": bool(membership is not None and membership.is_family),
        "org_admin": bool(membership is not None and membership.is_org_admin),
        "funder_slug": funder.slug if funder is not None else "",
        "funder_name": funder.name if funder is not None else "",
    }


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> SafeString:
    """Write the main navigation for the person's role in the page's organization."""
    values = nav_context(context)
    key = (get_language(), *values.values())
    html = _WRITTEN.get(key)
    if html is None:
        if len(_WRITTEN) >= _MOST:
            _WRITTEN.clear()
        html = _WRITTEN[key] = mark_safe(render_to_string("includes/main_nav.html", values).strip())  # noqa: S308
    return html
