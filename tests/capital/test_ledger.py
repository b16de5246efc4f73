"""The ledger: budgets, payments marked paid, failed or cancelled, loans repaid, arrears."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from capital.models import Disbursement, DisbursementStatus, Loan, LoanStatus, Repayment
from capital.selectors import loan_line, loans_with_repaid, program_budgets
from capital.services import disbursement_set_status, repayment_record
from capital.services.ledger import LedgerConflict
from fii.models import AuditEvent
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def ledger(world) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/ledger/"


def payment_url(world, payment) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/ledger/payments/{payment.pk}/"


def loan_url(world, loan) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/ledger/loans/{loan.pk}/"


def mark(world, payment, status, paid_on=None, expected=None):  # type: ignore[no-untyped-def]
    prefix = f"payment-{payment.pk}"
    data = {f"{prefix}-status": status, f"{prefix}-expected_status": expected or payment.status}
    if paid_on is not None:
        data[f"{prefix}-paid_on"] = paid_on
    return client_for(world.staff_user).post(payment_url(world, payment), data)


# --- budgets -------------------------------------------------------------------------------------


@freeze_time("2024-10-15 18:00")
def test_budgets_count_committed_and_paid_money(world_a):
    org, family = world_a.org, world_a.objects["family"]
    grant = f.ProgramFactory(organization=org, name="Grant", budget=Decimal("5000"))
    f.DisbursementFactory(program=grant, family=family, amount=Decimal("100"))
    f.DisbursementFactory(
        program=grant,
        family=family,
        amount=Decimal("200"),
        status="paid",
        paid_on=dt.date(2024, 9, 1),
    )
    f.DisbursementFactory(program=grant, family=family, amount=Decimal("400"), status="failed")
    f.DisbursementFactory(program=grant, family=family, amount=Decimal("800"), status="cancelled")
    f.LoanFactory(program=grant, family=family, principal=Decimal("1000"))
    f.LoanFactory(program=grant, family=family, principal=Decimal("50"), status="cancelled")
    f.LoanFactory(
        program=grant, family=family, principal=Decimal("30"), start_on=dt.date(2025, 1, 1)
    )
    budget = next(b for b in program_budgets(organization=org) if b.program == grant)
    # A failed payment is still owed; a cancelled one and a cancelled loan are not.
    assert budget.committed == Decimal("100") + 200 + 400 + 1000 + 30
    # Paid: the paid payment, and the loan whose money went out (the other starts next year).
    assert budget.paid == Decimal("200") + 1000
    assert budget.remaining == Decimal("5000") - 1730
    body = client_for(world_a.staff_user).get(ledger(world_a)).content.decode()
    row = body.split('<th scope="row">Grant')[1].split("</tr>")[0]
    assert "5,000.00 USD" in row and "1,730.00" in row and "1,200.00" in row and "3,270.00" in row


# --- payments ------------------------------------------------------------------------------------


@pytest.fixture
def payment(world_a):  # type: ignore[no-untyped-def]
    return world_a.objects["disbursement"]


def test_marking_a_payment_paid_records_the_day_and_an_audit_event(world_a, payment):
    today = world_a.org.today()
    response = mark(world_a, payment, "paid", paid_on=today.isoformat())
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on) == (DisbursementStatus.PAID, today)
    event = AuditEvent.objects.get(action="disbursement.status_changed")
    assert event.detail == {"from": "scheduled", "to": "paid"}


def test_a_failed_payment_can_be_tried_again_or_cancelled(world_a, payment):
    assert mark(world_a, payment, "failed").status_code == 302
    payment.refresh_from_db()
    assert payment.status == DisbursementStatus.FAILED
    body = client_for(world_a.staff_user).get(ledger(world_a)).content.decode()
    assert "Try again" in body
    assert mark(world_a, payment, "scheduled").status_code == 302
    assert mark(world_a, Disbursement.objects.get(pk=payment.pk), "cancelled").status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on) == (DisbursementStatus.CANCELLED, None)


@pytest.mark.parametrize(
    ("status", "paid_on", "expected", "error"),
    [
        ("paid", None, None, "Enter the day it was paid"),
        ("paid", "2999-01-01", None, "today or earlier"),
        ("paid", "yesterday", None, "Enter a valid date."),
        ("refunded", None, None, "Select a valid choice."),
        ("scheduled", None, None, "cannot go from this status"),
        ("paid", "2024-07-01", "paid", "cannot go from this status"),
    ],
)
def test_it_refuses_a_bad_payment_change(world_a, payment, status, paid_on, expected, error):
    response = mark(world_a, payment, status, paid_on=paid_on, expected=expected)
    assert response.status_code == 400
    assert error in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on) == (DisbursementStatus.SCHEDULED, None)


def test_a_paid_or_cancelled_payment_is_final(world_a, payment):
    mark(world_a, payment, "cancelled")
    with pytest.raises(ValidationError):
        disbursement_set_status(
            organization=world_a.org,
            actor=world_a.staff_user,
            disbursement_id=payment.pk,
            status="paid",
            paid_on=world_a.org.today(),
            expected_status="cancelled",
        )


def test_a_stale_payment_change_is_refused(world_a, payment):
    mark(world_a, payment, "failed")
    with pytest.raises(LedgerConflict):
        disbursement_set_status(
            organization=world_a.org,
            actor=world_a.staff_user,
            disbursement_id=payment.pk,
            status="cancelled",
            expected_status="scheduled",
        )
    response = mark(world_a, payment, "cancelled", expected="scheduled")
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == DisbursementStatus.FAILED


def test_the_ledger_filters_payments_and_refuses_dates_in_the_wrong_order(world_a):
    client = client_for(world_a.staff_user)
    body = client.get(ledger(world_a) + "?status=paid").content.decode()
    assert "No scheduled payments match" in body
    response = client.get(ledger(world_a) + "?due_from=2024-08-01&due_to=2024-07-01")
    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()
    body = client.get(ledger(world_a) + "?due_from=2024-06-01&due_to=2024-07-31").content.decode()
    assert 'id="payment-' in body


# --- loans ---------------------------------------------------------------------------------------


@freeze_time("2024-10-15 18:00")
def test_a_loan_shows_its_schedule_repayments_and_arrears(world_a):
    # 1,200 over 12 months at 0% from June 1: 100 due on the first of July to October.
    loan = world_a.objects["loan"]
    line = loan_line(
        loans_with_repaid(organization=world_a.org).get(pk=loan.pk), world_a.org.today()
    )
    assert (line.repaid, line.due_to_date, line.arrears, line.outstanding) == (
        Decimal("100"),
        Decimal("400"),
        Decimal("300"),
        Decimal("1100"),
    )
    assert line.next_instalment.number == 2
    body = client_for(world_a.staff_user).get(loan_url(world_a, loan)).content.decode()
    assert "Arrears" in body and 'class="arrears">300.00' in body
    assert body.count('<td class="num">100.00</td>') == 12


def test_a_loan_schedule_charges_interest_on_what_is_owed(world_a):
    loan = Loan(
        principal=Decimal("10000"),
        annual_rate=Decimal("0.06"),
        term_months=36,
        start_on=dt.date(2024, 1, 31),
    )
    schedule = loan.schedule()
    assert schedule[0].amount == Decimal("304.22") and schedule[0].interest == Decimal("50.00")
    assert schedule[0].due_on == dt.date(2024, 2, 29)  # the last day of a short month
    assert sum(i.principal for i in schedule) == Decimal("10000")
    assert abs(schedule[-1].amount - Decimal("304.22")) < 1


def test_recording_a_repayment(world_a):
    loan = world_a.objects["loan"]
    client = client_for(world_a.staff_user)
    response = client.post(
        loan_url(world_a, loan), {"action": "repay", "amount": "250.50", "paid_on": "2024-08-01"}
    )
    assert response.status_code == 302
    assert Repayment.objects.filter(loan=loan).count() == 2
    assert AuditEvent.objects.filter(action="repayment.recorded").count() == 1
    # Paying off the rest closes the loan.
    rest = Decimal("1200") - Decimal("100") - Decimal("250.50")
    client.post(
        loan_url(world_a, loan), {"action": "repay", "amount": str(rest), "paid_on": "2024-09-01"}
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REPAID
    body = client.get(loan_url(world_a, loan)).content.decode()
    assert "Record a repayment" not in body


@pytest.mark.parametrize(
    ("amount", "paid_on", "error"),
    [
        ("-10", "2024-08-01", "greater than zero"),
        ("0", "2024-08-01", "greater than zero"),
        ("ten", "2024-08-01", "Enter a number."),
        ("1100.01", "2024-08-01", "more than the 1,100.00 still owed"),
        ("50", "2999-01-01", "today or earlier"),
        ("50", "2024-05-31", "before the loan started"),
        ("50", "", "This field is required."),
    ],
)
def test_it_refuses_a_bad_repayment(world_a, amount, paid_on, error):
    loan = world_a.objects["loan"]
    response = client_for(world_a.staff_user).post(
        loan_url(world_a, loan), {"action": "repay", "amount": amount, "paid_on": paid_on}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Repayment.objects.filter(loan=loan).count() == 1


def test_a_closed_loan_takes_no_repayment(world_a):
    loan = world_a.objects["loan"]
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.WRITTEN_OFF)
    with pytest.raises(ValidationError, match="closed"):
        repayment_record(
            organization=world_a.org,
            actor=world_a.staff_user,
            loan_id=loan.pk,
            amount=Decimal("10"),
            paid_on=dt.date(2024, 8, 1),
        )


def test_a_loan_with_repayments_is_written_off_not_cancelled(world_a):
    loan = world_a.objects["loan"]
    client = client_for(world_a.staff_user)
    data = {"action": "status", "status": "cancelled", "expected_status": "active"}
    response = client.post(loan_url(world_a, loan), data)
    assert response.status_code == 400
    assert "cannot be cancelled" in response.content.decode()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    data["status"] = "written_off"
    assert client.post(loan_url(world_a, loan), data).status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF


# --- who may see it ------------------------------------------------------------------------------


def test_the_family_sees_its_commitments_schedule_and_repayments(world_a):
    body = (
        client_for(world_a.family_user)
        .get(f"/o/{world_a.org.slug}/family/capital/")
        .content.decode()
    )
    assert "Money committed to your family" in body
    assert "500.00 USD" in body  # the scheduled payment
    assert "1,200.00 USD" in body and "Repayment schedule" in body
    assert "Your repayments" in body and "100.00 USD" in body


def test_a_family_sees_no_other_familys_money(world_a):
    Disbursement.objects.filter(pk=world_a.objects["disbursement"].pk).update(
        family=world_a.objects["neighbour"]
    )
    Loan.objects.filter(pk=world_a.objects["loan"].pk).update(family=world_a.objects["neighbour"])
    body = (
        client_for(world_a.family_user)
        .get(f"/o/{world_a.org.slug}/family/capital/")
        .content.decode()
    )
    assert "Money committed to your family" not in body


def test_it_denies_families_and_other_organizations(world_a, world_b):
    payment, loan = world_a.objects["disbursement"], world_a.objects["loan"]
    assert client_for(world_a.family_user).get(ledger(world_a)).status_code == 403
    assert client_for(world_a.family_user).get(loan_url(world_a, loan)).status_code == 403
    for user in (world_b.staff_user, world_b.admin_user):
        client = client_for(user)
        assert client.get(ledger(world_a)).status_code == 404
        assert client.get(loan_url(world_a, loan)).status_code == 404
        # Through B's own slug, A's rows do not exist.
        b = world_b.org.slug
        assert client.get(f"/o/{b}/ledger/loans/{loan.pk}/").status_code == 404
        response = client.post(
            f"/o/{b}/ledger/payments/{payment.pk}/",
            {
                f"payment-{payment.pk}-status": "cancelled",
                f"payment-{payment.pk}-expected_status": "scheduled",
            },
        )
        assert response.status_code == 404
        response = client.post(
            f"/o/{b}/ledger/loans/{loan.pk}/",
            {"action": "repay", "amount": "1", "paid_on": "2024-08-01"},
        )
        assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.status == DisbursementStatus.SCHEDULED
    assert Repayment.objects.filter(loan=loan).count() == 1


def test_the_ledger_query_count_does_not_grow(world_a, django_assert_num_queries):
    family = world_a.objects["family"]
    client = client_for(world_a.staff_user)
    client.get(ledger(world_a))
    # User, membership, budgets, count and page of payments, count and page of loans.
    with django_assert_num_queries(7):
        client.get(ledger(world_a))
    programs = [f.ProgramFactory(organization=world_a.org) for _ in range(5)]
    for n in range(60):
        f.DisbursementFactory(program=programs[n % 5], family=family)
        loan = f.LoanFactory(program=programs[n % 5], family=family)
        f.RepaymentFactory(loan=loan)
    with django_assert_num_queries(7):
        body = client.get(ledger(world_a)).content.decode()
    assert body.count('id="payment-') == 25
