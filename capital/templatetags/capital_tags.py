"""Template tags of the capital pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    """Write a status as a badge."""
    return format_html('<span class="badge badge-{}">{}</span>', status, label)
