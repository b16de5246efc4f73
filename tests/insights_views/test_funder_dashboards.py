"""Funder dashboards and exports: every page and CSV, crawled, holds only safe aggregates.

The funder routes are found by walking the URL configuration, so a new funder page or export is
crawled without anyone adding it here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from capital.models import Program
from families.models import Family
from fii.models import Organization
from insights.funder import TABLES, funder_tables, table_rows
from tests import factories as f
from tests.conftest import client_for
from tests.test_isolation import fill, our_routes

from .conftest import FAMILY_MARKER, add_capital, count_for_funders, plant_marker, run_nightly

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
DATA_COUNT = re.compile(r'data-count="([^"]*)"')
JSON_SCRIPT = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.S)


# --- the funder routes ------------------------------------------------------------------------


@dataclass(frozen=True)
class FunderRoute:
    name: str
    pattern: str

    @property
    def per_organization(self) -> bool:
        return "<slug:org_slug>" in self.pattern

    def path(self, funder_slug: str, org_slug: str = "") -> str:
        path = "/" + self.pattern.replace("<slug:funder_slug>", funder_slug)
        return path.replace("<slug:org_slug>", org_slug)


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:  # type: ignore[no-untyped-def]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def funder_routes() -> list[FunderRoute]:
    """Every route under funders/<slug>/, whatever view it leads to."""
    return [
        FunderRoute(entry.name or full, full)
        for full, entry in _walk(get_resolver().url_patterns)
        if full.startswith("funders/<slug:funder_slug>/")
    ]


def test_it_finds_every_funder_page_and_export():
    names = {r.name for r in funder_routes()}
    assert {"funder_home", "funder_organization"} <= names
    for table in TABLES:
        assert {f"funder_export_{table}", f"funder_org_export_{table}"} <= names


# --- what a response may contain -------------------------------------------------------------


def min_cells(orgs: list[Organization]) -> dict[str, int]:
    """The minimum cell of each organization by the name funders see, and of all together."""
    out = {o.name: o.min_cell_size for o in orgs}
    out["All organizations"] = max(out.values())
    return out


def assert_no_personal_data(body: str, where: str, names: list[str]) -> None:
    assert FAMILY_MARKER not in body, where
    assert "family_id" not in body, where
    assert "/families/" not in body, where
    for name in names:
        assert name not in body, (where, name)


def assert_safe_csv(body: str, where: str, minimum: dict[str, int]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(body)))
    assert not ISO_DATE.search(body), where
    for row in rows:
        floor = minimum[row["organization"]]
        for column, value in row.items():
            if column.startswith("families") and value != "":
                assert int(value) == 0 or int(value) >= floor, (where, column, value)
    return rows


def assert_safe_page(body: str, where: str, floor: int) -> None:
    for value in DATA_COUNT.findall(body):
        assert int(value) == 0 or int(value) >= floor, (where, value)
    for chart_id, payload in JSON_SCRIPT.findall(body):
        figure = json.loads(payload)
        assert not ISO_DATE.search(payload), (where, chart_id)
        assert set(figure) == {"data", "layout", "config"}, (where, chart_id)
    # Our own static files only: no CDN, no inline code (JSON data blocks are not code).
    for tag in SCRIPT_TAG.findall(body):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, (where, tag)


def original_names() -> list[str]:
    return [
        n.replace(f" {FAMILY_MARKER}", "") for n in Family.objects.values_list("name", flat=True)
    ]


def test_every_funder_page_and_export_shows_only_safe_aggregates(demo_world):
    funded = list(demo_world.funder.organizations.order_by("name"))
    assert {o.slug for o in funded} == {"riverside", "lakeview", "tiny"}
    minimum = min_cells(funded)
    names = original_names()
    client = client_for(demo_world.funder_user)
    visible_counts, crawled = 0, 0
    for route in funder_routes():
        slugs = [o.slug for o in funded] if route.per_organization else [""]
        for slug in slugs:
            path = route.path(demo_world.funder.slug, slug)
            response = client.get(path)
            assert response.status_code == 200, path
            body = response.content.decode("utf-8-sig")
            crawled += 1
            assert_no_personal_data(body, path, names)
            if path.endswith(".csv"):
                assert response["Content-Type"].startswith("text/csv")
                rows = assert_safe_csv(body, path, minimum)
                visible_counts += sum(
                    1 for r in rows for k, v in r.items() if k.startswith("families") and v
                )
            else:
                assert_safe_page(body, path, min(minimum.values()))
                visible_counts += len(DATA_COUNT.findall(body))
    assert crawled == (1 + len(TABLES)) * (1 + len(funded))
    assert visible_counts > 100  # the demo shows real figures: the checks above are not vacuous


def export(client, path: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(client.get(path).content.decode("utf-8-sig"))))


def test_the_demo_dashboards_show_trajectories_help_capital_and_costs(demo_world):
    client = client_for(demo_world.funder_user)
    base = f"/funders/{demo_world.funder.slug}/"
    body = client.get(base + "o/riverside/").content.decode()
    assert "The median monthly income of families was $" in body
    assert 'data-chart="chart-trajectories-income"' in body
    assert "plotly-basic.min.js" in body
    trajectories = export(client, base + "o/riverside/export/trajectories.csv")
    start = next(r for r in trajectories if r["cohort"] == "All cohorts")
    assert start["months_since_joining"] == "At joining"
    assert float(start["median_income"]) > 1000
    assert 0 <= float(start["share_above_poverty_line"]) <= 1
    capital = {r["program"]: r for r in export(client, base + "o/riverside/export/capital.csv")}
    assert float(capital["All programs"]["committed"]) > float(capital["All programs"]["paid"]) > 0
    assert float(capital["Small business loans"]["arrears"]) > 0
    costs = export(client, base + "export/costs.csv")
    pooled = next(r for r in costs if r["organization"] == "All organizations")
    assert 0 < float(pooled["share_to_families"]) < 1
    assert float(pooled["cost_per_family_month"]) > 0
    help_rows = export(client, base + "export/mutuality.csv")
    assert float(next(r for r in help_rows if r["kind"] == "All kinds of help")["hours"]) > 0


def test_a_small_organization_shows_nothing_but_that_it_is_small(demo_world):
    client = client_for(demo_world.funder_user)
    base = f"/funders/{demo_world.funder.slug}/o/tiny/"
    body = client.get(base).content.decode()
    assert "This organization does not have enough families to show this yet." in body
    assert "No organization has enough families to show this yet." in body
    assert DATA_COUNT.findall(body) == []
    for table in TABLES:
        for row in export(client, f"{base}export/{table}.csv"):
            figures = {k: v for k, v in row.items() if k not in ("organization", "cohort",
                       "months_since_joining", "kind", "program")}  # fmt: skip
            assert set(figures.values()) <= {""}, (table, row)


def test_all_organizations_together_leave_a_small_one_out(demo_world):
    client = client_for(demo_world.funder_user)
    rows = {
        r["organization"]: r
        for r in export(client, f"/funders/{demo_world.funder.slug}/export/organizations.csv")
    }
    assert rows["Small tiny"]["families"] == ""
    big = int(rows["Riverside Family Network"]["families"]) + int(
        rows["Lakeview Neighbors Collective"]["families"]
    )
    assert abs(int(rows["All organizations"]["families"]) - big) <= 5  # rounded separately


def test_every_funder_of_an_organization_sees_the_same_figures_for_it(demo_world):
    riverside = Organization.objects.get(slug="riverside")
    everyone = funder_tables(organizations=list(demo_world.funder.organizations.all()))
    alone = funder_tables(organizations=[riverside])
    for table in TABLES:
        assert table_rows(everyone, table, organization="riverside") == table_rows(
            alone, table, organization="riverside"
        ), table


# --- who may see what -------------------------------------------------------------------------


def test_a_funder_gets_404_for_organizations_it_does_not_fund(demo_world):
    client = client_for(demo_world.funder_user)
    routes = [r for r in funder_routes() if r.per_organization]
    assert routes
    for route in routes:
        assert client.get(route.path(demo_world.funder.slug, "elsewhere")).status_code == 404
        assert client.get(route.path(demo_world.funder.slug, "no-such-org")).status_code == 404


def test_another_funder_gets_404_for_every_page_and_export(demo_world):
    outsider = f.UserFactory(email="outsider@funder.example")
    demo_world.outsider.funders.first().members.add(outsider)
    client = client_for(outsider)
    for route in funder_routes():
        path = route.path(demo_world.funder.slug, "riverside")
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Riverside" not in response.content


def test_a_funder_account_cannot_open_any_staff_or_family_page(world_a):
    client = client_for(world_a.funder_user)
    checked = 0
    for route in our_routes():
        if "org_slug" not in route.keys or "funder_slug" in route.keys:
            continue
        path = fill(route, world_a)
        if path is None:
            continue
        status = client.get(path).status_code
        assert status in (401, 403, 404), (path, status)
        checked += 1
    assert checked > 20


def test_the_marker_of_organization_a_never_reaches_its_funder(world_a):
    # The organization's and its programs' names are shown to funders: they are the
    # organization's words. Every other field carrying the marker is about families.
    world_a.org.name = "Alpha Org"
    world_a.org.save()
    Program.objects.for_org(world_a.org).update(name="Alpha loans")
    group = world_a.objects["group"]
    families = [world_a.objects["family"], world_a.objects["neighbour"]]
    families += [f.FamilyFactory(group=group, name=f"Kin {n} MARKER-A-7f3e") for n in range(14)]
    count_for_funders(*families)
    add_capital(world_a.org, families)
    client = client_for(world_a.funder_user)
    body = client.get(f"/funders/{world_a.funder.slug}/").content.decode()
    assert ">15<" in body  # 16 families counted: the pages do show figures
    for route in funder_routes():
        path = route.path(world_a.funder.slug, world_a.org.slug)
        text = client.get(path).content.decode()
        assert "MARKER-A-7f3e" not in text, path
        assert_no_personal_data(text, path, [])


# --- a fixed number of queries ----------------------------------------------------------------


def organization_of(families: int, slug: str, funder) -> Organization:  # type: ignore[no-untyped-def]
    """An organization with families that journal, set goals, help each other and get capital."""
    org = f.OrganizationFactory(slug=slug, name=f"Org {slug}", timezone="UTC")
    f.FundingFactory(funder=funder, organization=org)
    group = f.GroupFactory(organization=org)
    members = [f.FamilyFactory(group=group) for _ in range(families)]
    count_for_funders(*members)
    now = timezone.now()
    for i, family in enumerate(members):
        for month in (4, 5, 6):
            f.JournalEntryFactory(family=family, period=dt.date(2024, month, 1))
        f.GoalFactory(family=family, status="achieved" if i % 2 else "active")
        f.HelpExchangeFactory(
            giver=family, receiver=members[i - 1], period=dt.date(2024, 6, 1), confirmed_at=now
        )
    add_capital(org, members)
    run_nightly(org)
    plant_marker(org)
    return org


PAGES = ("", "o/{org}/", "export/trajectories.csv", "o/{org}/export/capital.csv")
# Session with its user, funder, organizations; families, journals, goals, stipends, last
# month, help, snapshots; capital: groups, payments, loans, costs, programs.
MAX_QUERIES = 15


@pytest.mark.parametrize("page", PAGES)
def test_funder_pages_use_a_fixed_number_of_queries(page, django_assert_max_num_queries):
    funder = f.FunderFactory(slug="counted-funder")
    user = f.UserFactory(email="counter@funder.example")
    funder.members.add(user)
    client = client_for(user)
    counts = []
    for size, slug in ((12, "few"), (36, "many")):
        org = organization_of(size, slug, funder)
        path = f"/funders/{funder.slug}/" + page.format(org=org.slug)
        client.get(path)  # warm the session and caches
        with (
            # An export also writes its audit event.
            django_assert_max_num_queries(MAX_QUERIES + page.endswith(".csv")),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
