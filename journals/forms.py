"""The monthly journal form, built from the organization's active indicators."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from families.models import Family
from fii.models import Organization

from .catalog import BUILTIN_CODES, DOMAIN_ORDER, KIND_BOUNDS, Domain, Kind
from .imports import MAX_IMPORT_BYTES, ImportFileError, decode_upload
from .models import DOMAIN_CHOICES, Goal, GoalStatus, HelpKind, Indicator
from .numbers import normalize_number

# On submit these domains must be answered (zero is an answer): they carry the trajectory.
REQUIRED_DOMAINS = frozenset({Domain.INCOME, Domain.SAVINGS, Domain.DEBT})
YES_NO = [("1", _("Yes")), ("0", _("No"))]
SCALE = [(str(n), str(n)) for n in range(1, 6)]
GOAL_PREFIX = "goal_"
NO_CHANGE_PREFIX = "nochange_"


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
    """Return a new form field that asks one indicator, with its label and help."""
    numeric = indicator.kind in (Kind.MONEY, Kind.COUNT, Kind.HOURS)
    form_field = _number_field(indicator) if numeric else _choice_field(indicator)
    form_field.required = False
    form_field.label = indicator.label
    form_field.help_text = indicator.help
    return form_field


@dataclass
class Section:
    """One area of life on the journal page: its questions and its "no change" box."""

    domain: str
    label: str
    no_change: forms.BoundField
    fields: list[forms.BoundField] = field(default_factory=list)


class JournalForm(forms.Form):
    """All of a month's answers, by section; `raw_invalid` keeps what does not validate yet."""

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


class GoalForm(forms.ModelForm):
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


class GoalUpdateForm(forms.Form):
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


class HelpForm(forms.Form):
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


class FamilySettingsForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = ["reminders_enabled"]
        labels = {
            "reminders_enabled": _(
                "Send us an e-mail reminder a few days before the journal is due"
            )
        }


# Organization settings and the indicator catalog (org admins) ------------------------------

# Codes a custom indicator may not take: the built-in ones (even where switched off), the
# journal's own fields, and the columns of the import file.
RESERVED_CODES = frozenset(
    {*BUILTIN_CODES, "household_name", "period", "status", "extra", "draft", "family", "id"}
)
CUSTOM_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,59}$"
MAX_CHOICES = 30


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OrganizationSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = Organization
        fields = [
            "stipend_amount",
            "journal_due_day",
            "journal_edit_days",
            "min_cell_size",
            "timezone",
            "currency",
        ]
        labels = {
            "stipend_amount": _("Stipend per journal"),
            "journal_due_day": _("Journal due day"),
            "journal_edit_days": _("Days to correct a submitted journal"),
            "min_cell_size": _("Minimum cell size for funders"),
            "currency": _("Currency"),
        }
        help_texts = {
            "journal_due_day": _(
                "Day of the following month (1 to 28) by which a month's journal is due."
            ),
            "min_cell_size": _(
                "Funders never see a figure built on fewer families than this (at least 2). "
                "Below 11, small groups of families become easier to recognize."
            ),
            "currency": _("Three-letter ISO 4217 code, e.g. USD or MXN."),
        }
        widgets = {
            "stipend_amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
            "journal_due_day": forms.NumberInput(attrs={"min": 1, "max": 28}),
            "journal_edit_days": forms.NumberInput(attrs={"min": 0, "max": 365}),
            "min_cell_size": forms.NumberInput(attrs={"min": 2}),
            "currency": forms.TextInput(attrs={"maxlength": 3, "autocapitalize": "characters"}),
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_stipend_amount(self) -> Any:
        amount = self.cleaned_data["stipend_amount"]
        if amount is not None and amount > 100_000:
            raise ValidationError(_("That amount looks too large; please check it."))
        return amount


def _parse_choices(text: str) -> list[str]:
    options = [line.strip() for line in text.splitlines() if line.strip()]
    if len(options) < 2:
        raise ValidationError(_("Give at least two options, one per line."))
    if len(options) > MAX_CHOICES:
        raise ValidationError(
            _("Give at most %(n)d options.") % {"n": MAX_CHOICES}, code="too_many"
        )
    if any(len(o) > 60 for o in options):
        raise ValidationError(_("Keep each option under 60 characters."))
    if len({o.casefold() for o in options}) != len(options):
        raise ValidationError(_("Each option must appear once."))
    return options


class CustomIndicatorForm(forms.ModelForm):
    """An organization's own indicator, kept in JournalEntry.extra under its code."""

    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for 'one of a list': one option per line."),
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "domain",
            "kind",
            "label_en",
            "label_es",
            "help_en",
            "help_es",
            "min_value",
            "max_value",
        ]
        labels = {
            "code": _("Code"),
            "domain": _("Area of life"),
            "kind": _("Kind of answer"),
            "min_value": _("Smallest value allowed"),
            "max_value": _("Largest value allowed"),
        }
        help_texts = {
            "code": _(
                "Lowercase letters, digits and underscores, e.g. garden_harvest. "
                "It names the column in imports and cannot change later."
            ),
            "min_value": _("Empty: the usual bounds for this kind of answer."),
        }

    def __init__(self, *args: Any, organization: Organization, used: bool = False, **kwargs: Any):
        self.organization = organization
        super().__init__(*args, **kwargs)
        self.fields["min_value"].required = False
        self.fields["max_value"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["choices_text"].initial = "\n".join(map(str, self.instance.choices))
            if used:
                self.fields["kind"].disabled = True
                self.fields["kind"].help_text = _("Already answered: the kind cannot change.")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().lower()
        if self.instance.pk:
            return self.instance.code
        if not re.fullmatch(CUSTOM_CODE_PATTERN, code):
            raise ValidationError(
                _("Use 2 to 60 lowercase letters, digits or underscores, starting with a letter.")
            )
        if code in RESERVED_CODES:
            raise ValidationError(_("This code is reserved by fii; choose another."))
        if Indicator.objects.for_org(self.organization).filter(code=code).exists():
            raise ValidationError(_("Another indicator already has this code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind is None:
            return cleaned
        self._clean_choices(kind, cleaned)
        self._clean_bounds(kind, cleaned)
        return cleaned

    def _clean_choices(self, kind: str, cleaned: dict[str, Any]) -> None:
        text = cleaned.get("choices_text", "")
        if kind != Kind.CHOICE:
            if text.strip():
                self.add_error("choices_text", _("Options are only for 'one of a list'."))
            cleaned["choices"] = []
            return
        try:
            cleaned["choices"] = _parse_choices(text)
        except ValidationError as error:
            self.add_error("choices_text", error)

    def _clean_bounds(self, kind: str, cleaned: dict[str, Any]) -> None:
        low, high = KIND_BOUNDS[kind]
        if kind in (Kind.YESNO, Kind.SCALE, Kind.CHOICE):
            cleaned["min_value"], cleaned["max_value"] = low, high
            return
        minimum = low if cleaned.get("min_value") is None else cleaned["min_value"]
        maximum = high if cleaned.get("max_value") is None else cleaned["max_value"]
        if not low <= minimum <= high:
            self.add_error(
                "min_value", _("Between %(low)g and %(high)g.") % {"low": low, "high": high}
            )
        if not low <= maximum <= high:
            self.add_error(
                "max_value", _("Between %(low)g and %(high)g.") % {"low": low, "high": high}
            )
        if minimum > maximum:
            self.add_error("max_value", _("The largest value is smaller than the smallest."))
        cleaned["min_value"], cleaned["max_value"] = minimum, maximum

    def save(self, commit: bool = True) -> Indicator:
        indicator = super().save(commit=False)
        indicator.choices = self.cleaned_data.get("choices", [])
        indicator.min_value = self.cleaned_data["min_value"]
        indicator.max_value = self.cleaned_data["max_value"]
        if commit:
            indicator.save()
        return indicator


class ImportForm(forms.Form):
    """Two optional CSV files, read as text here; their rows are checked by the import job."""

    families_file = forms.FileField(
        label=_("Families (CSV)"),
        required=False,
        help_text=_("One row per household. At most 5 MB."),
    )
    journals_file = forms.FileField(
        label=_("Past journals (CSV)"),
        required=False,
        help_text=_("One row per household and month. At most 5 MB."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Skip the bad rows and import the others"),
        required=False,
        help_text=_("Unticked, nothing is imported while any row has a problem."),
    )

    def _text(self, name: str) -> tuple[str, str]:
        upload = self.cleaned_data.get(name)
        if upload is None:
            return "", ""
        label = str(self.fields[name].label)
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("%(file)s is larger than 5 MB: split it into several files.") % {"file": label}
            )
        try:
            return upload.name[:200], decode_upload(upload.read(), label=label)
        except ImportFileError as error:
            raise ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("families_file", "journals_file"):
            try:
                cleaned[f"{name}_name"], cleaned[f"{name}_text"] = self._text(name)
            except ValidationError as error:
                self.add_error(name, error)
        if not self.errors and not (
            cleaned.get("families_file_text", "").strip()
            or cleaned.get("journals_file_text", "").strip()
        ):
            raise ValidationError(_("Choose at least one file that is not empty."))
        return cleaned
