"""The form renderer writes inputs and selects without templates, exactly as Django's do."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation

from capital.forms import QueueFilterForm
from capital.models import Program
from families.models import Group
from fii.renderer import FastFormRenderer
from journals.forms import JournalForm
from journals.models import Indicator

pytestmark = pytest.mark.django_db

HOSTILE = "7<b>&\"'x"


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="<help>")
    number = forms.IntegerField(min_value=0)
    amount = forms.DecimalField(max_digits=6, decimal_places=2, required=False)
    email = forms.EmailField(disabled=True)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False)
    colour = forms.ChoiceField(
        choices=[("", "Any"), ("r", "Red & <rose>"), ("b", "Blue")], required=False
    )
    grouped = forms.ChoiceField(
        choices=[("Warm", [("r", "Red"), ("o", "Orange")]), ("Cold", [("b", "Blue")])]
    )
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, '"Three"')])
    radio = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No <no>")], widget=forms.RadioSelect)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    # Labels that are not text: the template engine writes them in the local format.
    size = forms.TypedChoiceField(
        choices=[(1.5, 1.5), (2, dt.date(2024, 7, 5)), (3, 1234567)], coerce=float
    )
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("pk"), required=False)


def same_as_djangos(form: forms.BaseForm) -> int:
    """Assert every field renders as Django's template renderer would; return how many."""
    ours, theirs = FastFormRenderer(), DjangoTemplates()
    for name in form.fields:
        bound = form[name]
        widget = bound.field.widget
        attrs = {"id": bound.auto_id}
        expected = widget.render(bound.html_name, bound.value(), attrs=attrs, renderer=theirs)
        assert widget.render(bound.html_name, bound.value(), attrs=attrs, renderer=ours) == (
            expected
        ), name
        for option in bound.subwidgets:
            for wrap in (True, False):
                context = {"widget": {**option.data, "wrap_label": wrap}}
                assert ours.render(option.template_name, context) == theirs.render(
                    option.template_name, context
                ), name
    return len(form.fields)


def test_it_is_the_renderer_of_every_form():
    assert isinstance(get_default_renderer(), FastFormRenderer)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("bound", [True, False])
def test_every_common_widget_is_written_as_djangos_templates_write_it(bound, language, world_a):
    data = {
        "text": HOSTILE,
        "number": "-3",
        "amount": "1.5",
        "email": "a@b",
        "password": HOSTILE,
        "hidden": HOSTILE,
        "day": dt.date(2024, 7, 5).isoformat(),
        "agree": "on",
        "colour": "r",
        "grouped": "o",
        "several": ["1", "3"],
        "radio": "n",
        "notes": HOSTILE,
        "size": "1.5",
        "group": str(world_a.objects["group"].pk),
    }
    with translation.override(language):
        form = EveryWidget(data if bound else None, initial={"colour": "b", "radio": "y"})
        form.is_valid()
        assert same_as_djangos(form) == 15


def test_the_journal_is_written_as_djangos_templates_write_it(world_a):
    indicators = list(Indicator.objects.for_org(world_a.org).active())
    goal = world_a.objects["goal"]
    data = {i.code: HOSTILE if n % 3 else "1" for n, i in enumerate(indicators)}
    data.update({"nochange_income": "on", f"goal_{goal.pk}": "<i>'"})
    for form_data in (data, None):
        form = JournalForm(form_data, indicators=indicators, goals=[goal], for_submit=True)
        form.is_valid()
        assert same_as_djangos(form) > len(indicators)


def test_the_queue_filters_are_written_as_djangos_templates_write_them(world_a):
    programs = list(Program.objects.for_org(world_a.org).values_list("pk", "name"))
    groups = list(Group.objects.for_org(world_a.org).values_list("pk", "name"))
    assert programs and groups
    data = {"program": str(programs[0][0]), "group": "nonsense", "min_score": HOSTILE}
    for form_data in (data, None):
        form = QueueFilterForm(form_data, programs=programs, groups=groups)
        form.is_valid()
        assert same_as_djangos(form) == 6
