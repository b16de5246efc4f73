"""Template tags of the capital pages."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date, floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext

from ..selectors import QueueRow

register = template.Library()


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    """Write a status as a badge (a tag, not an include: the queue shows one on every row)."""
    return format_html('<span class="badge badge-{}">{}</span>', status, label)


@register.simple_tag
def queue_row(row: QueueRow, org_slug: str) -> SafeString:
    """Write one row of the readiness queue.

    Written here rather than in the template: 25 rows of a dozen template nodes were a third
    of the queue page's time. Numbers and dates are formatted as the template's filters do.
    """
    if row.family_name is not None:
        name = row.family_name
        context = f"· {row.family_group_name}" if row.family_group_name else ""
    else:
        name, context = row.group_name or "", f"· {gettext('group')}"
    return format_html(
        '<tr><td><a href="{}">{}</a>\n              <span class="muted">{}</span></td>'
        '<td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>',
        reverse("flag_detail", args=[org_slug, row.pk]),
        name,
        context,
        row.program_name,
        floatformat(row.score, 0),
        status_badge(row.status, row.status_label),
        date(template_localtime(row.opened_at), "DATE_FORMAT"),
    )
