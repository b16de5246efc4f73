"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


class DescribedFieldsMixin:
    """Link each control to its help and error text (aria-describedby), for screen readers."""

    fields: dict[str, forms.Field]
    described = True  # False for a form that is only validated, never shown

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.describe_fields()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.describe_fields()

    def describe_fields(self) -> None:
        if not self.described:
            return
        # Read errors only once validation has run: touching `errors` would run it too early.
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            bound_id = self[name].auto_id  # type: ignore[index]
            ids = []
            if field.help_text:
                ids.append(f"{bound_id}_help")
            if name in errors:
                ids.append(f"{bound_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
