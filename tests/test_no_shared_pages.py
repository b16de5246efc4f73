"""No page written for one organization or language reaches another, within one process.

A web process serves many organizations in two languages one after the other. Anything it
keeps between requests (a fragment, rows, a form) must be keyed by every input that changes
the output: this test renders every page of every role for organization A, then for B, in
English, then in Spanish, in one process with no cache cleared between them, and looks in
each page for anything of the other organization or the other language.

A and B differ in every free-text field (a marker planted by `build_world`), in their
currency and in their time zone. The clock stops at 10:30 UTC on 10 September 2024: already
11 September on Kiritimati (UTC+14, A), still 9 September in Pago Pago (UTC-11, B), so each
organization's local date is its own and neither is the date of a moment written in UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from freezegun import freeze_time

from capital.models import Program
from fii.models import Organization, User

from .conftest import World, build_world, client_for
from .test_isolation import EXEMPT, Route, fill, our_routes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 9, 10, 10, 30, tzinfo=dt.UTC)

# Text every page shows (header, navigation, footer), each in the language of the page.
SENTINELS = ("Skip to content", "Log out", "API tokens", "fii: families lead, we follow.")
ROLES = ("family_user", "staff_user", "admin_user", "funder_user")
LANGUAGES = (("en", "es"), ("es", "en"))

# Pages that fail for reasons of their own while the code around them changes, each with the
# reason. Keep it empty.
BROKEN: dict[str, str] = {}


@dataclass(frozen=True)
class Tenant:
    """An organization whose text, currency and local date are its own."""

    world: World
    marker: str
    currency: str
    today: str

    @property
    def slug(self) -> str:
        return self.world.org.slug

    def telltales(self) -> set[str]:
        """Return the values no page of another organization may show."""
        return {self.marker, self.currency, self.today}


def tenant(slug: str, *, marker: str, currency: str, timezone: str) -> Tenant:
    """Build an organization with `marker` in its free text, its currency and time zone."""
    world = build_world(slug, text=marker)
    Organization.objects.filter(pk=world.org.pk).update(currency=currency, timezone=timezone)
    Program.objects.filter(organization=world.org).update(currency=currency)
    world.org.refresh_from_db()
    return Tenant(world, marker, currency, world.org.today().isoformat())


def gettable(route: Route) -> bool:
    # An API client brings a token, not a session; its own tests cover it.
    return route.name not in EXEMPT and route.name not in BROKEN and route.pattern[:4] != "api/"


def path_of(route: Route, tenant: Tenant) -> str:
    path = fill(route, tenant.world)
    assert path is not None, route.name  # test_isolation.py fills every route
    return path


def is_page(response: HttpResponseBase) -> bool:
    """Return whether the response is an HTML page (not a redirect, a refusal or a file)."""
    html = response.get("Content-Type", "").startswith("text/html")
    return response.status_code == 200 and not response.streaming and html


def speak(users: list[User], language: str) -> None:
    """Save `language` on the accounts, as their settings page does (UserLanguageMiddleware)."""
    User.objects.filter(pk__in=[u.pk for u in users]).update(language=language)


def sentinels(language: str) -> set[str]:
    with translation.override(language):
        return {gettext(s) for s in SENTINELS}


def shows(body: str, value: str) -> bool:
    """Return whether the page shows `value`: a currency code as a word of its own.

    A random token (CSRF, an invitation's) can hold three capitals such as "GTQ" by chance.
    """
    if len(value) == 3 and value.isupper():
        return re.search(rf"(?<![A-Za-z0-9]){value}(?![A-Za-z0-9])", body) is not None
    return value in body


def problems_in(body: str, *, own: Tenant, other: Tenant, language: str, foreign: str) -> list[str]:
    """Return what a page of `own` in `language` shows of `other` or of the `foreign` language."""
    found = [
        f"{other.slug}'s {value!r}" for value in sorted(other.telltales()) if shows(body, value)
    ]
    found += [f"{foreign} {text!r}" for text in sorted(sentinels(foreign)) if text in body]
    found += [f"no {language} {text!r}" for text in sorted(sentinels(language)) if text not in body]
    return found


@dataclass
class Round:
    """One role's pages of one organization in one language, and what was found in them."""

    role: str
    language: str
    foreign: str
    own: Tenant
    other: Tenant
    first: bool
    problems: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)
    decides: bool = False

    def read(self, client: Client, routes: list[Route]) -> list[Route]:
        """Request each route; return those that are pages (the first round finds them)."""
        pages = []
        for route in routes:
            response = client.get(path_of(route, self.own))
            where = f"{self.role} {self.language} {route.name} of {self.own.slug}"
            if not is_page(response):
                if response.status_code >= 500 or not self.first:
                    self.problems.append(f"{where} answered {response.status_code}")
                continue
            pages.append(route)
            body = response.content.decode()
            self.shown |= {value for value in self.own.telltales() if shows(body, value)}
            self.decides |= route.name == "flag_detail" and 'name="decision"' in body
            found = problems_in(
                body, own=self.own, other=self.other, language=self.language, foreign=self.foreign
            )
            self.problems += [f"{where} shows {what}" for what in found]
        return pages


@freeze_time(NOW)
def test_no_page_shows_another_organization_or_language():
    a = tenant("alpha", marker="PLANT-A-51c2", currency="GTQ", timezone="Pacific/Kiritimati")
    b = tenant("beta", marker="PLANT-B-83d9", currency="HNL", timezone="Pacific/Pago_Pago")
    assert (a.today, b.today) == ("2024-09-11", "2024-09-09")
    assert sentinels("es").isdisjoint(sentinels("en"))  # the Spanish catalogue is compiled
    users = [getattr(t.world, role) for t in (a, b) for role in ROLES]
    rounds, counts = [], {}
    for role in ROLES:
        routes = [r for r in our_routes() if gettable(r)]
        clients = {t.slug: client_for(getattr(t.world, role)) for t in (a, b)}
        for language, foreign in LANGUAGES:
            speak(users, language)
            for own, other in ((a, b), (b, a)):
                visit = Round(role, language, foreign, own, other, first=role not in counts)
                routes = visit.read(clients[own.slug], routes)
                rounds.append(visit)
                counts[role] = len(routes)
    # The controls: each organization's pages show its own text, currency and date, and its
    # flag offers decisions (a form written for one flag must not serve the other's).
    for t in (a, b):
        assert set().union(*(r.shown for r in rounds if r.own == t)) == t.telltales()
        assert any(r.decides for r in rounds if r.own == t)
    assert min(counts.values()) >= 4 and sum(counts.values()) >= 80, counts
    problems = [problem for r in rounds for problem in r.problems]
    assert problems == [], "\n".join(problems)
