"""A month's stipend payouts: the staff page, CSV and XLSX files, and marking them paid."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fii.models import AuditEvent
from journals.models import Stipend, StipendStatus
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

JUNE = "/o/alpha/stipends/2024-6/"


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


def stipend(family, period: dt.date, **fields):  # type: ignore[no-untyped-def]
    entry = f.JournalEntryFactory(family=family, period=period)
    return f.StipendFactory(entry=entry, **fields)


@pytest.fixture
def june(world_a):  # type: ignore[no-untyped-def]
    """The world's June stipend, one for the neighbour, one already paid, one cancelled."""
    group = world_a.objects["group"]
    paid = stipend(
        f.FamilyFactory(group=group, name="Paid household"),
        dt.date(2024, 6, 1),
        status=StipendStatus.PAID,
        paid_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )
    cancelled = stipend(
        f.FamilyFactory(group=group, name="Cancelled household"),
        dt.date(2024, 6, 1),
        status=StipendStatus.CANCELLED,
    )
    neighbour = stipend(world_a.objects["neighbour"], dt.date(2024, 6, 1), amount=75)
    may = stipend(world_a.objects["family"], dt.date(2024, 5, 1))
    return {"paid": paid, "cancelled": cancelled, "neighbour": neighbour, "may": may}


def test_the_csv_lists_the_months_stipends_and_is_audited(staff, world_a, june):
    response = staff.get(JUNE + "export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="stipends-alpha-2024-06.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["family"] for r in rows} == {
        world_a.objects["family"].name,
        world_a.objects["neighbour"].name,
        "Paid household",
        "Cancelled household",
    }
    assert all(r["month"] == "2024-06" for r in rows)
    neighbour = next(r for r in rows if r["family"] == world_a.objects["neighbour"].name)
    assert (neighbour["amount"], neighbour["currency"], neighbour["status"]) == (
        "75.00",
        "USD",
        "earned",
    )
    assert next(r for r in rows if r["family"] == "Paid household")["paid_on"] == "2024-06-30"
    event = AuditEvent.objects.get(action="stipends.exported")
    assert event.detail == {"period": "2024-06-01", "format": "csv", "count": 4}


def test_the_xlsx_holds_the_same_rows(staff, june):
    response = staff.get(JUNE + "export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("family_id", "family", "group", "month", "amount")
    assert len(rows) == 5
    assert {r[3] for r in rows[1:]} == {"2024-06"}
    assert sorted(float(r[4]) for r in rows[1:]) == [75.0, 100.0, 100.0, 100.0]


def test_exports_never_let_a_name_run_as_a_formula(staff, world_a):
    family = world_a.objects["family"]
    family.name = '=HYPERLINK("http://evil.example","x")'
    family.save()
    body = staff.get(JUNE + "export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    sheet = load_workbook(io.BytesIO(staff.get(JUNE + "export.xlsx").content)).active
    assert sheet.cell(row=2, column=2).value.startswith("'=")


def test_marking_the_month_paid_pays_only_what_was_waiting(staff, world_a, june):
    response = staff.post(JUNE + "mark-paid/")
    assert response.status_code == 302
    statuses = dict(
        Stipend.objects.filter(period=dt.date(2024, 6, 1)).values_list("family__name", "status")
    )
    assert statuses == {
        world_a.objects["family"].name: "paid",
        world_a.objects["neighbour"].name: "paid",
        "Paid household": "paid",
        "Cancelled household": "cancelled",
    }
    june["paid"].refresh_from_db()
    assert june["paid"].paid_at == dt.datetime(2024, 7, 1, tzinfo=dt.UTC)  # untouched
    june["may"].refresh_from_db()
    assert june["may"].status == StipendStatus.EARNED
    assert AuditEvent.objects.get(action="stipends.marked_paid").detail == {
        "period": "2024-06-01",
        "count": 2,
    }
    again = staff.post(JUNE + "mark-paid/", follow=True)
    assert "Nothing was waiting to be paid" in again.content.decode()


def test_the_month_page_keeps_its_query_count(staff, world_a, django_assert_max_num_queries):
    for _ in range(30):
        stipend(f.FamilyFactory(group=world_a.objects["group"]), dt.date(2024, 6, 1))
    with django_assert_max_num_queries(5):
        body = staff.get(JUNE).content.decode()
    assert body.count('<td class="num">100.00 USD</td>') == 31
    assert "Mark as paid" in body


def test_the_months_list_and_its_empty_state(staff, world_a, june, db):
    body = staff.get("/o/alpha/stipends/").content.decode()
    assert "June 2024" in body and "May 2024" in body
    org = f.OrganizationFactory(slug="nopay", stipend_amount=0)
    empty = client_for(f.MembershipFactory(organization=org).user).get("/o/nopay/stipends/")
    assert "does not pay stipends" in empty.content.decode()


@pytest.mark.parametrize("month", ["2024-13", "2024-0", "1900-1", "99999-1"])
def test_an_impossible_month_is_not_found(staff, month):
    assert staff.get(f"/o/alpha/stipends/{month}/export.csv").status_code == 404
    assert staff.post(f"/o/alpha/stipends/{month}/mark-paid/").status_code == 404


def test_families_cannot_export_or_mark_paid(world_a):
    client = client_for(world_a.family_user)
    assert client.get(JUNE + "export.csv").status_code == 403
    assert client.get(JUNE + "export.xlsx").status_code == 403
    assert client.post(JUNE + "mark-paid/").status_code == 403
    assert world_a.objects["stipend"].status == StipendStatus.EARNED
    assert Stipend.objects.get(pk=world_a.objects["stipend"].pk).status == StipendStatus.EARNED


def test_another_organizations_stipends_stay_out_of_the_export(staff, world_b):
    body = staff.get(JUNE + "export.csv").content.decode("utf-8-sig")
    assert world_b.objects["family"].name not in body
    staff.post(JUNE + "mark-paid/")
    assert Stipend.objects.get(pk=world_b.objects["stipend"].pk).status == StipendStatus.EARNED
