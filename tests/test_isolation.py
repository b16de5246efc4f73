"""No page of one organization shows anything of another.

Every URL pattern of our apps is found automatically, filled with organization A's objects,
and requested as every role of organization B and as a funder that does not fund A. A new
view is covered without anyone remembering to add it; a URL the test cannot fill fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import World, client_for

pytestmark = pytest.mark.django_db

MARKER = "MARKER-A-7f3e"
OUR_MODULES = ("fii.", "families.", "journals.", "insights.", "capital.", "demo.")

# Routes the test does not fill, each with the reason. Keep this short.
EXEMPT: dict[str, str] = {
    # Liveness probe: answers {"status": "ok"} and reads no tenant data.
    "healthz": "no tenant data",
    # Public by design: the token is the key (tests/families/test_invitations.py checks it).
    "invitation_accept": "public invitation link",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    keys: tuple[str, ...]
    module: str


def pattern_keys(pattern) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return tuple(pattern.regex.groupindex) + tuple(getattr(pattern, "converters", {}))


def walk(patterns, prefix: str = "", outer: tuple[str, ...] = ()) -> Iterator[Route]:  # type: ignore[no-untyped-def]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            # The keys of an include's prefix (`o/<slug:org_slug>/`) belong to every route in it.
            keys = outer + pattern_keys(entry.pattern)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), keys)
        elif isinstance(entry, URLPattern):
            view = entry.callback
            module = getattr(view, "__module__", "") or ""
            cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
            if cls is not None:
                module = cls.__module__
            keys = outer + pattern_keys(entry.pattern)
            full = prefix + str(entry.pattern)
            yield Route(entry.name or full, full, tuple(dict.fromkeys(keys)), module)


def our_routes() -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if r.module.startswith(OUR_MODULES)]


def fill(route: Route, world: World) -> str | None:
    """Return the route's path filled with the world's objects, or None if a key is unknown."""
    period = world.objects["entry"].period  # type: ignore[attr-defined]
    values = {
        "org_slug": world.org.slug,
        "funder_slug": world.funder.slug,
        "year": period.year,
        "month": period.month,
    }
    for name, obj in world.objects.items():
        values[f"{name}_id"] = obj.pk  # type: ignore[attr-defined]
    path = "/" + route.pattern
    for key in route.keys:
        if key not in values:
            return None
        path = path.replace(f"<{key}>", str(values[key]))
        for conv in ("int", "slug", "str", "path", "uuid"):
            path = path.replace(f"<{conv}:{key}>", str(values[key]))
    return path


def test_it_finds_our_routes():
    names = {r.name for r in our_routes()}
    assert {"staff_home", "family_home", "family_detail", "group_detail", "funder_home"} <= names


def test_it_can_fill_every_route_or_says_why_not(world_a):
    unfilled = [r.name for r in our_routes() if fill(r, world_a) is None and r.name not in EXEMPT]
    assert unfilled == []
    # A key left in the path would make every request a 404 and the test below vacuous.
    half_filled = [path for r in our_routes() if "<" in (path := fill(r, world_a) or "")]
    assert half_filled == []


def test_the_marker_shows_for_organization_a_itself(world_a, world_b):
    # The control: if A's own people see the marker, its absence below means something.
    staff = client_for(world_a.staff_user)
    family = world_a.objects["family"]
    body = staff.get(f"/o/{world_a.org.slug}/families/{family.pk}/").content.decode()  # type: ignore[attr-defined]
    assert MARKER in body


def test_no_route_shows_organization_a_to_anyone_of_b(world_a, world_b):
    attackers = {
        "family of B": world_b.family_user,
        "staff of B": world_b.staff_user,
        "admin of B": world_b.admin_user,
        "funder of B only": world_b.funder_user,
    }
    leaks, errors, checked = [], [], 0
    for route in our_routes():
        path = fill(route, world_a)
        if path is None:
            continue
        for who, user in attackers.items():
            response = client_for(user).get(path)
            checked += 1
            body = response.content.decode(errors="replace")
            if response.status_code >= 500:
                errors.append((route.name, who, response.status_code))
            if MARKER in body:
                leaks.append((route.name, who, response.status_code))
            tenant_route = "org_slug" in route.keys or "funder_slug" in route.keys
            if tenant_route and response.status_code != 404:
                leaks.append((route.name, who, response.status_code))
    assert checked >= 4 * len(our_routes()) - 4 * len(EXEMPT)
    assert errors == []
    assert leaks == []


def test_anonymous_visitors_are_sent_to_log_in(world_a):
    from django.test import Client

    for route in our_routes():
        path = fill(route, world_a)
        if path is None or route.name in EXEMPT:
            continue
        response = Client().get(path)
        assert MARKER not in response.content.decode(errors="replace"), route.name
        if not ("org_slug" in route.keys or "funder_slug" in route.keys):
            continue
        if path.startswith("/api/"):
            # An API client is told, in JSON, to bring credentials; it is not sent to a page.
            assert response.status_code == 401, route.name
            assert response["WWW-Authenticate"].startswith("Bearer"), route.name
            assert "detail" in response.json(), route.name
        else:
            assert response.status_code == 302, route.name
            assert "/accounts/login/" in response["Location"], route.name
