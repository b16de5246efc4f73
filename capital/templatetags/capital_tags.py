"""Template tags of the capital pages."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaultfilters import date, floatformat
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import (  # type: ignore[attr-defined]
    get_current_timezone_name,
    template_localtime,
)
from django.utils.translation import get_language, gettext

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
    of the queue page's time. A row's HTML depends only on its values and on the language, time
    zone and URL prefix it is written in, so each process keeps the rows it wrote last.
    """
    where = (get_language(), get_current_timezone_name(), get_script_prefix())
    return _queue_row_html(row, org_slug, where)


@lru_cache(maxsize=4096)
def _queue_row_html(row: QueueRow, org_slug: str, where: tuple[str, str, str]) -> SafeString:
    """Return a row's HTML; `where` (language, time zone, URL prefix) keys it, unread here."""
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
