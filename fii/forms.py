"""Form helpers shared by every app."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's renderer, with the site's way of writing a field: label, control, help, errors."""

    field_template_name = "includes/field.html"
