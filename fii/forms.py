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


class KeptSelect(forms.Select):
    """A <select>, its HTML kept per process for its name, value, attributes and choices.

    For a long list (the queue offers every group of an organization, hundreds): Django builds
    a dictionary per option on every render, which cost more than the rest of the form. The
    labels are read in the active language, so the key follows it.
    """

    _kept: dict[tuple[Any, ...], str] = {}
    _most = 500

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        key = (
            name,
            repr(value),
            tuple(sorted((k, str(v)) for k, v in self.build_attrs(self.attrs, attrs).items())),
            tuple((str(option), str(label)) for option, label in self.choices),
        )
        html = self._kept.get(key)
        if html is None:
            if len(self._kept) >= self._most:
                self._kept.clear()
            html = self._kept[key] = super().render(name, value, attrs, renderer)
        return html
