"""Template tags of the journal."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from fii.renderer import fast_escape

from ..forms import FieldRow

register = template.Library()


@register.simple_tag
def journal_row(row: FieldRow) -> SafeString:
    """Write one question of the journal: its label, control, help and errors.

    Written here rather than in the template: the month's thirty questions, a dozen template
    nodes each, were the largest part of the journal page's time. Every value is escaped as
    format_html would (fast_escape), the control and the radio buttons being HTML already.
    """
    name = fast_escape(row.name)
    help_html = (
        f'<p class="help" id="id_{name}_help">{fast_escape(row.help_text)}</p>'
        if row.help_text
        else ""
    )
    errors = fast_escape(" ".join(map(str, row.errors)))
    errors_html = f'<p class="error" id="id_{name}_error">{errors}</p>' if row.errors else ""
    has_error = " has-error" if row.errors else ""
    if not row.radio:
        return mark_safe(  # noqa: S308 (every value escaped)
            f'<div class="field{has_error}"><label for="{fast_escape(row.id_for_label)}">'
            f"{fast_escape(row.label)}</label>{fast_escape(row.control)}{help_html}{errors_html}"
            "</div>"
        )
    described = [f"id_{name}_help"] if row.help_text else []
    described += [f"id_{name}_error"] if row.errors else []
    describedby = f' aria-describedby="{" ".join(described)}"' if described else ""
    options = "".join(
        f"<label>{fast_escape(tag)} {fast_escape(label)}</label>" for tag, label in row.options
    )
    return mark_safe(  # noqa: S308 (every value escaped)
        f'<fieldset class="field radio-field{has_error}"{describedby} id="id_{name}">'
        f'<legend>{fast_escape(row.label)}</legend><div class="radios">{options}</div>'
        f"{help_html}{errors_html}</fieldset>"
    )
