"""The monthly journal form, built from the organization's active indicators."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from families.models import Family
from fii.forms import DescribedFieldsMixin

from .catalog import DOMAIN_ORDER, Domain, Kind
from .models import DOMAIN_CHOICES, Goal, GoalStatus, HelpKind, Indicator

# On submit these domains must be answered (zero is an answer): they carry the trajectory.
REQUIRED_DOMAINS = frozenset({Domain.INCOME, Domain.SAVINGS, Domain.DEBT})
YES_NO = [("1", _("Yes")), ("0", _("No"))]
SCALE = [(str(n), str(n)) for n in range(1, 6)]
GOAL_PREFIX = "goal_"
NO_CHANGE_PREFIX = "nochange_"


def normalize_number(text: str) -> str:
    """Read a number as people type it: "$1,200", "1 200", "1.200,50" or "12,5"."""
    cleaned = re.sub(r"[\s$€£]", "", text)
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return cleaned.replace(thousands, "").replace(decimal, ".")
    if "," in cleaned:
        # "1,200" is a thousand and two hundred; "12,5" is twelve and a half.
        grouped = re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned)
        return cleaned.replace(",", "" if grouped else ".")
    return cleaned


class TypedNumberMixin:
    """A number typed in a text box: phones show the number pad, and a draft keeps any text."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = normalize_number(value)
        return super().to_python(value)  # type: ignore[misc]


class AmountField(TypedNumberMixin, forms.FloatField):
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class WholeNumberField(TypedNumberMixin, forms.IntegerField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


def _number_field(indicator: Indicator) -> forms.Field:
    if indicator.kind == Kind.COUNT:
        low, high = int(indicator.min_value), int(indicator.max_value)
        return WholeNumberField(min_value=low, max_value=high)
    return AmountField(min_value=indicator.min_value, max_value=indicator.max_value)


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


class JournalForm(DescribedFieldsMixin, forms.Form):
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
        self.describe_fields()

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


class GoalForm(DescribedFieldsMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "title",
            "domain",
            "success_looks_like",
            "target_amount",
            "target_date",
            "priority",
        ]
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "success_looks_like": forms.Textarea(attrs={"rows": 3}),
            "priority": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def clean_target_amount(self) -> float | None:
        value = self.cleaned_data.get("target_amount")
        if value is not None and value > 100_000_000:
            raise ValidationError(_("That amount looks too large; please check it."))
        return value


class GoalUpdateForm(DescribedFieldsMixin, forms.Form):
    note = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount_so_far = AmountField(
        label=_("Amount so far"), required=False, min_value=0, max_value=100_000_000
    )
    percent_done = forms.IntegerField(
        label=_("How far along (percent)"), required=False, min_value=0, max_value=100
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


OUTSIDE = "outside"


class HelpForm(DescribedFieldsMixin, forms.Form):
    """Help given to, or received from, a family of the group or someone outside it."""

    direction = forms.ChoiceField(
        label=_("Did you give or receive help?"),
        choices=[("gave", _("We gave help")), ("received", _("We received help"))],
        widget=forms.RadioSelect,
    )
    other = forms.ChoiceField(label=_("With whom"))
    kind = forms.ChoiceField(label=_("What kind of help"), choices=HelpKind.choices)
    hours = AmountField(label=_("Hours"), required=False, min_value=0, max_value=744)
    amount = AmountField(
        label=_("Value or amount of money"), required=False, min_value=0, max_value=1_000_000
    )
    note = forms.CharField(label=_("A few words (optional)"), required=False, max_length=300)

    def __init__(self, *args: Any, neighbours: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbours = {str(f.pk): f for f in neighbours}
        other = self.fields["other"]
        assert isinstance(other, forms.ChoiceField)
        other.choices = [
            *[(pk, f.name) for pk, f in self.neighbours.items()],
            (OUTSIDE, _("Someone outside our group")),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("hours") is None and cleaned.get("amount") is None:
            raise ValidationError(_("Give the hours, the value, or both."))
        return cleaned

    def other_family(self) -> Any:
        return self.neighbours.get(self.cleaned_data["other"])


class FamilySettingsForm(DescribedFieldsMixin, forms.ModelForm):
    class Meta:
        model = Family
        fields = ["reminders_enabled"]
        labels = {
            "reminders_enabled": _(
                "Send us an e-mail reminder a few days before the journal is due"
            )
        }
