"""The pieces behind the funder pages: capital's figures, the pure charts and headlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from capital.funder import capital_figures
from capital.models import Disbursement, DisbursementStatus, Loan, Program, ProgramKind, Repayment
from insights import charts
from insights.anonymize import TOTAL
from tests import factories as f

from .conftest import count_for_funders


def trajectory_row(cohort, bucket: str, income: float | None, share: float | None) -> dict:  # type: ignore[no-untyped-def]
    return {
        "cohort": "All cohorts" if cohort == TOTAL else str(cohort),
        "months_since_joining": bucket,
        "median_income": income,
        "share_above_poverty_line": share,
        "_cohort": cohort,
        "_bucket": "start" if bucket == "At joining" else bucket,
        "_when": "when they joined" if bucket == "At joining" else f"{bucket} after joining",
        "_org": "x",
    }


def test_a_hidden_figure_is_a_gap_and_a_chart_with_nothing_shown_is_not_drawn():
    rows = [
        trajectory_row(2024, "At joining", 2000.0, 0.4),
        trajectory_row(2024, "6 to 11 months", None, None),
        trajectory_row(2025, "At joining", 2100.0, None),
        trajectory_row(TOTAL, "At joining", 2050.0, 0.45),
        trajectory_row(TOTAL, "6 to 11 months", 2300.0, 0.5),
    ]
    figure = charts.trajectory_figure(rows, "median_income")
    assert figure is not None
    lines = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert lines == {
        "2024": [2000.0, None],
        "2025": [2100.0, None],
        "All cohorts": [2050.0, 2300.0],
    }
    hidden = [{**r, "median_income": None} for r in rows]
    assert charts.trajectory_figure(hidden, "median_income") is None


def test_headlines_speak_only_of_shown_figures():
    rows = [
        trajectory_row(TOTAL, "At joining", 2050.0, 0.45),
        trajectory_row(TOTAL, "6 to 11 months", 2300.0, None),
    ]
    assert charts.income_headline(rows, "USD") == (
        "The median monthly income of families was $2,050 when they joined "
        "and $2,300 6 to 11 months after joining."
    )
    assert charts.share_headline(rows, "share_above_poverty_line", "%(share)s %(when)s") == ""
    empty = [{**r, "median_income": None} for r in rows]
    assert charts.income_headline(empty, "USD") == (
        "No organization has enough families to show this yet."
    )


def test_the_cost_headline_reads_cents_of_every_dollar():
    rows = [{"share_to_families": 0.62, "cost_per_family_month": 140.0, "_org": TOTAL}]
    assert charts.costs_headline(rows, "USD") == (
        "Of every dollar spent, 62 cents reached families directly. "
        "Everything together cost $140 per family per month."
    )


@pytest.mark.django_db
@freeze_time("2024-07-20 12:00")
def test_capital_figures_add_up_by_program_and_leave_out_families_not_counted():
    org = f.OrganizationFactory(slug="cap", timezone="UTC")
    group = f.GroupFactory(organization=org)
    counted, other = f.FamilyFactory(group=group), f.FamilyFactory(group=group)
    count_for_funders(counted)
    loans = Program.objects.create(organization=org, name="Loans", kind=ProgramKind.BUSINESS_LOAN)
    fund = Program.objects.create(
        organization=org, name="Group fund", kind=ProgramKind.GROUP_FUND, subject="group"
    )
    loan = Loan.objects.create(
        organization=org,
        program=loans,
        family=counted,
        principal=Decimal("1200"),
        term_months=12,
        start_on=dt.date(2024, 1, 1),
    )
    Repayment.objects.create(
        organization=org, loan=loan, amount=Decimal("300"), paid_on=dt.date(2024, 4, 1)
    )
    Loan.objects.create(
        organization=org,
        program=loans,
        family=other,
        principal=Decimal("5000"),
        term_months=12,
        start_on=dt.date(2024, 1, 1),
    )
    Disbursement.objects.create(
        organization=org,
        program=fund,
        group=group,
        amount=Decimal("800"),
        due_on=dt.date(2024, 6, 1),
        status=DisbursementStatus.PAID,
        paid_on=dt.date(2024, 6, 2),
    )
    rows = {r["program"] or "all": r for r in capital_figures(organizations=[org])}
    assert rows["Loans"]["families"] == 1  # the family not counted is left out
    assert rows["Loans"]["committed"] == rows["Loans"]["paid"] == 1200.0
    assert rows["Loans"]["repaid"] == 300.0
    assert rows["Loans"]["arrears"] == 300.0  # six instalments of 100 due, 300 repaid
    assert rows["Group fund"]["families"] == 1  # the group's counted families
    assert rows["all"]["committed"] == 2000.0
    assert rows["all"]["top_committed"] == [1200.0, 800.0]
    assert rows["Loans"]["top_repaid"] == [300.0]  # every money figure names its largest holders
    assert rows["Loans"]["top_arrears"] == [300.0]
    assert rows["all"]["kind"] == "" and rows["Loans"]["kind"] == "Business loan"
