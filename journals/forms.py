"""The monthly journal form, built from the organization's active indicators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .catalog import DOMAIN_ORDER, Domain, Kind
from .models import DOMAIN_CHOICES, Goal, Indicator

# On submit these domains must be answered (zero is an answer): they carry the trajectory.
REQUIRED_DOMAINS = frozenset({Domain.INCOME, Domain.SAVINGS, Domain.DEBT})
YES_NO = [("1", _("Yes")), ("0", _("No"))]
SCALE = [(str(n), str(n)) for n in range(1, 6)]
GOAL_PREFIX = "goal_"
NO_CHANGE_PREFIX = "nochange_"


def _number_field(indicator: Indicator) -> forms.Field:
    whole = indicator.kind == Kind.COUNT
    attrs = {"inputmode": "numeric" if whole else "decimal", "step": "1" if whole else "any"}
    widget = forms.NumberInput(attrs=attrs)
    if whole:
        low, high = int(indicator.min_value), int(indicator.max_value)
        return forms.IntegerField(min_value=low, max_value=high, widget=widget)
    return forms.FloatField(
        min_value=indicator.min_value, max_value=indicator.max_value, widget=widget
    )


def _choice_field(indicator: Indicator) -> forms.Field:
    if indicator.kind == Kind.YESNO:
        return forms.TypedChoiceField(
            choices=YES_NO, coerce=float, empty_value=None, widget=forms.RadioSelect
        )
    if indicator.kind == Kind.SCALE:
        return forms.TypedChoiceField(
            choices=SCALE, coerce=float, empty_value=None, widget=forms.RadioSelect
        )
    options = [(str(o), str(o)) for o in indicator.choices]
    return forms.ChoiceField(choices=[("", "—"), *options])


def indicator_field(indicator: Indicator) -> forms.Field:
    """Return the form field that asks one indicator, with its label and help in the language."""
    numeric = indicator.kind in (Kind.MONEY, Kind.COUNT, Kind.HOURS)
    form_field = _number_field(indicator) if numeric else _choice_field(indicator)
    form_field.required = False
    form_field.label = indicator.label
    form_field.help_text = indicator.help
    return form_field


@dataclass
class Section:
    domain: str
    label: str
    no_change: forms.BoundField
    fields: list[forms.BoundField] = field(default_factory=list)


class JournalForm(forms.Form):
    """All of a month's answers; `clean_for_draft` keeps what does not validate yet."""

    def __init__(
        self,
        *args: Any,
        indicators: Iterable[Indicator],
        goals: Iterable[Goal] = (),
        for_submit: bool = True,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.for_submit = for_submit
        self.indicators = {i.code: i for i in indicators}
        for code, indicator in self.indicators.items():
            self.fields[code] = indicator_field(indicator)
            if indicator.help:
                self.fields[code].widget.attrs["aria-describedby"] = f"id_{code}_help"
        for domain in DOMAIN_ORDER:
            self.fields[NO_CHANGE_PREFIX + domain] = forms.BooleanField(
                required=False, label=_("No change since last month")
            )
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"{GOAL_PREFIX}{goal.pk}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=goal.title,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_fields()

    def _describe_fields(self) -> None:
        """Link each control to its help and error text, for screen readers."""
        for name, form_field in self.fields.items():
            ids = []
            if form_field.help_text:
                ids.append(f"id_{name}_help")
            if name in self.errors:
                ids.append(f"id_{name}_error")
                form_field.widget.attrs["aria-invalid"] = "true"
            if ids:
                form_field.widget.attrs["aria-describedby"] = " ".join(ids)

    def sections(self) -> list[Section]:
        labels = dict(DOMAIN_CHOICES)
        by_domain = {
            d: Section(d, str(labels[d]), self[NO_CHANGE_PREFIX + d]) for d in DOMAIN_ORDER
        }
        for code, indicator in self.indicators.items():
            by_domain[indicator.domain].fields.append(self[code])
        return [s for s in by_domain.values() if s.fields]

    def goal_fields(self) -> list[forms.BoundField]:
        return [self[f"{GOAL_PREFIX}{g.pk}"] for g in self.goals]

    def error_list(self) -> list[tuple[str, str, str]]:
        """Return (field name, label, messages) for the error summary at the top of the page."""
        return [
            (
                name,
                str(self.fields[name].label if name in self.fields else ""),
                " ".join(str(e) for e in errors),
            )
            for name, errors in self.errors.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.for_submit:
            return cleaned
        for code, indicator in self.indicators.items():
            missing = cleaned.get(code) is None and code not in self.errors
            if missing and indicator.domain in REQUIRED_DOMAINS:
                self.add_error(
                    code, ValidationError(_("Please answer this; 0 is fine."), "required")
                )
        return cleaned

    def values(self) -> dict[str, Any]:
        """Return the valid indicator answers by code (None for blanks)."""
        return {
            code: self.cleaned_data.get(code) for code in self.indicators if code not in self.errors
        }

    def raw_invalid(self) -> dict[str, str]:
        """Return exactly what was typed in fields that did not validate."""
        return {
            code: str(self.data.get(code, ""))
            for code in self.indicators
            if code in self.errors and self.data.get(code, "") != ""
        }

    def goal_notes(self) -> dict[int, str]:
        if not hasattr(self, "cleaned_data"):
            return {}
        notes = {}
        for goal in self.goals:
            text = (self.cleaned_data.get(f"{GOAL_PREFIX}{goal.pk}") or "").strip()
            if text:
                notes[goal.pk] = text
        return notes
