import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from capital.models import Disbursement, Flag, FlagStatus, Loan, Review
from fii.models import AuditEvent
from tests import factories as f
from tests.api.conftest import api_client_for

pytestmark = pytest.mark.django_db

ORG = "/api/v1/o/alpha/"


def staff_urls(world):  # type: ignore[no-untyped-def]
    flag = world.objects["flag"].pk
    return [
        f"{ORG}flags/",
        f"{ORG}flags/{flag}/",
        f"{ORG}decisions/",
        f"{ORG}ledger/",
    ]


def decide_url(flag) -> str:  # type: ignore[no-untyped-def]
    return f"{ORG}flags/{flag.pk}/decide/"


def post(api, url: str, body: dict):  # type: ignore[no-untyped-def]
    return api.post(url, json.dumps(body), content_type="application/json")


def open_flag(world, budget: str = "1000", **program):  # type: ignore[no-untyped-def]
    """Return an open flag on the neighbour family, in a grant program of its own."""
    program = f.ProgramFactory(organization=world.org, budget=Decimal(budget), **program)
    return f.FlagFactory(program=program, family=world.objects["neighbour"], score=90)


def nothing_saved(flag) -> bool:  # type: ignore[no-untyped-def]
    flag.refresh_from_db()
    return (
        flag.status == FlagStatus.OPEN
        and not Review.objects.filter(flag=flag).exists()
        and not Disbursement.objects.filter(flag=flag).exists()
        and not Loan.objects.filter(flag=flag).exists()
    )


# --- who may ask ---------------------------------------------------------------------------------


def test_it_refuses_a_family_token_on_every_staff_endpoint(world_a):
    api = api_client_for(world_a.family_user)
    for url in staff_urls(world_a):
        response = api.get(url)
        assert response.status_code == 403, url
        assert "MARKER" not in response.content.decode()
    flag = world_a.objects["flag"]
    body = {"decision": "decline", "expected_status": "asked", "note": "No."}
    assert post(api, decide_url(flag), body).status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ASKED


def test_it_denies_other_organizations_and_funders(world_a, world_b):
    flag = world_a.objects["flag"]
    for user in (world_b.staff_user, world_b.admin_user, world_b.family_user, world_a.funder_user):
        api = api_client_for(user)
        for url in [*staff_urls(world_a), f"{ORG}family/checklist/"]:
            response = api.get(url)
            assert response.status_code == 404, (user, url)
            assert "MARKER" not in response.content.decode()
        body = {"decision": "decline", "expected_status": "asked", "note": "No."}
        assert post(api, decide_url(flag), body).status_code == 404
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ASKED


def test_it_answers_404_for_another_organizations_flag_through_our_slug(world_a, world_b):
    theirs = world_b.objects["flag"]
    api = api_client_for(world_a.staff_user)
    assert api.get(f"{ORG}flags/{theirs.pk}/").status_code == 404
    body = {"decision": "decline", "expected_status": "asked", "note": "No."}
    assert post(api, decide_url(theirs), body).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == FlagStatus.ASKED
    assert api.get(f"{ORG}flags/{2**70}/").status_code == 404


def test_staff_cannot_read_the_family_checklist(world_a):
    assert api_client_for(world_a.staff_user).get(f"{ORG}family/checklist/").status_code == 403


# --- the queue -----------------------------------------------------------------------------------


def test_it_lists_the_live_flags_and_filters_them(world_a, world_b):
    high = open_flag(world_a)
    f.FlagFactory(
        program=high.program,
        family=f.FamilyFactory(organization=world_a.org, group=None),
        score=40,
        status=FlagStatus.DECLINED,
        closed_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )
    api = api_client_for(world_a.admin_user)
    body = api.get(f"{ORG}flags/").json()
    assert [row["id"] for row in body["results"]] == [high.pk, world_a.objects["flag"].pk]
    assert body["results"][0]["subject"] == {
        "type": "family",
        "id": world_a.objects["neighbour"].pk,
        "name": world_a.objects["neighbour"].name,
    }
    assert body["results"][0]["program"]["id"] == high.program_id
    by_program = api.get(f"{ORG}flags/?program={high.program_id}&status=any").json()
    assert [row["score"] for row in by_program["results"]] == [90, 40]
    assert api.get(f"{ORG}flags/?min_score=80").json()["count"] == 1
    assert api.get(f"{ORG}flags/?status=declined").json()["count"] == 1
    # Another organization's program is no choice here; bad values are refused by field.
    refused = api.get(f"{ORG}flags/?program={world_b.objects['program'].pk}")
    assert refused.status_code == 400
    assert "program" in refused.json()
    assert "min_score" in api.get(f"{ORG}flags/?min_score=101").json()
    assert "status" in api.get(f"{ORG}flags/?status=nope").json()


def test_the_flag_list_has_a_fixed_number_of_queries(world_a):
    api = api_client_for(world_a.staff_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api.get(f"{ORG}flags/").status_code == 200
        return len(context.captured_queries)

    queries()  # the first use of a token records it
    few = queries()
    group = world_a.objects["group"]
    for n in range(10):
        open_flag(world_a, name=f"Extra {n}")
        f.FlagFactory(
            program=f.ProgramFactory(organization=world_a.org, subject="group", kind="group_fund"),
            family=None,
            group=group,
        )
    assert api.get(f"{ORG}flags/").json()["count"] == 21
    assert queries() == few


def test_it_shows_a_flag_with_its_evidence_and_reviews_and_audits_the_view(world_a):
    flag = world_a.objects["flag"]
    api = api_client_for(world_a.staff_user)
    body = api.get(f"{ORG}flags/{flag.pk}/").json()
    assert body["flag"]["status"] == "asked"
    assert body["evidence"][0]["label"] == "Evidence MARKER-A-7f3e"
    assert body["evidence"][0]["met"] is True
    assert [r["note"] for r in body["reviews"]] == ["Question MARKER-A-7f3e"]
    assert body["open_question"]["decision"] == "ask_info"
    assert body["is_loan"] is True
    assert body["budget"]["committed"] == "1700.00"  # the world's payment and loan
    assert body["budget"]["remaining"] == "8300.00"
    # A question waits for the family: another question cannot be asked.
    assert body["decisions"] == ["approve", "decline", "defer"]
    event = AuditEvent.objects.get(action="flag.viewed")
    assert (event.actor, event.object_id) == (world_a.staff_user, str(flag.pk))


# --- deciding ------------------------------------------------------------------------------------


def test_it_approves_a_flag_with_scheduled_payments(world_a):
    flag = open_flag(world_a)
    start = world_a.org.today() + dt.timedelta(days=3)
    response = post(
        api_client_for(world_a.staff_user),
        decide_url(flag),
        {
            "decision": "approve",
            "expected_status": "open",
            "amount": "600.00",
            "instalments": 3,
            "start_on": start.isoformat(),
            "note": "Three months of fees.",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["decision"], body["amount"], body["note"]) == (
        "approve",
        "600.00",
        "Three months of fees.",
    )
    assert body["flag"]["status"] == "approved"
    flag.refresh_from_db()
    assert flag.status == FlagStatus.APPROVED
    payments = Disbursement.objects.filter(flag=flag).order_by("instalment")
    assert [p.amount for p in payments] == [Decimal("200.00")] * 3
    assert payments[0].due_on == start
    review = Review.objects.get(flag=flag)
    assert review.reviewer == world_a.staff_user
    assert AuditEvent.objects.filter(action="flag.decided", object_id=str(flag.pk)).exists()


def test_it_approves_a_loan_with_its_yearly_rate_in_percent(world_a):
    flag = open_flag(world_a, budget="5000", kind="business_loan")
    response = post(
        api_client_for(world_a.admin_user),
        decide_url(flag),
        {
            "decision": "approve",
            "expected_status": "open",
            "amount": 1500,
            "instalments": 12,
            "start_on": world_a.org.today().isoformat(),
            "annual_rate": "5",
        },
    )
    assert response.status_code == 201, response.json()
    loan = Loan.objects.get(flag=flag)
    assert (loan.principal, loan.annual_rate, loan.term_months) == (
        Decimal("1500.00"),
        Decimal("0.0500"),
        12,
    )


def test_it_declines_and_defers_with_what_each_needs(world_a):
    api = api_client_for(world_a.staff_user)
    declined, deferred = open_flag(world_a), open_flag(world_a, name="Second")
    missing_reason = post(
        api, decide_url(declined), {"decision": "decline", "expected_status": "open"}
    )
    assert missing_reason.status_code == 400
    assert "note" in missing_reason.json()
    body = {"decision": "decline", "expected_status": "open", "note": "Not this year."}
    assert post(api, decide_url(declined), body).status_code == 201
    later = world_a.org.today() + dt.timedelta(days=30)
    body = {"decision": "defer", "expected_status": "open", "defer_until": later.isoformat()}
    assert post(api, decide_url(deferred), body).status_code == 201
    declined.refresh_from_db()
    deferred.refresh_from_db()
    assert declined.status == FlagStatus.DECLINED
    assert (deferred.status, deferred.deferred_until) == (FlagStatus.DEFERRED, later)


def test_it_answers_409_when_someone_else_decided_first(world_a):
    flag = open_flag(world_a)
    api = api_client_for(world_a.staff_user)
    body = {"decision": "decline", "expected_status": "in_review", "note": "Not this year."}
    response = post(api, decide_url(flag), body)
    assert response.status_code == 409
    assert response.json() == {"detail": "Someone else decided this flag a moment ago."}
    assert nothing_saved(flag)


def test_a_second_decision_on_the_same_view_gets_409(world_a):
    flag = open_flag(world_a)
    api = api_client_for(world_a.staff_user)
    body = {"decision": "decline", "expected_status": "open", "note": "Not this year."}
    assert post(api, decide_url(flag), body).status_code == 201
    assert post(api, decide_url(flag), body).status_code == 409
    assert Review.objects.filter(flag=flag).count() == 1


@pytest.mark.parametrize(
    ("amount", "field"),
    [("-5", "amount"), ("0", "amount"), ("abc", "amount"), ("1.234", "amount"), (None, "amount")],
)
def test_it_refuses_an_invalid_amount_and_saves_nothing(world_a, amount, field):
    flag = open_flag(world_a)
    body = {
        "decision": "approve",
        "expected_status": "open",
        "amount": amount,
        "instalments": 1,
        "start_on": world_a.org.today().isoformat(),
    }
    response = post(api_client_for(world_a.staff_user), decide_url(flag), body)
    assert response.status_code == 400
    assert field in response.json()
    assert nothing_saved(flag)


def test_it_refuses_terms_the_service_does_not_allow_and_saves_nothing(world_a):
    flag = open_flag(world_a)
    api = api_client_for(world_a.staff_user)
    yesterday = world_a.org.today() - dt.timedelta(days=1)
    body = {
        "decision": "approve",
        "expected_status": "open",
        "amount": "100",
        "instalments": 500,
        "start_on": yesterday.isoformat(),
    }
    errors = post(api, decide_url(flag), body).json()
    assert "instalments" in errors
    body["instalments"] = 2
    errors = post(api, decide_url(flag), body).json()
    assert errors == {"start_on": ["The first payment cannot be in the past."]}
    body["start_on"] = "9999-01-01"
    assert "start_on" in post(api, decide_url(flag), body).json()
    assert nothing_saved(flag)


def test_it_refuses_an_amount_over_the_remaining_budget_and_saves_nothing(world_a):
    flag = open_flag(world_a, budget="1000")
    body = {
        "decision": "approve",
        "expected_status": "open",
        "amount": "1000.01",
        "instalments": 1,
        "start_on": world_a.org.today().isoformat(),
    }
    response = post(api_client_for(world_a.staff_user), decide_url(flag), body)
    assert response.status_code == 400
    assert "more than the program has left" in response.json()["amount"][0]
    # The flag's status was claimed before the budget check: it must be rolled back too.
    assert nothing_saved(flag)


def test_it_refuses_a_decision_it_does_not_know(world_a):
    flag = open_flag(world_a)
    response = post(
        api_client_for(world_a.staff_user),
        decide_url(flag),
        {"decision": "maybe", "expected_status": "open"},
    )
    assert response.status_code == 400
    assert "decision" in response.json()
    assert nothing_saved(flag)


# --- the decisions log and the ledger ------------------------------------------------------------


def test_it_lists_decisions_newest_first(world_a, world_b):
    flag = open_flag(world_a)
    api = api_client_for(world_a.staff_user)
    body = {"decision": "ask_info", "expected_status": "open", "note": "Which school?"}
    assert post(api, decide_url(flag), body).status_code == 201
    rows = api.get(f"{ORG}decisions/").json()["results"]
    assert [(r["flag"]["id"], r["decision"], r["note"]) for r in rows] == [
        (flag.pk, "ask_info", "Which school?"),
        (world_a.objects["flag"].pk, "ask_info", "Question MARKER-A-7f3e"),
    ]
    assert rows[0]["flag"]["status"] == "asked"
    assert rows[0]["reviewer"] == (world_a.staff_user.name or world_a.staff_user.email)


@freeze_time("2024-09-15 12:00")
def test_it_shows_the_ledger_with_budgets_payments_and_arrears(world_a, world_b):
    api = api_client_for(world_a.staff_user)
    body = api.get(f"{ORG}ledger/").json()
    program = world_a.objects["program"]
    assert [(p["program"]["id"], p["committed"], p["remaining"]) for p in body["programs"]] == [
        (program.pk, "1700.00", "8300.00")
    ]
    payment = body["disbursements"]["results"][0]
    assert (body["disbursements"]["count"], payment["amount"], payment["status"]) == (
        1,
        "500.00",
        "scheduled",
    )
    loan = body["loans"]["results"][0]
    # 100 a month from July: 300 due by mid-September, 100 repaid.
    assert (loan["repaid"], loan["due_to_date"], loan["arrears"], loan["outstanding"]) == (
        "100.00",
        "300.00",
        "200.00",
        "1100.00",
    )
    assert loan["family"]["id"] == world_a.objects["family"].pk
    paid = api.get(f"{ORG}ledger/?status=paid").json()
    assert paid["disbursements"]["count"] == 0
    assert paid["loans"]["count"] == 1
    assert "due_to" in api.get(f"{ORG}ledger/?due_from=2024-09-01&due_to=2024-08-01").json()
    assert api.get(f"{ORG}ledger/?program={world_b.objects['program'].pk}").status_code == 400


# --- the family's checklist ----------------------------------------------------------------------


def test_a_family_reads_its_checklist(world_a):
    program = f.ProgramFactory(organization=world_a.org, name="Scholarships", description="Fees")
    f.ReadinessRuleFactory(program=program, label_en="Six months of journals")
    flag = f.FlagFactory(program=program, family=world_a.objects["family"])
    body = api_client_for(world_a.family_user).get(f"{ORG}family/checklist/").json()
    assert body["has_snapshot"] is False
    assert body["as_of"] is None
    [item] = body["programs"]  # the world's program is inactive
    assert (item["program"]["name"], item["description"]) == ("Scholarships", "Fees")
    assert [c["text"] for c in item["criteria"]] == ["Six months of journals"]
    assert (item["met_count"], item["total"]) == (0, 1)
    assert item["flag"] == {"id": flag.pk, "status": "open"}


def test_a_family_sees_no_flag_of_another_family(world_a):
    program = f.ProgramFactory(organization=world_a.org, name="Scholarships")
    f.FlagFactory(program=program, family=world_a.objects["neighbour"])
    body = api_client_for(world_a.family_user).get(f"{ORG}family/checklist/").json()
    assert [item["flag"] for item in body["programs"]] == [None]
    assert Flag.objects.filter(program=program).count() == 1
