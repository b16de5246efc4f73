"""Template tags of the journal."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..forms import FieldRow

register = template.Library()


@register.simple_tag
def journal_row(row: FieldRow) -> SafeString:
    """Write one question of the journal: its label, control, help and errors.

    Written here rather than in the template: the month's thirty questions, a dozen template
    nodes each, were the largest part of the journal page's time.
    """
    help_html = (
        format_html('<p class="help" id="id_{}_help">{}</p>', row.name, row.help_text)
        if row.help_text
        else ""
    )
    errors_html = (
        format_html(
            '<p class="error" id="id_{}_error">{}</p>', row.name, " ".join(map(str, row.errors))
        )
        if row.errors
        else ""
    )
    has_error = " has-error" if row.errors else ""
    if not row.radio:
        return format_html(
            '<div class="field{}"><label for="{}">{}</label>{}{}{}</div>',
            has_error,
            row.id_for_label,
            row.label,
            row.control,
            help_html,
            errors_html,
        )
    described = [f"id_{row.name}_help"] if row.help_text else []
    described += [f"id_{row.name}_error"] if row.errors else []
    describedby = format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
    return format_html(
        '<fieldset class="field radio-field{}"{} id="id_{}"><legend>{}</legend>'
        '<div class="radios">{}</div>{}{}</fieldset>',
        has_error,
        describedby,
        row.name,
        row.label,
        format_html_join("", "<label>{} {}</label>", row.options),
        help_html,
        errors_html,
    )
