"""Deciding on a flag: approve with a commitment, decline, defer, ask; once, and only once."""

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from capital.models import (
    Decision,
    Disbursement,
    Flag,
    FlagStatus,
    Loan,
    ProgramKind,
    Review,
)
from capital.services import FlagConflict, Terms, flag_decide, flags_refresh
from fii.models import AuditEvent
from insights.pipeline import aggregate_organization
from journals.periods import add_months
from tests import factories as f
from tests.capital.test_services import family_frame, night
from tests.conftest import build_world, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(world_a):  # type: ignore[no-untyped-def]
    return f.ProgramFactory(organization=world_a.org, name="Grant", budget=Decimal("1000"))


@pytest.fixture
def flag(world_a, grant):  # type: ignore[no-untyped-def]
    return f.FlagFactory(program=grant, family=world_a.objects["neighbour"])


def soon(world, days: int = 7) -> dt.date:  # type: ignore[no-untyped-def]
    return world.org.today() + dt.timedelta(days=days)


def decide(world, flag, decision, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("note", "")
    kwargs.setdefault("expected_status", flag.status)
    return flag_decide(
        organization=world.org,
        actor=world.staff_user,
        flag_id=flag.pk,
        decision=decision,
        **kwargs,
    )


def page(world, flag) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/queue/{flag.pk}/"


def approve_form(world, flag, **fields):  # type: ignore[no-untyped-def]
    data = {
        "decision": "approve",
        "approve-expected_status": flag.status,
        "approve-amount": "900",
        "approve-instalments": "3",
        "approve-start_on": soon(world).isoformat(),
        "approve-note": "For the school fees",
    }
    data.update({f"approve-{k}": v for k, v in fields.items()})
    return data


def nothing_decided(flag) -> bool:  # type: ignore[no-untyped-def]
    flag.refresh_from_db()
    return (
        flag.status == FlagStatus.OPEN
        and not Review.objects.filter(flag=flag).exists()
        and not Disbursement.objects.filter(flag=flag).exists()
        and not Loan.objects.filter(flag=flag).exists()
    )


# --- approving -----------------------------------------------------------------------------------


def test_approving_schedules_the_payments_and_records_who_and_why(world_a, flag):
    start = soon(world_a)
    review = decide(
        world_a,
        flag,
        Decision.APPROVE,
        amount=Decimal("1000"),
        terms=Terms(instalments=3, start_on=start),
        note="For the school fees",
    )
    flag.refresh_from_db()
    assert (flag.status, flag.closed_at is not None) == (FlagStatus.APPROVED, True)
    assert (review.reviewer, review.amount, review.note) == (
        world_a.staff_user,
        Decimal("1000"),
        "For the school fees",
    )
    payments = list(Disbursement.objects.filter(flag=flag).order_by("instalment"))
    assert [p.amount for p in payments] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert [p.instalment for p in payments] == [1, 2, 3]
    assert {p.instalments for p in payments} == {3}
    assert payments[0].due_on == start and payments[2].due_on.month == (start.month + 1) % 12 + 1
    assert {p.family for p in payments} == {world_a.objects["neighbour"]}
    event = AuditEvent.objects.get(action="flag.decided", object_id=str(flag.pk))
    assert event.actor == world_a.staff_user
    assert event.detail["decision"] == "approve" and event.detail["review_id"] == review.pk
    assert "school" not in str(event.detail)  # the note is not copied into the audit log


def test_approving_a_business_loan_lends_with_a_repayment_schedule(world_a):
    loans = f.ProgramFactory(
        organization=world_a.org, kind=ProgramKind.BUSINESS_LOAN, budget=Decimal("5000")
    )
    flag = f.FlagFactory(program=loans, family=world_a.objects["neighbour"])
    start = soon(world_a)
    decide(
        world_a,
        flag,
        Decision.APPROVE,
        amount=Decimal("1200"),
        terms=Terms(instalments=12, start_on=start, annual_rate=Decimal("0.06")),
    )
    loan = Loan.objects.get(flag=flag)
    assert (loan.principal, loan.term_months, loan.annual_rate, loan.start_on) == (
        Decimal("1200"),
        12,
        Decimal("0.06"),
        start,
    )
    schedule = loan.schedule()
    assert len(schedule) == 12 and schedule[0].due_on.month == start.month % 12 + 1
    assert sum(i.principal for i in schedule) == Decimal("1200")
    assert not Disbursement.objects.filter(flag=flag).exists()


def test_approving_a_group_flag_pays_the_group(world_a):
    fund = f.ProgramFactory(
        organization=world_a.org, kind="group_fund", subject="group", budget=Decimal("500")
    )
    flag = f.FlagFactory(program=fund, family=None, group=world_a.objects["group"])
    decide(
        world_a,
        flag,
        Decision.APPROVE,
        amount=Decimal("500"),
        terms=Terms(instalments=1, start_on=soon(world_a)),
    )
    payment = Disbursement.objects.get(flag=flag)
    assert (payment.group, payment.family, payment.amount) == (
        world_a.objects["group"],
        None,
        Decimal("500"),
    )


def test_a_program_is_never_committed_past_its_budget(world_a, grant):
    first = f.FlagFactory(program=grant, family=world_a.objects["neighbour"])
    second = f.FlagFactory(program=grant, family=world_a.objects["family"])
    terms = Terms(instalments=1, start_on=soon(world_a))
    decide(world_a, first, Decision.APPROVE, amount=Decimal("700"), terms=terms)
    with pytest.raises(ValidationError) as error:
        decide(world_a, second, Decision.APPROVE, amount=Decimal("400"), terms=terms)
    assert "300.00 USD" in str(error.value.message_dict["amount"])
    assert nothing_decided(second)
    # What is left can still be committed, and a cancelled payment gives its money back.
    decide(world_a, second, Decision.APPROVE, amount=Decimal("300"), terms=terms)
    Disbursement.objects.filter(flag=first).update(status="cancelled")
    third = f.FlagFactory(program=grant)
    decide(world_a, third, Decision.APPROVE, amount=Decimal("700"), terms=terms)


def test_over_budget_is_a_form_error_on_the_page(world_a, grant, flag):
    response = client_for(world_a.staff_user).post(
        page(world_a, flag), approve_form(world_a, flag, amount="1000.01")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This is more than the program has left: 1,000.00 USD" in body
    assert "id_approve-amount_error" in body
    assert nothing_decided(flag)


# --- the other decisions -------------------------------------------------------------------------


def test_declining_needs_a_reason(world_a, flag):
    with pytest.raises(ValidationError, match="why"):
        decide(world_a, flag, Decision.DECLINE, note="   ")
    assert nothing_decided(flag)
    decide(world_a, flag, Decision.DECLINE, note="Moved away")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DECLINED
    assert Review.objects.get(flag=flag).note == "Moved away"


def test_deferring_needs_a_date_after_today(world_a, flag):
    for day in (None, world_a.org.today(), world_a.org.today() - dt.timedelta(days=3)):
        with pytest.raises(ValidationError) as error:
            decide(world_a, flag, Decision.DEFER, defer_until=day)
        assert "defer_until" in error.value.message_dict
    assert nothing_decided(flag)
    decide(world_a, flag, Decision.DEFER, defer_until=soon(world_a, 30))
    flag.refresh_from_db()
    assert (flag.status, flag.deferred_until) == (FlagStatus.DEFERRED, soon(world_a, 30))


def test_a_deferred_or_approved_subject_is_not_flagged_again_too_soon(world_a, grant):
    grant.rules.create(
        organization=world_a.org, metric="months_reported", operator=">=", threshold=6
    )
    family, neighbour = world_a.objects["family"], world_a.objects["neighbour"]
    ready = {family.pk: {"months_reported": 9}, neighbour.pk: {"months_reported": 9}}

    def refresh(n):  # type: ignore[no-untyped-def]
        return flags_refresh(
            organization=world_a.org,
            run=night(world_a.org, n),
            family_frame=family_frame(ready),
            group_frame=None,
        )

    assert refresh(1)["opened"] == 2
    first, second = Flag.objects.for_org(world_a.org).filter(program=grant).order_by("pk")
    decide(world_a, first, Decision.DEFER, defer_until=soon(world_a, 30))
    decide(
        world_a,
        second,
        Decision.APPROVE,
        amount=Decimal("10"),
        terms=Terms(instalments=1, start_on=soon(world_a)),
    )
    assert refresh(2)["opened"] == 0
    # Once the date has come, the deferred family may be flagged again.
    Flag.objects.filter(pk=first.pk).update(deferred_until=world_a.org.today())
    assert refresh(3)["opened"] == 1


def test_asking_the_family_shows_the_question_and_takes_the_answer(world_a, flag):
    # The neighbour's flag: log its family in.
    neighbour_user = f.UserFactory(email="neighbour@alpha.example")
    f.MembershipFactory(
        user=neighbour_user,
        organization=world_a.org,
        role="family",
        family=world_a.objects["neighbour"],
    )
    with pytest.raises(ValidationError, match="question"):
        decide(world_a, flag, Decision.ASK_INFO, note="")
    decide(world_a, flag, Decision.ASK_INFO, note="Which school is it for?")
    flag.refresh_from_db()
    assert (flag.status, flag.closed_at) == (FlagStatus.ASKED, None)
    # A second question waits for the first answer.
    with pytest.raises(ValidationError, match="already waits"):
        decide(world_a, flag, Decision.ASK_INFO, note="And when?")
    family = client_for(neighbour_user)
    capital = f"/o/{world_a.org.slug}/family/capital/"
    body = family.get(capital).content.decode()
    assert "Staff have a question for you" in body and "Which school is it for?" in body
    answer = f"/o/{world_a.org.slug}/family/capital/{flag.pk}/answer/"
    empty = family.post(answer, {f"answer-{flag.pk}-answer": "  "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    response = family.post(answer, {f"answer-{flag.pk}-answer": "The community college"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.IN_REVIEW
    question = Review.objects.get(flag=flag)
    assert (question.answer, question.answered_by) == ("The community college", neighbour_user)
    assert "Which school is it for?" not in family.get(capital).content.decode()
    staff_body = client_for(world_a.staff_user).get(page(world_a, flag)).content.decode()
    assert "The community college" in staff_body
    # Answered: staff may now decide, or ask again.
    decide(world_a, flag, Decision.ASK_INFO, note="And when does it start?")


def test_a_family_cannot_answer_for_another_family(world_a, flag):
    # The flag is the neighbour's; world_a's family user is not its family.
    decide(world_a, flag, Decision.ASK_INFO, note="Which school?")
    response = client_for(world_a.family_user).post(
        f"/o/{world_a.org.slug}/family/capital/{flag.pk}/answer/",
        {f"answer-{flag.pk}-answer": "Not mine"},
    )
    assert response.status_code == 404
    assert Review.objects.get(flag=flag).answered_at is None


def test_the_open_questions_selector_gives_the_familys_own(world_a, flag):
    from capital.selectors import open_questions_for

    decide(world_a, flag, Decision.ASK_INFO, note="Which school?")
    neighbour = world_a.objects["neighbour"]
    assert [q.note for q in open_questions_for(organization=world_a.org, family=neighbour)] == [
        "Which school?"
    ]
    family = world_a.objects["family"]
    assert [q.note for q in open_questions_for(organization=world_a.org, family=family)] == [
        "Question MARKER-A-7f3e"
    ]


# --- once, and only once -------------------------------------------------------------------------


def test_a_stale_decision_is_refused_and_nothing_is_decided_twice(world_a, flag):
    decide(world_a, flag, Decision.DECLINE, note="Moved away")
    with pytest.raises(FlagConflict, match="Someone else decided this flag a moment ago"):
        decide(
            world_a,
            flag,
            Decision.APPROVE,
            amount=Decimal("10"),
            terms=Terms(instalments=1, start_on=soon(world_a)),
            expected_status=FlagStatus.OPEN,
        )
    assert Review.objects.filter(flag=flag).count() == 1
    assert not Disbursement.objects.filter(flag=flag).exists()


def test_the_page_tells_the_second_person_plainly(world_a, flag):
    first, second = client_for(world_a.staff_user), client_for(world_a.admin_user)
    form = approve_form(world_a, flag)  # both loaded the page while the flag was open
    assert first.post(page(world_a, flag), form).status_code == 302
    response = second.post(
        page(world_a, flag),
        {"decision": "decline", "decline-expected_status": "open", "decline-note": "No"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else decided this flag a moment ago" in body
    assert "This flag is closed: Approved." in body
    assert Review.objects.filter(flag=flag).count() == 1
    assert Disbursement.objects.filter(flag=flag).count() == 3


def test_approving_on_the_page_puts_the_commitment_in_the_ledger(world_a, flag):
    client = client_for(world_a.staff_user)
    response = client.post(page(world_a, flag), approve_form(world_a, flag))
    assert response.status_code == 302
    assert "The commitment is in the ledger" in client.get(response["Location"]).content.decode()
    ledger = client.get(f"/o/{world_a.org.slug}/ledger/").content.decode()
    assert ledger.count(world_a.objects["neighbour"].name) == 3
    assert "300.00 USD" in ledger


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"amount": "-5"}, "greater than zero"),
        ({"amount": "0"}, "greater than zero"),
        ({"amount": "abc"}, "Enter a number."),
        ({"amount": "10.001"}, "decimal places"),
        ({"amount": "1e400"}, ""),
        ({"amount": ""}, "This field is required."),
        ({"instalments": "0"}, ""),
        ({"instalments": "500"}, ""),
        ({"instalments": "two"}, "Enter a whole number."),
        ({"start_on": "2020-01-01"}, "cannot be in the past"),
        ({"start_on": "31/31/2031"}, "Enter a valid date."),
        ({"expected_status": "bogus"}, ""),
    ],
)
def test_it_refuses_a_bad_approval_with_a_clear_error(world_a, flag, fields, error):
    response = client_for(world_a.staff_user).post(
        page(world_a, flag), approve_form(world_a, flag, **fields)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check the answers marked below." in body
    assert error in body
    assert nothing_decided(flag)


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "decline", "decline-expected_status": "open", "decline-note": ""},
        {"decision": "defer", "decline-expected_status": "open", "defer-defer_until": "2020-01-01"},
        {"decision": "defer", "defer-expected_status": "open", "defer-defer_until": "2020-01-01"},
        {"decision": "defer", "defer-expected_status": "open", "defer-defer_until": "soon"},
        {"decision": "ask_info", "ask_info-expected_status": "open", "ask_info-note": ""},
        {"decision": "ask_info", "ask_info-expected_status": "open", "ask_info-note": "x" * 2001},
        {"decision": "decline", "decline-expected_status": "open", "decline-note": "a\x00b"},
        {"decision": "delete_everything"},
        {},
    ],
)
def test_it_refuses_other_bad_decisions(world_a, flag, data):
    response = client_for(world_a.staff_user).post(page(world_a, flag), data)
    assert response.status_code == 400
    assert nothing_decided(flag)


def test_a_loan_program_asks_for_interest_and_refuses_a_silly_rate(world_a):
    loans = f.ProgramFactory(
        organization=world_a.org, kind=ProgramKind.BUSINESS_LOAN, budget=Decimal("5000")
    )
    flag = f.FlagFactory(program=loans, family=world_a.objects["neighbour"])
    client = client_for(world_a.staff_user)
    body = client.get(page(world_a, flag)).content.decode()
    assert "Months to repay" in body and "Yearly interest (%)" in body
    response = client.post(
        page(world_a, flag), approve_form(world_a, flag, annual_rate="250", instalments="12")
    )
    assert response.status_code == 400
    assert nothing_decided(flag)
    response = client.post(
        page(world_a, flag), approve_form(world_a, flag, annual_rate="6", instalments="12")
    )
    assert response.status_code == 302
    assert Loan.objects.get(flag=flag).annual_rate == Decimal("0.06")


# --- the page ------------------------------------------------------------------------------------


def test_the_review_page_shows_the_evidence_history_and_standing(world_a):
    flag = world_a.objects["flag"]
    body = client_for(world_a.staff_user).get(page(world_a, flag)).content.decode()
    assert "Evidence MARKER-A-7f3e" in body
    assert "at least 6" in body and "<td>9</td>" in body
    assert "Question MARKER-A-7f3e" in body  # the question waiting for the family
    assert "Open a shop MARKER-A-7f3e" in body  # the family's goal
    assert "Rides MARKER-A-7f3e" not in body  # help notes stay on the family's page
    assert 'data-chart="chart-trajectory"' in body and 'id="chart-trajectory"' in body
    assert "<script>" not in body.split('id="chart-trajectory"')[0].rsplit("</main>", 1)[-1]
    assert "The nightly review has not run yet." in body
    # Waiting for the family: no second question, the other decisions stay open.
    assert 'value="ask_info"' not in body and 'value="approve"' in body


def test_a_group_flag_shows_the_groups_median_trajectory(world_a):
    fund = f.ProgramFactory(organization=world_a.org, kind="group_fund", subject="group")
    flag = f.FlagFactory(program=fund, family=None, group=world_a.objects["group"])
    f.JournalEntryFactory(
        family=world_a.objects["neighbour"], period=dt.date(2024, 6, 1), income_wages=1000.0
    )
    client = client_for(world_a.staff_user)
    body = client.get(page(world_a, flag)).content.decode()
    assert "The group's median income, savings and debt" in body
    assert '<td class="num">1,550</td>' in body  # the median of 2,100 and 1,000
    assert not AuditEvent.objects.filter(action="flag.viewed").exists()


def without_tokens(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_forms_and_trajectory_follow_the_program_the_figures_and_the_language(world_a, flag):
    """Another program's, a new journal's or another language's page is never an older page's."""
    client = client_for(world_a.staff_user)
    loans = f.ProgramFactory(organization=world_a.org, kind=ProgramKind.BUSINESS_LOAN)
    loan_flag = f.FlagFactory(program=loans, family=flag.family)
    grant_body = client.get(page(world_a, flag)).content.decode()
    loan_body = client.get(page(world_a, loan_flag)).content.decode()
    assert "Monthly payments" in grant_body and "Months to repay" not in grant_body
    assert "Months to repay" in loan_body and "Monthly payments" not in loan_body
    # A loan's own help, linked to its field.
    assert "Repaid in level monthly instalments." in loan_body
    assert 'aria-describedby="id_approve-instalments_helptext"' in loan_body
    assert "1 pays it all at once." in grant_body and "Repaid in level" not in grant_body
    again = client.get(page(world_a, flag)).content.decode()
    assert without_tokens(again) == without_tokens(grant_body)

    f.JournalEntryFactory(family=flag.family, period=dt.date(2030, 1, 1), income_wages=1234.0)
    body = client.get(page(world_a, flag)).content.decode()
    assert '<td class="num">1,234</td>' in body and "1,234" not in grant_body
    spanish = client_for(world_a.staff_user)
    spanish.cookies["django_language"] = "es"
    body = spanish.get(page(world_a, flag), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Aprobar" in body and "Approve" not in body


def test_viewing_a_familys_flag_is_audited(world_a):
    flag = world_a.objects["flag"]
    client_for(world_a.staff_user).get(page(world_a, flag))
    event = AuditEvent.objects.get(action="flag.viewed")
    assert (event.actor, event.object_id) == (world_a.staff_user, str(flag.pk))
    assert event.detail == {"family_id": world_a.objects["family"].pk}


def test_it_denies_families_and_other_organizations(world_a, world_b):
    flag = world_a.objects["flag"]
    assert client_for(world_a.family_user).get(page(world_a, flag)).status_code == 403
    for user in (world_b.staff_user, world_b.admin_user):
        client = client_for(user)
        assert client.get(page(world_a, flag)).status_code == 404
        # Through B's own organization slug, A's flag does not exist either.
        assert client.get(f"/o/{world_b.org.slug}/queue/{flag.pk}/").status_code == 404
        response = client.post(
            f"/o/{world_b.org.slug}/queue/{flag.pk}/",
            {"decision": "decline", "decline-expected_status": "asked", "decline-note": "x"},
        )
        assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ASKED


def test_the_service_refuses_another_organizations_flag(world_a, world_b):
    with pytest.raises(Flag.DoesNotExist):
        flag_decide(
            organization=world_b.org,
            actor=world_b.staff_user,
            flag_id=world_a.objects["flag"].pk,
            decision=Decision.DECLINE,
            note="x",
            expected_status=FlagStatus.ASKED,
        )


# --- at the same moment, on PostgreSQL -----------------------------------------------------------


def _race(n: int, act) -> list[str]:  # type: ignore[no-untyped-def]
    """Run ``act(i)`` in n threads released at once; return what each one ended with."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes.append(act(i))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_two_people_deciding_at_once_decide_once():
    world = build_world("alpha")
    grant = f.ProgramFactory(organization=world.org, budget=Decimal("1000"))
    flag = f.FlagFactory(program=grant, family=world.objects["neighbour"])
    people = [world.staff_user, world.admin_user]
    form = approve_form(world, flag, amount="600", instalments="1")

    def act(i: int) -> str:
        client = Client()
        client.force_login(people[i])
        return str(client.post(page(world, flag), form).status_code)

    assert sorted(_race(2, act)) == ["302", "409"]
    assert Review.objects.filter(flag=flag).count() == 1
    assert Disbursement.objects.filter(flag=flag).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks")
def test_approvals_at_once_never_commit_more_than_the_budget():
    world = build_world("alpha")
    grant = f.ProgramFactory(organization=world.org, budget=Decimal("1000"))
    flags = [f.FlagFactory(program=grant) for _ in range(4)]
    start = soon(world)

    def act(i: int) -> str:
        try:
            decide(
                world,
                flags[i],
                Decision.APPROVE,
                amount=Decimal("400"),
                terms=Terms(instalments=1, start_on=start),
            )
        except ValidationError:
            return "refused"
        return "approved"

    assert sorted(_race(4, act)) == ["approved", "approved", "refused", "refused"]
    committed = sum(d.amount for d in Disbursement.objects.filter(program=grant))
    assert committed == Decimal("800")


def test_the_review_page_query_count_does_not_grow(world_a, django_assert_num_queries):
    flag = world_a.objects["flag"]
    family, neighbour = world_a.objects["family"], world_a.objects["neighbour"]
    aggregate_organization(organization_id=world_a.org.pk, as_of=dt.date(2024, 7, 15))
    client = client_for(world_a.staff_user)
    client.get(page(world_a, flag))
    # User, membership, flag, the audit event, months with their entries, reviews, goals, help,
    # latest run, its snapshot of the family, budget.
    with django_assert_num_queries(11):
        client.get(page(world_a, flag))
    for n in range(20):
        f.GoalFactory(family=family)
        f.HelpExchangeFactory(giver=family, receiver=neighbour, period=dt.date(2023, 1 + n % 12, 1))
        f.JournalEntryFactory(family=family, period=add_months(dt.date(2022, 1, 1), n))
        old = f.FlagFactory(
            program=flag.program, family=family, status="declined", closed_at=timezone.now()
        )
        f.ReviewFactory(flag=old, decision="decline", note=f"No {n}", reviewer=world_a.staff_user)
    with django_assert_num_queries(11):
        body = client.get(page(world_a, flag)).content.decode()
    assert body.count("<strong>Decline</strong>") == 20
    assert body.count('<p class="help" id="id_approve-') >= 2  # every decision's form, per request
    assert "Positive deviant" in body  # the family's standing on the run


def test_a_start_date_beyond_the_year_2999_is_a_form_error_not_a_crash(world_a, grant, flag):
    data = approve_form(world_a, flag, amount="100")
    data.update({"approve-instalments": "3", "approve-start_on": "9999-12-01"})
    response = client_for(world_a.staff_user).post(page(world_a, flag), data)
    assert response.status_code == 400
    assert "before the year 3000" in response.content.decode()
    assert nothing_decided(flag)
