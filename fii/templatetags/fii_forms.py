"""Template tags for forms: one field with its label, help and errors."""

from __future__ import annotations

from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

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
    if checkbox:
        body = format_html('{} <label for="{}">{}</label>', field, field.id_for_label, field.label)
    else:
        body = format_html(
            '<label for="{}">{}{}</label>\n{}',
            field.id_for_label,
            field.label,
            REQUIRED_MARK if field.field.required else "",
            field,
        )
    parts: list[str] = [format_html('<div class="{}">', classes), body]
    if field.help_text:
        parts.append(
            format_html('<p class="help" id="{}_help">{}</p>', field.auto_id, field.help_text)
        )
    if errors:
        joined = " ".join(conditional_escape(str(error)) for error in errors)
        parts.append(
            format_html(
                '<p class="error" id="{}_error" role="alert">{}</p>',
                field.auto_id,
                mark_safe(joined),  # noqa: S308 (each error escaped above)
            )
        )
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every part escaped or our own markup)
