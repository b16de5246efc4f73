"""Numbers as people type them, read alike by the journal form and the CSV import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from journals.forms import AmountField
from journals.imports.checks import RowError, _number
from journals.numbers import normalize_number

TYPED = [
    ("1200", 1200.0),
    ("1,200", 1200.0),
    ("1,200,000", 1_200_000.0),
    ("-1,200", -1200.0),
    ("$300", 300.0),
    ("300 €", 300.0),
    ("£ 1 200", 1200.0),
    ("1.200,50", 1200.5),
    ("1,200.50", 1200.5),
    ("12,5", 12.5),
    ("1,20", 1.2),
    ("0.5", 0.5),
]


@pytest.mark.parametrize(("text", "value"), TYPED)
def test_it_reads_a_number_as_people_type_it(text, value):
    assert float(normalize_number(text)) == value


@pytest.mark.parametrize(("text", "value"), TYPED)
def test_the_form_and_the_import_read_it_alike(text, value):
    assert AmountField(min_value=-2_000_000).clean(text) == value
    assert _number(text) == value


@pytest.mark.parametrize("text", ["three hundred", "12a", "1,2,3", "nan", "inf"])
def test_what_is_not_a_number_is_refused_by_both(text):
    with pytest.raises(RowError):
        _number(text)
    with pytest.raises(ValidationError, match="Enter a number"):
        AmountField().clean(text)
