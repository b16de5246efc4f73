"""No download a spreadsheet opens can run a formula or break on a control character.

Every text field people write holds a hostile value; every download route of the URLconf is
found by its name or path and fetched as the role that may use it. A new download must be
listed below, so it is covered from the day it is added.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import Client
from openpyxl import load_workbook

from capital.models import Review
from families.models import ConsentKind
from fii.exports import defuse, xlsx_bytes
from fii.models import User
from insights.funder import TABLES
from insights.pipeline import aggregate_organization
from tests import factories as f
from tests.conftest import World, build_world
from tests.test_isolation import Route, fill, our_routes

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    # PostgreSQL refuses NUL in text, so a NUL never reaches an export there; \x01 stands in.
    "Vertical\x0btab and\x01start-of-heading",
    "\x0b=1+1",  # a formula behind a control character
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
DOWNLOAD_WORDS = re.compile(r"export|csv|xlsx|download|data|report|zip")

FAMILY, STAFF, FUNDER = "family", "staff", "funder"
# Every file a spreadsheet opens, and who may download it.
SPREADSHEETS = {
    "family_data_csv": FAMILY,
    "stipend_export_csv": STAFF,
    "stipend_export_xlsx": STAFF,
    "import_template_families": STAFF,
    "import_template_journals": STAFF,
    "queue_export_csv": STAFF,
    "queue_export_xlsx": STAFF,
    "decisions_export_csv": STAFF,
    "decisions_export_xlsx": STAFF,
    "ledger_export_csv": STAFF,
    "ledger_export_xlsx": STAFF,
    **{f"funder_export_{table}": FUNDER for table in TABLES},
    **{f"funder_org_export_{table}": FUNDER for table in TABLES},
}
# Downloads in JSON: no spreadsheet reads them, but hostile text must not break them either.
JSON_DOWNLOADS = {"family_data_json": FAMILY, "api-family-data": FAMILY, "api-reporting": STAFF}
# The project's own source code: nothing in it comes from the database.
NOT_DATA = {"source_download"}
# Files without text people write: the families template is fixed, indicator codes start with
# a letter (journals/forms.py). Every other spreadsheet must show a defused cell.
NO_FREE_TEXT = {"import_template_families", "import_template_journals"}
QUERY = {"queue_export_csv": "?status=any", "queue_export_xlsx": "?status=any"}

# Text the code reads as a value rather than words people wrote: codes, keys, secrets, raw files.
MACHINE_FIELDS = {
    "User.password",
    "User.language",
    "UserSession.session_key",
    "UserSession.session_data",
    "Organization.timezone",
    "Organization.currency",
    "AuditEvent.action",
    "AuditEvent.object_type",
    "AuditEvent.object_id",
    "ApiToken.key_hash",
    "ApiToken.prefix",
    "Invitation.token",
    "Consent.text_version",
    "ImportJob.families_csv",
    "ImportJob.journals_csv",
    "Indicator.column",
    "AggregationRun.claimed_by",
    "FamilySnapshot.peer_group",
    "Program.currency",
}
OUR_APPS = {"fii", "families", "journals", "insights", "capital"}


def free_text_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.EmailField)
        and not field.choices
        and f"{model.__name__}.{field.name}" not in MACHINE_FIELDS
    ]


def make_hostile() -> int:
    """Put a hostile value in every free-text field of every row; return how many were set."""
    count = 0
    for model in apps.get_models():
        fields = free_text_fields(model) if model._meta.app_label in OUR_APPS else []
        if not fields:
            continue
        for row, pk in enumerate(model._base_manager.values_list("pk", flat=True)):
            # The pk keeps names unique in their organization; the start is what matters.
            values = {
                name: f"{HOSTILE[(row + i) % len(HOSTILE)]} {pk}" for i, name in enumerate(fields)
            }
            count += model._base_manager.filter(pk=pk).update(**values) * len(values)
    return count


def add_rows(world: World) -> None:
    """Give every export as many rows as there are hostile values, so each one shows in each."""
    group, program = world.objects["group"], world.objects["program"]
    family = world.objects["family"]
    for _value in HOSTILE:
        other = f.FamilyFactory(group=group)
        f.StipendFactory(entry=f.JournalEntryFactory(family=other, period=dt.date(2024, 6, 1)))
        flag = f.FlagFactory(program=program, family=other, status="asked")
        f.ReviewFactory(flag=flag, decision="decline", answer="an answer")
        f.DisbursementFactory(program=program, family=other, flag=flag)
        f.RepaymentFactory(loan=f.LoanFactory(program=program, family=other, flag=flag))
        f.FamilyMemberFactory(family=family)
        f.GoalUpdateFactory(goal=f.GoalFactory(family=family))
        f.HelpExchangeFactory(giver=family, receiver=other)
        f.ConsentFactory(family=other, kind=ConsentKind.AGGREGATE_REPORTING)


@pytest.fixture
def hostile_world(db) -> World:  # type: ignore[no-untyped-def]
    world = build_world("alpha")
    add_rows(world)
    assert make_hostile() > 100
    aggregate_organization(organization_id=world.org.pk, as_of=world.org.today())
    return world


def client_as(user: User) -> Client:
    # A failing view must answer 500 here, as it would to a person, not raise in the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def download_routes() -> dict[str, Route]:
    return {
        route.name: route
        for route in our_routes()
        if DOWNLOAD_WORDS.search(route.name) or DOWNLOAD_WORDS.search(route.pattern)
    }


def cells(response: HttpResponse) -> Iterator[tuple[str, Any]]:
    """Yield (file, value) for every cell of a CSV, a zip of CSVs or an XLSX download."""
    kind = response["Content-Type"]
    if kind.startswith("text/csv"):
        yield from csv_cells("", response.content)
    elif kind == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        for name in archive.namelist():
            yield from csv_cells(name, archive.read(name))
    else:
        assert kind.startswith("application/vnd.openxmlformats"), kind
        for sheet in load_workbook(io.BytesIO(response.content)).worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield from ((sheet.title, value) for value in row)


def csv_cells(name: str, content: bytes) -> Iterator[tuple[str, str]]:
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        yield from ((name, value) for value in row)


def unsafe(value: Any) -> bool:
    """Say whether a spreadsheet could run the cell as a formula or choke on it."""
    if not isinstance(value, str):
        return False
    runs = value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)
    return runs or bool(CONTROL.search(value))


def test_it_finds_every_download():
    found = set(download_routes())
    assert found == set(SPREADSHEETS) | set(JSON_DOWNLOADS) | NOT_DATA


def test_the_text_people_write_is_hostile_everywhere(hostile_world):
    written = {
        (model.__name__, name) for model in apps.get_models() for name in free_text_fields(model)
    }
    assert {
        ("Organization", "name"),
        ("Family", "name"),
        ("Group", "name"),
        ("GoalUpdate", "note"),
        ("Program", "name"),
        ("Review", "note"),
        ("Review", "answer"),
    } <= written
    notes = Review.objects.values_list("note", flat=True)
    assert {note.rsplit(" ", 1)[0] for note in notes} == set(HOSTILE)


def test_no_download_runs_a_formula_or_fails(hostile_world):
    routes = download_routes()
    people = {
        FAMILY: hostile_world.family_user,
        STAFF: hostile_world.staff_user,
        FUNDER: hostile_world.funder_user,
    }
    failures, unsafe_cells = [], []
    for name, role in SPREADSHEETS.items():
        path = fill(routes[name], hostile_world)
        assert path is not None, name
        response = client_as(people[role]).get(path + QUERY.get(name, ""))
        if response.status_code != 200:
            failures.append((name, response.status_code))
            continue
        values = list(cells(response))
        unsafe_cells += [(name, where, value) for where, value in values if unsafe(value)]
        defused = any(isinstance(v, str) and v.startswith("'") for _where, v in values)
        if name not in NO_FREE_TEXT and not defused:
            failures.append((name, "no hostile text reached it"))
    assert failures == []
    assert unsafe_cells == []


def test_json_downloads_carry_hostile_text_without_failing(hostile_world):
    routes = download_routes()
    people = {FAMILY: hostile_world.family_user, STAFF: hostile_world.staff_user}
    for name, role in JSON_DOWNLOADS.items():
        path = fill(routes[name], hostile_world)
        assert path is not None, name
        response = client_as(people[role]).get(path)
        assert response.status_code == 200, name
        json.loads(response.content)


def test_the_stipend_xlsx_shows_every_hostile_name_as_text(hostile_world):
    response = client_as(hostile_world.staff_user).get("/o/alpha/stipends/2024-6/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = {row[1].rsplit(" ", 1)[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {
        '\'=HYPERLINK("http://x","y")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\nCR",  # XML reads a carriage return back as a newline
        "Verticaltab andstart-of-heading",
        "'=1+1",
    }


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("\x0b=1+1", "'=1+1"),
        ("a\x00b\x1bc\x7f", "abc"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("-2+3", "'-2+3"),
        ("-3", "-3"),
        ("+1.5e3", "+1.5e3"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_it_defuses_text(value, cell):
    assert defuse(value) == cell


def test_numbers_and_dates_stay_what_they_are():
    assert defuse(Decimal("-12.50")) == Decimal("-12.50")
    assert defuse(-3) == -3 and defuse(-0.5) == -0.5 and defuse(True) is True
    assert defuse(None) is None
    assert defuse(float("nan")) is None and defuse(Decimal("-Infinity")) is None
    assert defuse(dt.date(2024, 6, 1)) == dt.date(2024, 6, 1)
    moment = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    assert defuse(moment) == "2024-06-01 12:00:00+00:00"


def test_an_xlsx_cell_holds_what_excel_can_and_a_negative_number_stays_a_number():
    body = xlsx_bytes([["header"], ["x" * 40_000], [Decimal("-5")], ["=1"]], title="Sheet")
    values = [row[0] for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert values == ["header", "x" * 32_767, -5, "'=1"]
