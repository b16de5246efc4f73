"""A journal question written by the journal_row tag reads as the template wrote it."""

from __future__ import annotations

import re

import pytest
from django.forms import FileField
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe

from journals.forms import FieldRow, JournalForm
from journals.models import Indicator
from journals.templatetags.journal_tags import journal_row

pytestmark = pytest.mark.django_db

HOSTILE = "7<b>&\"'x"

# One question as journal.html wrote it before the tag.
TEMPLATE = """{% if row.radio %}
  <fieldset class="field radio-field{% if row.errors %} has-error{% endif %}" {% if row.help_text or row.errors %}aria-describedby="{% if row.help_text %}id_{{ row.name }}_help{% endif %}{% if row.errors %} id_{{ row.name }}_error{% endif %}"{% endif %} id="id_{{ row.name }}">
    <legend>{{ row.label }}</legend>
    <div class="radios">{% for tag, choice_label in row.options %}<label>{{ tag }} {{ choice_label }}</label>{% endfor %}</div>
    {% if row.help_text %}<p class="help" id="id_{{ row.name }}_help">{{ row.help_text }}</p>{% endif %}
    {% if row.errors %}<p class="error" id="id_{{ row.name }}_error">{{ row.errors|join:" " }}</p>{% endif %}
  </fieldset>
{% else %}
  <div class="field{% if row.errors %} has-error{% endif %}">
    <label for="{{ row.id_for_label }}">{{ row.label }}</label>
    {{ row.control }}
    {% if row.help_text %}<p class="help" id="id_{{ row.name }}_help">{{ row.help_text }}</p>{% endif %}
    {% if row.errors %}<p class="error" id="id_{{ row.name }}_error">{{ row.errors|join:" " }}</p>{% endif %}
  </div>
{% endif %}"""


def normalized(html: str) -> str:
    """Whitespace between tags and inside an attribute list is not part of the page."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    html = re.sub(r"> <", "><", html)
    return html.replace('aria-describedby=" ', 'aria-describedby="').replace('"  id=', '" id=')


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_question_is_written_as_the_template_wrote_it(world_a, language):
    indicators = list(Indicator.objects.for_org(world_a.org).active())
    Indicator.objects.filter(pk=indicators[0].pk).update(help_en="<em>", help_es="<em>")
    indicators = list(Indicator.objects.for_org(world_a.org).active())
    data = {i.code: HOSTILE if n % 3 else "1" for n, i in enumerate(indicators)}
    template = engines["django"].from_string(TEMPLATE)
    kinds = set()
    with translation.override(language):
        for form_data in (data, None):
            form = JournalForm(form_data, indicators=indicators, for_submit=True)
            form.is_valid()
            for section in form.sections():
                for row in section.rows():
                    expected = template.render({"row": row})
                    assert normalized(journal_row(row)) == normalized(expected)
                    kinds.add((row.radio, bool(row.errors), bool(row.help_text)))
    # Radio buttons and text boxes, with and without errors and help, were all compared.
    assert {(True, True), (True, False), (False, True), (False, False)} <= {
        (radio, errors) for radio, errors, _ in kinds
    }
    assert any(help_text for *_, help_text in kinds)


def test_it_escapes_what_a_row_carries():
    control = mark_safe("<input>")  # a rendered widget
    row = FieldRow("x", "<b>label", control, "id_x", "<i>help", ["<s>bad"], False, [])
    html = journal_row(row)
    assert "&lt;b&gt;label" in html and "&lt;i&gt;help" in html and "&lt;s&gt;bad" in html
    assert "<input>" in html  # the control is already HTML


def test_a_form_that_is_never_shown_shares_its_fields_and_changes_none(world_a):
    indicators = list(Indicator.objects.for_org(world_a.org).active())
    bad = {i.code: HOSTILE for i in indicators}
    hidden = JournalForm(bad, indicators=indicators, for_submit=True, shown=False)
    assert not hidden.is_valid() and hidden.raw_invalid()
    shown = JournalForm(bad, indicators=indicators, for_submit=True)
    assert not shown.is_valid()
    again = JournalForm(bad, indicators=indicators, for_submit=True, shown=False)
    code = next(iter(hidden.indicators))
    # The autosave's forms share the process's field; the page's form has its own copy,
    # which alone says which answers are wrong, for screen readers.
    assert hidden.fields[code] is again.fields[code] is not shown.fields[code]
    assert "aria-invalid" not in hidden.fields[code].widget.attrs
    assert shown.fields[code].widget.attrs["aria-invalid"] == "true"
    assert hidden.errors == shown.errors and hidden.values() == shown.values()


@pytest.mark.parametrize("for_submit", [True, False])
def test_a_form_only_validated_cleans_as_a_shown_one(world_a, for_submit):
    """The autosave's form (shown=False) cleans without bound fields: the same values and the
    same errors as Django's own loop, for good, blank, hostile and out-of-range answers."""
    indicators = list(Indicator.objects.for_org(world_a.org).active())
    answers = ["12", "", HOSTILE, "-5", "1e9", "3,5", "  7 "]
    data = {i.code: answers[n % len(answers)] for n, i in enumerate(indicators)}
    shown = JournalForm(data, indicators=indicators, for_submit=for_submit)
    validated = JournalForm(data, indicators=indicators, for_submit=for_submit, shown=False)
    assert shown.is_valid() == validated.is_valid()
    codes = [i.code for i in indicators]
    assert {c: validated.cleaned_data.get(c) for c in codes} == {
        c: shown.cleaned_data.get(c) for c in codes
    }
    assert {c: validated.errors.get(c) for c in codes} == {c: shown.errors.get(c) for c in codes}
    assert validated.errors and validated.values() == shown.values()
    # What Django's loop handles and the fast one does not: the journal has none of it.
    assert not [name for name in dir(JournalForm) if name.startswith("clean_")]
    assert not [f for f in validated.fields.values() if f.disabled or isinstance(f, FileField)]
