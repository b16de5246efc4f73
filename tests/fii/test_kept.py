"""{% kept %} writes a fragment once per language, URL prefix and key, and never a CSRF token."""

from __future__ import annotations

import pytest
from django.template import Context, Origin, Template, TemplateSyntaxError, engines
from django.urls import set_script_prefix
from django.utils import translation

from fii.templatetags import fii_kept

TEMPLATE = (
    "{% load i18n fii_kept %}{% kept slug %}<a href=\"{% url 'goal_list' slug %}\">"
    '{% translate "Log out" %}</a> {{ name }}{% endkept %} {{ name }}'
)


@pytest.fixture(autouse=True)
def _nothing_kept():  # type: ignore[no-untyped-def]
    fii_kept._KEPT.clear()
    yield
    fii_kept._KEPT.clear()
    set_script_prefix("/")


def named(source: str, name: str = "tests/kept.html") -> Template:
    """Compile a template as a loader would, with a name (from_string keeps nothing)."""
    return Template(source, origin=Origin(name), engine=engines["django"].engine)


def render(slug: str, name: str, language: str = "en") -> str:
    template = named(TEMPLATE)
    with translation.override(language):
        return template.render(Context({"slug": slug, "name": name}))


def test_a_fragment_is_written_once_per_key_language_and_prefix():
    first = render("alpha", "Ana")
    assert first == '<a href="/o/alpha/family/goals/">Log out</a> Ana Ana'
    # The block was kept: what it does not name (here `name`) is not written again...
    assert render("alpha", "Bea") == '<a href="/o/alpha/family/goals/">Log out</a> Ana Bea'
    # ...but what it names, the language and the URL prefix are.
    assert render("beta", "Bea") == '<a href="/o/beta/family/goals/">Log out</a> Bea Bea'
    assert (
        render("alpha", "Bea", "es") == '<a href="/o/alpha/family/goals/">Cerrar sesión</a> Bea Bea'
    )
    set_script_prefix("/fii/")
    assert render("alpha", "Cid").startswith('<a href="/fii/o/alpha/family/goals/">')


def test_a_csrf_token_cannot_be_kept():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        engines["django"].from_string("{% load fii_kept %}{% kept %}{% csrf_token %}{% endkept %}")


def test_editing_a_template_forgets_what_was_kept(tmp_path):
    from django.utils.autoreload import file_changed

    render("alpha", "Ana")
    assert fii_kept._KEPT
    file_changed.send(sender=None, file_path=tmp_path / "notes.txt")
    assert fii_kept._KEPT
    file_changed.send(sender=None, file_path=tmp_path / "page.html")
    assert not fii_kept._KEPT


def test_two_blocks_of_one_template_are_kept_apart():
    # Without DEBUG the template engine gives tokens no position: the blocks are told apart
    # by line and rank.
    source = "{% load fii_kept %}{% kept %}one{% endkept %} {% kept %}two{% endkept %}"
    engine = engines["django"].engine
    debug = engine.debug
    try:
        for engine.debug in (False, True):
            fii_kept._KEPT.clear()
            assert named(source).render(Context()) == "one two"
            assert named(source).render(Context()) == "one two"
    finally:
        engine.debug = debug


def test_a_template_with_no_name_keeps_nothing():
    source = "{% load fii_kept %}{% kept %}{{ n }}{% endkept %}"
    assert engines["django"].from_string(source).render({"n": 1}) == "1"
    assert engines["django"].from_string(source).render({"n": 2}) == "2"
    assert not fii_kept._KEPT


@pytest.mark.parametrize("language", ["en", "es"])
def test_month_year_writes_what_the_date_filter_writes(language):
    import datetime as dt

    from django.template import engines
    from django.utils import timezone, translation

    template = engines["django"].from_string(
        '{% load fii_dates %}{{ day|month_year }}|{{ day|date:"F Y" }}'
    )
    days = [dt.date(2026, m, 1) for m in range(1, 13)] + [None, ""]
    moment = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)  # still March in Los Angeles
    with translation.override(language), timezone.override("America/Los_Angeles"):
        for day in [*days, moment]:
            ours, django = template.render({"day": day}).split("|")
            assert ours == django, day
