"""Downloads of the queue, the decisions and the ledger: CSV and XLSX, audited, never a 500."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from capital.exports import cell
from capital.models import Flag, Review
from fii.models import AuditEvent
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EXPORTS = ["queue", "decisions", "ledger"]


def export_url(world, what: str, fmt: str, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/{what}/export.{fmt}{query}"


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("what", EXPORTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_downloads_a_named_file_and_is_audited(world_a, what, fmt):
    response = client_for(world_a.staff_user).get(export_url(world_a, what, fmt))
    assert response.status_code == 200
    today = world_a.org.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="alpha-{what}-{today}.{fmt}"'
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert len(rows) >= 2
    event = AuditEvent.objects.get(action="capital.exported")
    assert event.detail == {"what": what, "format": fmt, "rows": len(rows) - 1}
    assert event.actor == world_a.staff_user


def test_the_queue_export_follows_the_filters(world_a):
    grant = f.ProgramFactory(organization=world_a.org, name="Grant")
    f.FlagFactory(program=grant, score=88, family=world_a.objects["neighbour"])
    client = client_for(world_a.staff_user)
    rows = read_csv(client.get(export_url(world_a, "queue", "csv")))
    assert rows[0][:3] == ["flag", "program", "family"]
    assert len(rows) == 3
    rows = read_csv(client.get(export_url(world_a, "queue", "csv", f"?program={grant.pk}")))
    assert [r[1] for r in rows[1:]] == ["Grant"]
    assert rows[1][5] == "88.0" and rows[1][6] == "1/1"


def test_the_ledger_export_has_payments_loans_and_repayments(world_a):
    rows = read_xlsx(client_for(world_a.staff_user).get(export_url(world_a, "ledger", "xlsx")))
    kinds = [r[0] for r in rows[1:]]
    assert kinds == ["payment", "loan", "repayment"]
    loan = rows[2]
    # Numbers stay numbers: the principal, then what was repaid and what is still owed.
    assert loan[5] == 1200 and loan[12] == 100 and loan[13] == 1100


def test_the_decisions_export_takes_a_period(world_a):
    client = client_for(world_a.staff_user)
    today = world_a.org.today().isoformat()
    rows = read_csv(client.get(export_url(world_a, "decisions", "csv", f"?start={today}")))
    assert [r[1] for r in rows[1:]] == ["Ask for information"]
    assert rows[1][8] == "Question MARKER-A-7f3e"
    rows = read_csv(client.get(export_url(world_a, "decisions", "csv", "?end=2020-01-01")))
    assert rows[1:] == []


@pytest.mark.parametrize(
    ("what", "query"),
    [
        ("decisions", "?start=2024-08-01&end=2024-07-01"),
        ("decisions", "?start=yesterday"),
        ("ledger", "?due_from=2024-08-01&due_to=2024-07-01"),
        ("queue", "?min_score=lots"),
    ],
)
def test_a_bad_filter_is_a_400_and_no_download(world_a, what, query):
    response = client_for(world_a.staff_user).get(export_url(world_a, what, "csv", query))
    assert response.status_code == 400
    assert "The download could not be made" in response.content.decode()
    assert not AuditEvent.objects.filter(action="capital.exported").exists()


def test_odd_data_never_breaks_an_export_and_formulas_are_defused(world_a):
    org = world_a.org
    family = f.FamilyFactory(group=world_a.objects["group"], name='=HYPERLINK("http://x","y")')
    grant = f.ProgramFactory(organization=org, name="+Grant\x01\x07")
    flag = f.FlagFactory(program=grant, family=family, score=0)
    Flag.objects.filter(pk=flag.pk).update(
        evidence=[{"metric": "nope"}, "not a dict", {"value": "NaN", "threshold": None, "met": 1}]
    )
    Review.objects.create(
        organization=org,
        flag=flag,
        decision="decline",
        note="-1+1\n@SUM(A1)\x1b",
        decided_at=timezone.now(),
    )
    client = client_for(world_a.staff_user)
    for what in EXPORTS:
        for fmt in ("csv", "xlsx"):
            query = "?status=any" if what == "queue" else ""
            response = client.get(export_url(world_a, what, fmt, query))
            assert response.status_code == 200, (what, fmt)
    queue = read_csv(client.get(export_url(world_a, "queue", "csv", "?status=any")))
    row = next(r for r in queue if "HYPERLINK" in r[2])
    assert row[2].startswith("'=") and row[1] == "'+Grant"
    decisions = read_xlsx(client.get(export_url(world_a, "decisions", "xlsx")))
    note = next(r[8] for r in decisions if r[8] and "SUM" in str(r[8]))
    assert note == "'-1+1\n@SUM(A1)"
    # The flag page copes with the same evidence.
    assert client.get(f"/o/{org.slug}/queue/{flag.pk}/").status_code == 200


def test_cells_keep_numbers_and_show_yes_no_and_times_as_text():
    # Defusing text is fii.exports' job (tests/test_exports_are_defused.py).
    assert cell(Decimal("-12.50")) == Decimal("-12.50") and cell(3) == 3
    assert cell(None) is None and cell(True) == "yes" and cell(False) == "no"
    assert cell(dt.datetime(2024, 6, 1, 12, 30, 5, 7, tzinfo=dt.UTC)) == "2024-06-01 12:30:05"
    assert cell(dt.date(2024, 6, 1)) == "2024-06-01" and cell("@cmd") == "@cmd"


def test_exports_deny_families_and_other_organizations(world_a, world_b):
    for what in EXPORTS:
        assert (
            client_for(world_a.family_user).get(export_url(world_a, what, "csv")).status_code == 403
        )
        for user in (world_b.staff_user, world_b.admin_user):
            response = client_for(user).get(export_url(world_a, what, "xlsx"))
            assert response.status_code == 404
            # B's own export carries nothing of A.
            own = client_for(user).get(export_url(world_b, what, "csv"))
            assert own.status_code == 200
            assert "MARKER-A-7f3e" not in own.content.decode("utf-8-sig")
    assert not AuditEvent.objects.filter(
        action="capital.exported", organization=world_a.org
    ).exists()


def test_the_decisions_log_lists_who_decided_and_why(world_a):
    client = client_for(world_a.staff_user)
    body = client.get(f"/o/{world_a.org.slug}/decisions/").content.decode()
    assert "Ask for information" in body and "Question MARKER-A-7f3e" in body
    response = client.get(f"/o/{world_a.org.slug}/decisions/?start=2024-08-01&end=2024-07-01")
    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()
    empty = client.get(f"/o/{world_a.org.slug}/decisions/?end=2020-01-01").content.decode()
    assert "No decisions in this period." in empty


def test_the_decisions_log_query_count_does_not_grow(world_a, django_assert_num_queries):
    client = client_for(world_a.staff_user)
    url = f"/o/{world_a.org.slug}/decisions/"
    client.get(url)
    # User, membership, count, page.
    with django_assert_num_queries(4):
        client.get(url)
    fund = f.ProgramFactory(organization=world_a.org, kind="group_fund", subject="group")
    for n in range(15):
        f.ReviewFactory(
            flag=f.FlagFactory(
                program=fund, family=None, group=f.GroupFactory(organization=world_a.org)
            ),
            reviewer=world_a.staff_user,
            note=f"Group {n}",
        )
        f.ReviewFactory(flag=world_a.objects["flag"], reviewer=None, note=f"Family {n}")
    with django_assert_num_queries(4):
        body = client.get(url).content.decode()
    assert body.count("<tr><td>") == 25
