"""Template tags for forms: one field with its label, help and errors."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

from ..renderer import fast_escape

register = template.Library()

REQUIRED_MARK = mark_safe(' <span class="req" aria-hidden="true">*</span>')


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    """Write a field as every form of the site shows it: label, control, help and errors.

    A checkbox comes before its label; any other control after it, with a mark when it is
    required. The help and the errors carry the ids the control's aria-describedby names.
    Written here rather than as an included template: a form's dozen fields, each a dozen
    template nodes, were most of the time of the queue's and a flag's pages.
    """
    errors = field.errors
    checkbox = getattr(field.field.widget, "input_type", None) == "checkbox"
    classes = "field" + (" has-error" if errors else "") + (" field-check" if checkbox else "")
    label_for, label = fast_escape(field.id_for_label), fast_escape(field.label)
    if checkbox:
        body = f'{fast_escape(field)} <label for="{label_for}">{label}</label>'
    else:
        required = REQUIRED_MARK if field.field.required else ""
        body = f'<label for="{label_for}">{label}{required}</label>\n{fast_escape(field)}'
    parts = [f'<div class="{classes}">', body]
    if field.help_text:
        help_text = fast_escape(field.help_text)
        parts.append(f'<p class="help" id="{fast_escape(field.auto_id)}_help">{help_text}</p>')
    if errors:
        joined = " ".join(fast_escape(str(error)) for error in errors)
        parts.append(
            f'<p class="error" id="{fast_escape(field.auto_id)}_error" role="alert">{joined}</p>'
        )
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every value escaped)
