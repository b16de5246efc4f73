"""A form field written by the form_field tag reads as the included template wrote it."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from fii.templatetags.fii_forms import form_field

# The field as templates/includes/field.html wrote it before the tag.
TEMPLATE = """{% load i18n %}<div class="field{% if field.errors %} has-error{% endif %}{% if field.field.widget.input_type == 'checkbox' %} field-check{% endif %}">
  {% if field.field.widget.input_type == "checkbox" %}
    {{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label>
  {% else %}
    <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="req" aria-hidden="true">*</span>{% endif %}</label>
    {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_help">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<p class="error" id="{{ field.auto_id }}_error" role="alert">{{ field.errors|join:" " }}</p>{% endif %}
</div>"""


class Sample(forms.Form):
    name = forms.CharField(label="Name <b>", max_length=5, help_text="Say <i>who</i>")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    agree = forms.BooleanField(label="I agree & sign", help_text="Tick it")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A <1>"), ("b", "B")], required=False)
    count = forms.IntegerField(label="How many", min_value=1, required=False)

    def clean_name(self) -> str:
        if self.cleaned_data["name"] == "bad":
            raise forms.ValidationError(["Not <this>", "nor that & more"])
        return str(self.cleaned_data["name"])


def normalized(html: str) -> str:
    """Return the HTML as a browser reads it: any run of white space is one space."""
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


FORMS = {
    "unbound": lambda: Sample(),
    "valid": lambda: Sample({"name": "Ana", "agree": "on", "kind": "a", "count": "2"}),
    "invalid": lambda: Sample({"name": "bad", "count": "0", "kind": "z"}),
    "too long": lambda: Sample({"name": "far too long", "agree": ""}, prefix="p"),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("case", FORMS)
def test_every_field_is_the_templates(case, language):
    template = engines["django"].from_string(TEMPLATE)
    with translation.override(language):
        form = FORMS[case]()
        for field in form:
            expected = template.render({"field": field})
            written = form_field(field)
            assert normalized(written) == normalized(expected), field.name


def test_what_a_person_reads_and_what_is_escaped():
    form = Sample({"name": "bad"})
    html = str(form_field(form["name"]))
    assert '<div class="field has-error">' in html
    assert 'id="id_name_help">Say &lt;i&gt;who&lt;/i&gt;</p>' in html
    assert 'role="alert">Not &lt;this&gt; nor that &amp; more</p>' in html
    assert '<label for="id_name">Name &lt;b&gt; <span class="req"' in html
    checkbox = str(form_field(form["agree"]))
    assert checkbox.startswith('<div class="field has-error field-check">\n<input type="checkbox"')
    assert '<label for="id_agree">I agree &amp; sign</label>' in checkbox
    assert "req" not in str(form_field(form["note"]))


def test_a_kept_select_is_written_as_djangos_for_every_value_choice_and_language():
    from fii.forms import KeptSelect

    KeptSelect._kept.clear()
    choices = [("", "Every group"), (1, "Ana & co"), (2, "Bea <b>")]
    for language in ("en", "es"):
        with translation.override(language):
            for value in (None, "", "1", 2, ["2"]):
                for attrs in (None, {"id": "id_group", "aria-describedby": "x"}):
                    kept, plain = KeptSelect(choices=choices), forms.Select(choices=choices)
                    written = kept.render("group", value, attrs)
                    assert written == plain.render("group", value, attrs)
                    assert kept.render("group", value, attrs) == written  # kept, the same
    longer = KeptSelect(choices=[*choices, (3, "Cid")])
    assert "Cid" in longer.render("group", "3") and 'value="3" selected' in longer.render(
        "group", 3
    )
    assert len(KeptSelect._kept) > 1
