"""Forms of the staff console: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .metrics import Subject, metrics_for
from .models import (
    Decision,
    DisbursementStatus,
    FlagStatus,
    LoanStatus,
    Operator,
    Program,
    ProgramCost,
    ProgramKind,
    ReadinessRule,
)
from .selectors import ANY, LIVE, QUEUE_SORTS, QueueFilters

MAX_TEXT = 2000


def before_year_3000(day: dt.date) -> None:
    """Refuse dates so far ahead that a payment schedule from them would overflow."""
    if day.year > 2999:
        raise ValidationError(_("Give a day before the year 3000."))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Add a service's errors to the form, by field where the form has that field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _choices(rows: list[Any], empty: str) -> list[tuple[Any, str]]:
    return [("", empty), *((row.pk, str(row)) for row in rows)]


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give a choice field of the form its choices, known only once the form is made."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


# --- the queue -----------------------------------------------------------------------------------

STATUS_CHOICES = [
    (LIVE, _("Needs a decision")),
    *FlagStatus.choices,
    (ANY, _("Any status")),
]
SORT_CHOICES = [
    ("-score", _("Highest score first")),
    ("score", _("Lowest score first")),
    ("opened", _("Waiting longest first")),
    ("-opened", _("Newest first")),
    ("program", _("Program")),
]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; every one may be left empty."""

    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    min_score = forms.FloatField(
        label=_("Score at least"), required=False, min_value=0, max_value=100
    )
    within_days = forms.IntegerField(
        label=_("Opened in the last (days)"), required=False, min_value=1, max_value=3650
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self, *args: Any, programs: list[tuple[int, str]], groups: list[tuple[int, str]], **kw: Any
    ) -> None:
        """`programs` and `groups` are (id, name) pairs, in the order to offer them."""
        super().__init__(*args, **kw)
        set_choices(self, "program", [("", _("Every program")), *programs])
        set_choices(self, "group", [("", _("Every group")), *groups])

    def filters(self) -> QueueFilters:
        """Return the valid filters; an invalid one is left out (the form shows its error)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        sort = data.get("sort") or "-score"
        return QueueFilters(
            program_id=data.get("program") or None,
            group_id=data.get("group") or None,
            status=data.get("status") or LIVE,
            min_score=data.get("min_score"),
            within_days=data.get("within_days"),
            sort=sort if sort in QUEUE_SORTS else "-score",
        )


# --- decisions -----------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    """What every decision carries: the flag's status as the person saw it."""

    decision: str = ""
    expected_status = forms.ChoiceField(choices=FlagStatus.choices, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("prefix", self.decision)
        super().__init__(*args, **kw)


class ApproveForm(DecisionForm):
    decision = Decision.APPROVE
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    instalments = forms.IntegerField(
        label=_("Monthly payments"),
        initial=1,
        min_value=1,
        max_value=120,
        help_text=_("1 pays it all at once."),
    )
    start_on = forms.DateField(
        label=_("First payment on"), widget=DateInput(), validators=[before_year_3000]
    )
    annual_rate = forms.DecimalField(
        label=_("Yearly interest (%)"),
        required=False,
        initial=Decimal("0"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        max_digits=5,
    )
    note = forms.CharField(
        label=_("Terms and note (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, is_loan: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if is_loan:
            self.fields["instalments"].label = _("Months to repay")
            self.fields["instalments"].help_text = _("Repaid in level monthly instalments.")
            self.fields["instalments"].initial = 12
            self.fields["start_on"].label = _("Money lent on")
            self.fields["start_on"].help_text = _("The first instalment is due a month later.")
        else:
            del self.fields["annual_rate"]

    def annual_rate_fraction(self) -> Decimal:
        return (self.cleaned_data.get("annual_rate") or Decimal("0")) / 100


class DeclineForm(DecisionForm):
    decision = Decision.DECLINE
    note = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the flag; the family does not see it."),
    )


class DeferForm(DecisionForm):
    decision = Decision.DEFER
    defer_until = forms.DateField(
        label=_("Look again on"),
        widget=DateInput(),
        validators=[before_year_3000],
        help_text=_("Until then the nightly run does not flag this again for the program."),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AskForm(DecisionForm):
    decision = Decision.ASK_INFO
    note = forms.CharField(
        label=_("Question for the family"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The family sees it on its capital page and can answer there."),
    )


DECISION_FORMS: dict[str, type[DecisionForm]] = {
    form.decision: form for form in (ApproveForm, DeclineForm, DeferForm, AskForm)
}


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- the ledger ----------------------------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Payments"),
        required=False,
        choices=[("", _("Every status")), *DisbursementStatus.choices],
    )
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DateInput())
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, programs: list[Program], **kw: Any) -> None:
        super().__init__(*args, **kw)
        set_choices(self, "program", _choices(programs, str(_("Every program"))))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", _("The end comes before the start."))
        return data


class PeriodForm(forms.Form):
    """An optional date range, for the decisions log."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end comes before the start."))
        return data


class DisbursementStatusForm(forms.Form):
    status = forms.ChoiceField(choices=DisbursementStatus.choices)
    expected_status = forms.ChoiceField(
        choices=DisbursementStatus.choices, widget=forms.HiddenInput
    )
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DateInput())


class RepaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount repaid"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class LoanStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(LoanStatus.CANCELLED, _("Cancel")), (LoanStatus.WRITTEN_OFF, _("Write off"))]
    )
    expected_status = forms.ChoiceField(choices=LoanStatus.choices, widget=forms.HiddenInput)


# --- programs, rules and costs -------------------------------------------------------------------


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "kind", "subject", "budget", "currency", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.organization = organization
        self.fields["budget"].help_text = _("Approvals can never commit more than this.")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Program.objects.for_org(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another program already has this name."))
        return name

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ProgramKind.GROUP_FUND and data.get("subject") != Subject.GROUP:
            self.add_error("subject", _("A group fund is for groups."))
        return data


class RuleForm(forms.ModelForm):
    """A readiness rule of one program: a metric of the program's subject and a threshold."""

    threshold = forms.FloatField(
        label=_("Threshold"), help_text=_("A number: shares and rates as fractions, 0.05 is 5%.")
    )

    class Meta:
        model = ReadinessRule
        fields = ["metric", "operator", "threshold", "label_en", "label_es", "position"]

    def __init__(self, *args: Any, program: Program, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.program = program
        self.instance.program = program
        self.instance.organization_id = program.organization_id
        set_choices(self, "metric", [(m.name, m.label) for m in metrics_for(program.subject)])
        set_choices(self, "operator", Operator.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric, operator = data.get("metric"), data.get("operator")
        taken = self.program.rules.filter(metric=metric, operator=operator)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if metric and operator and taken.exists():
            self.add_error("operator", _("The program already has a rule on this metric."))
        return data


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (what a month input sends), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class CostForm(forms.ModelForm):
    month = MonthField(label=_("Month"))
    program = forms.TypedChoiceField(
        label=_("Program"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        model = ProgramCost
        fields = ["month", "program", "category", "amount", "note"]

    def __init__(self, *args: Any, programs: list[Program], today: dt.date, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.programs = {p.pk: p for p in programs}
        self.today = today
        set_choices(self, "program", _choices(programs, str(_("The whole organization"))))

    def clean_program(self) -> Program | None:
        program_id = self.cleaned_data.get("program")
        return self.programs.get(program_id) if program_id else None

    def clean_month(self) -> dt.date:
        month = self.cleaned_data["month"]
        if month > self.today.replace(day=1):
            raise ValidationError(_("Record a cost once its month has started."))
        if month.year < 2000:
            raise ValidationError(_("Enter a month from 2000 on."))
        return month
