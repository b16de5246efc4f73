"""A queue row written in Python reads exactly as the template wrote it, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from capital.selectors import QueueRow
from capital.templatetags.capital_tags import queue_row

# The row as queue.html wrote it before the tag.
TEMPLATE = """{% load i18n capital_tags %}<tr>
            <td><a href="{% url 'flag_detail' slug row.pk %}">{% if row.family_name is not None %}{{ row.family_name }}{% else %}{{ row.group_name }}{% endif %}</a>
              <span class="muted">{% if row.family_name is not None %}{% if row.family_group_name %}· {{ row.family_group_name }}{% endif %}{% else %}· {% translate "group" %}{% endif %}</span></td>
            <td>{{ row.program_name }}</td>
            <td class="num">{{ row.score|floatformat:0 }}</td>
            <td>{% status_badge row.status row.status_label %}</td>
            <td>{{ row.opened_at|date:"DATE_FORMAT" }}</td>
          </tr>"""

OPENED = dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC)  # still February in Los Angeles
ROWS = [
    QueueRow(7, "Ana <b>& co</b>", 'Group "one"', None, "Grant", 89.5, "open", OPENED),
    QueueRow(8, "Bea", None, None, "Loan", 1234.4, "asked", OPENED),
    QueueRow(9, None, None, "Savers <i>", "Fund", 70.0, "in_review", OPENED),
    QueueRow(10, "Cid", None, None, "Fund", 0.0, "retired<x>", OPENED),  # not a status of ours
]


def normalized(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("row", ROWS)
def test_the_row_is_the_templates(row, language, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    template = engines["django"].from_string(TEMPLATE)
    with translation.override(language):
        expected = template.render({"row": row, "slug": "alpha"})
        written = queue_row(row, "alpha")
    assert normalized(written) == normalized(expected)
    assert "<b>" not in written and "<i>" not in written


def test_a_row_kept_by_the_process_follows_the_language_and_time_zone(settings):
    from django.utils import timezone

    row = ROWS[0]
    with translation.override("en"):
        with timezone.override("America/Los_Angeles"):
            assert "Feb. 28, 2026" in queue_row(row, "alpha")
        with timezone.override("UTC"):
            assert "March 1, 2026" in queue_row(row, "alpha")
        assert "/o/beta/" in queue_row(row, "beta")
    with translation.override("es"), timezone.override("UTC"):
        assert "1 de marzo de 2026" in queue_row(row, "alpha")
    renamed = QueueRow(row.pk, "Ana Renamed", *tuple(vars(row).values())[2:])
    with translation.override("en"):
        assert "Ana Renamed" in queue_row(renamed, "alpha")
