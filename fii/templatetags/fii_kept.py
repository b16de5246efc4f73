"""{% kept %}: a fragment of a template written once per process for each language and key.

    {% load fii_kept %}
    {% kept current_org.slug %}<nav>...{% url 'goal_list' current_org.slug %}...</nav>{% endkept %}

Links ({% url %}) and translated labels ({% translate %}) cost more to write than most of a
page's own content, and a page's navigation is the same for everyone who sees it in one
language of one organization. The block is rendered the first time, then its HTML is reused:
it may only depend on the language, the URL prefix and the values named after `kept` (never
on the person, the session or the data of the page), given as hashable values (a slug, an
id). A {% csrf_token %} inside is refused; a template with no name (from_string) keeps nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import template
from django.dispatch import receiver
from django.template.base import UNKNOWN_SOURCE, FilterExpression, NodeList, Parser, Token
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# (template, position, language, URL prefix and conf, values) -> HTML. Cleared past any real need.
_KEPT: dict[tuple[Any, ...], SafeString] = {}
_MOST = 5000


class KeptNode(template.Node):
    def __init__(self, nodelist: NodeList, values: list[FilterExpression], where: Any) -> None:
        self.nodelist = nodelist
        self.values = values
        self.where = where

    def render(self, context: template.Context) -> SafeString:
        if self.where is None:  # a template with no name (from_string): nothing to key it by
            return mark_safe(self.nodelist.render(context))  # noqa: S308
        values = tuple(value.resolve(context) for value in self.values)
        key = (self.where, get_language(), get_script_prefix(), get_urlconf(), values)
        html = _KEPT.get(key)
        if html is None:
            if len(_KEPT) >= _MOST:
                _KEPT.clear()
            html = _KEPT[key] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return html


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError("{% kept %} cannot keep a {% csrf_token %}.")
    # Which block of which template: its line and its rank (no position without DEBUG).
    rank = getattr(parser, "kept_blocks", 0) + 1
    parser.kept_blocks = rank  # type: ignore[attr-defined]
    origin = parser.origin
    named = origin is not None and origin.name != UNKNOWN_SOURCE
    where = (origin.name, token.lineno, rank) if origin is not None and named else None
    return KeptNode(nodelist, values, where)


@receiver(file_changed)
def forget_on_edit(sender: Any, file_path: Path, **kwargs: Any) -> None:
    """Forget every kept fragment when a template is edited (the development server)."""
    if file_path.suffix == ".html":
        _KEPT.clear()
