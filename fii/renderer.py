"""The form renderer: Django's templates, except for the few widgets every page writes.

A page with a form writes one template per <input> and per <option>; on the journal (about 60
inputs) and the queue's filters (about 40 options) that cost as much as the rest of the page.
These functions write the same HTML as Django's widget templates, byte for byte (a test
compares them); any other template goes to Django's.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as html_escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

INPUT = "django/forms/widgets/input.html"
RADIO_OPTION = "django/forms/widgets/radio_option.html"
SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = "django/forms/widgets/select_option.html"


def fast_escape(value: Any) -> str:
    """Return conditional_escape(value), sooner for the plain strings most values are."""
    if type(value) is str:
        return html_escape(value)  # what django.utils.html.escape does with a str
    return conditional_escape(value)


def _attribute(value: Any) -> str:
    """Write `{{ value|stringformat:'s' }}` as the template engine does, escaped."""
    text = str(value) if isinstance(value, tuple) else "%s" % value  # noqa: UP031
    return text if isinstance(value, SafeData) else html_escape(text)


def _text(value: Any) -> str:
    """Write `{{ value }}` as the template engine does: local time, local format, escaped."""
    if type(value) is str:
        return html_escape(value)
    return conditional_escape(localize(template_localtime(value)))


def _attrs(attrs: dict[str, Any]) -> str:
    """Write what attrs.html writes."""
    parts = []
    for attribute, value in attrs.items():
        if value is not False:
            parts.append(f" {fast_escape(attribute)}")
            if value is not True:
                parts.append(f'="{_attribute(value)}"')
    return "".join(parts)


def input_html(widget: dict[str, Any], wrap_label: bool = False) -> str:
    """Return exactly what input.html (and input_option.html around it) write."""
    kind, name = fast_escape(widget["type"]), fast_escape(widget["name"])
    value = "" if widget["value"] is None else f' value="{_attribute(widget["value"])}"'
    html = f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'
    if wrap_label:
        ident = widget["attrs"].get("id")
        label_for = f' for="{_text(ident)}"' if ident else ""
        # input.html ends with a line break, which stays inside the label.
        html = f"<label{label_for}>{html}\n {_text(widget['label'])}</label>"
    return html


def option_html(option: dict[str, Any]) -> str:
    """Return exactly what select_option.html writes."""
    value, label = _attribute(option["value"]), _text(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def select_html(widget: dict[str, Any]) -> str | None:
    """Return exactly what select.html writes, or None for options of another template."""
    parts = [f'<select name="{fast_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            # The included template keeps its closing line break.
            parts.append(f"\n  {option_html(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def textarea_html(widget: dict[str, Any]) -> str:
    """Return exactly what textarea.html writes."""
    value = _text(widget["value"]) if widget["value"] else ""
    name = fast_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _render_input(widget: dict[str, Any]) -> str:
    return input_html(widget)


def _render_radio_option(widget: dict[str, Any]) -> str:
    return input_html(widget, wrap_label=bool(widget.get("wrap_label")))


WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    INPUT: _render_input,
    "django/forms/widgets/text.html": _render_input,
    "django/forms/widgets/number.html": _render_input,
    "django/forms/widgets/email.html": _render_input,
    "django/forms/widgets/password.html": _render_input,
    "django/forms/widgets/hidden.html": _render_input,
    "django/forms/widgets/date.html": _render_input,
    "django/forms/widgets/checkbox.html": _render_input,
    RADIO_OPTION: _render_radio_option,
    SELECT: select_html,
    SELECT_OPTION: option_html,
    "django/forms/widgets/textarea.html": textarea_html,
}


class FastFormRenderer(DjangoTemplates):
    """Django's template renderer, writing inputs, selects and text areas without a template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = WRITERS.get(template_name)
        if writer is not None:
            html = writer(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
