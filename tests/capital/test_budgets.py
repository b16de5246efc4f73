"""A program's money: budget, committed, paid and remaining, in one query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from capital.models import Program
from capital.selectors import program_budget, program_budgets
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 7, 10)


@pytest.fixture
def programs():  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(timezone="UTC")
    grant = f.ProgramFactory(organization=org, name="A grant", budget=Decimal("10000"))
    for amount, status in [
        ("100.10", "scheduled"),
        ("200.20", "paid"),
        ("0.30", "paid"),
        ("400", "cancelled"),
        ("50.05", "failed"),
    ]:
        paid_on = dt.date(2024, 7, 1) if status == "paid" else None
        f.DisbursementFactory(program=grant, amount=Decimal(amount), status=status, paid_on=paid_on)
    loans = f.ProgramFactory(
        organization=org, name="B loans", kind="business_loan", budget=Decimal("5000.50")
    )
    for principal, status, start in [
        ("1000", "active", dt.date(2024, 6, 1)),
        ("250.25", "repaid", dt.date(2024, 7, 10)),  # started today: paid out
        ("300", "active", dt.date(2024, 8, 1)),  # not started yet
        ("999", "cancelled", dt.date(2024, 5, 1)),
    ]:
        f.LoanFactory(program=loans, principal=Decimal(principal), status=status, start_on=start)
    idle = f.ProgramFactory(organization=org, name="C idle", active=False)
    elsewhere = f.ProgramFactory(name="D elsewhere")
    f.DisbursementFactory(program=elsewhere, amount=Decimal("7"))
    return org, grant, loans, idle, elsewhere


@freeze_time("2024-07-10 12:00")
def test_every_program_has_its_figures_in_one_query(programs, django_assert_num_queries):
    org, grant, loans, idle, _elsewhere = programs
    with django_assert_num_queries(1):
        budgets = program_budgets(organization=org)
    assert [b.program for b in budgets] == list(Program.objects.for_org(org))
    # Committed: all but cancelled payments and loans; paid: payments paid, loans started.
    figures = {b.program.name: (b.committed, b.paid, b.remaining) for b in budgets}
    assert figures == {
        "A grant": (Decimal("350.65"), Decimal("200.50"), Decimal("9649.35")),
        "B loans": (Decimal("1550.25"), Decimal("1250.25"), Decimal("3450.25")),
        "C idle": (Decimal("0"), Decimal("0"), idle.budget),
    }
    assert all(isinstance(b.committed, Decimal) for b in budgets)
    assert [b.program for b in program_budgets(organization=org, active_only=True)] == [
        grant,
        loans,
    ]


@freeze_time("2024-07-10 12:00")
def test_one_program_and_no_other_organizations(programs):
    org, grant, _loans, _idle, elsewhere = programs
    one = program_budget(organization=org, program_id=grant.pk)
    assert one.program == grant and one.committed == Decimal("350.65")
    assert one.program.budget == grant.budget
    with pytest.raises(Program.DoesNotExist):
        program_budget(organization=org, program_id=elsewhere.pk)
