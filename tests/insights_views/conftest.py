"""Worlds for the funder pages: demo organizations with capital and a nightly run, a small one."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from capital.models import (
    CostCategory,
    Disbursement,
    DisbursementStatus,
    Loan,
    Program,
    ProgramCost,
    ProgramKind,
    Repayment,
)
from families.models import ConsentKind, Family, FamilyMember, Group
from fii.models import Funder, Organization, User
from insights.pipeline import aggregate_organization
from journals.models import Goal, GoalUpdate, HelpExchange, JournalEntry
from journals.periods import add_months, month_start
from tests import factories as f

FAMILY_MARKER = "FAMTEXT-9c1d"


def count_for_funders(*families: Family) -> None:
    """Give families the consent that lets them be counted in reports to funders."""
    for family in families:
        f.ConsentFactory(family=family, kind=ConsentKind.AGGREGATE_REPORTING)


def plant_marker(organization: Organization, marker: str = FAMILY_MARKER) -> None:
    """Append a marker to every free-text field about the organization's families."""
    tail = Value(f" {marker}")
    Family.objects.for_org(organization).update(name=Concat("name", tail))
    Group.objects.for_org(organization).update(name=Concat("name", tail))
    FamilyMember.objects.for_org(organization).update(
        first_name=Concat("first_name", tail), school=Concat("school", tail)
    )
    Goal.objects.for_org(organization).update(
        title=Concat("title", tail), success_looks_like=Concat("success_looks_like", tail)
    )
    GoalUpdate.objects.for_org(organization).update(note=Concat("note", tail))
    HelpExchange.objects.for_org(organization).update(note=Concat("note", tail))


def add_capital(organization: Organization, families: list[Family]) -> None:
    """Give the organization two programs, payments, loans with repayments and arrears, costs."""
    today = organization.today()
    grants = Program.objects.create(
        organization=organization,
        name="Seed grants",
        kind=ProgramKind.GRANT,
        budget=Decimal("50000"),
    )
    loans = Program.objects.create(
        organization=organization,
        name="Small business loans",
        kind=ProgramKind.BUSINESS_LOAN,
        budget=Decimal("80000"),
    )
    for i, family in enumerate(families[:24]):
        paid = i % 3 != 0
        Disbursement.objects.create(
            organization=organization,
            program=grants,
            family=family,
            amount=Decimal("400") + 10 * i,
            due_on=today - dt.timedelta(days=30),
            status=DisbursementStatus.PAID if paid else DisbursementStatus.SCHEDULED,
            paid_on=today - dt.timedelta(days=20) if paid else None,
        )
    for i, family in enumerate(families[:14]):
        loan = Loan.objects.create(
            organization=organization,
            program=loans,
            family=family,
            principal=Decimal("1200") + 50 * i,
            term_months=12,
            start_on=add_months(month_start(today), -6),
        )
        if i % 4:
            Repayment.objects.create(
                organization=organization, loan=loan, amount=Decimal("300"), paid_on=today
            )
    month = add_months(month_start(today), -1)
    ProgramCost.objects.create(
        organization=organization, program=None, month=month, category=CostCategory.STAFF,
        amount=Decimal("9000"),
    )  # fmt: skip
    ProgramCost.objects.create(
        organization=organization, program=grants, month=month, category=CostCategory.OTHER,
        amount=Decimal("1500"),
    )  # fmt: skip


def run_nightly(organization: Organization) -> None:
    aggregate_organization(organization_id=organization.pk, as_of=timezone.localdate())


@dataclass
class DemoWorld:
    funder: Funder
    funder_user: User
    big: list[Organization]
    small: Organization
    outsider: Organization


def small_organization(funder: Funder, slug: str, families: int) -> Organization:
    org = f.OrganizationFactory(slug=slug, name=f"Small {slug}", timezone="UTC")
    f.FundingFactory(funder=funder, organization=org)
    group = f.GroupFactory(organization=org, name=f"Tiny group {slug}")
    members = [
        f.FamilyFactory(group=group, name=f"Tiny family {slug} {n}") for n in range(families)
    ]
    count_for_funders(*members)
    for family in members:
        f.JournalEntryFactory(family=family, period=dt.date(2024, 6, 1))
    return org


@pytest.fixture
def demo_world(db) -> DemoWorld:  # type: ignore[no-untyped-def]
    """Both demo organizations funded by the demo funder, with capital, and a small one."""
    call_command("seed_demo", families=40, months=12, stdout=io.StringIO(), stderr=io.StringIO())
    funder = Funder.objects.get(slug="bright-futures")
    big = list(Organization.objects.filter(slug__in=["riverside", "lakeview"]).order_by("slug"))
    for org in big:
        if not funder.organizations.filter(pk=org.pk).exists():
            f.FundingFactory(funder=funder, organization=org)
        families = list(Family.objects.for_org(org).order_by("pk"))
        add_capital(org, families)
        run_nightly(org)
        plant_marker(org)
    small = small_organization(funder, "tiny", 6)
    plant_marker(small)
    outsider = small_organization(f.FunderFactory(slug="other-funder"), "elsewhere", 30)
    return DemoWorld(funder, funder.members.get(), big, small, outsider)


def all_family_names() -> list[str]:
    return list(Family.objects.values_list("name", flat=True))


def all_entries() -> int:
    return JournalEntry.objects.count()
