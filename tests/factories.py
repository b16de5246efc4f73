"""factory_boy factories; every related object stays inside one organization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from capital.models import (
    Disbursement,
    Flag,
    Loan,
    Program,
    ProgramCost,
    ProgramKind,
    ReadinessRule,
    Repayment,
    Review,
)
from families.models import (
    Consent,
    ConsentKind,
    Family,
    FamilyMember,
    Group,
    ImportJob,
    Invitation,
)
from fii.models import Funder, Funding, Membership, Organization, Role, User
from insights.models import Story
from journals.models import (
    EntryStatus,
    Goal,
    GoalUpdate,
    HelpExchange,
    HelpKind,
    Indicator,
    JournalEntry,
    Stipend,
)
from tests.data import PASSWORD


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    timezone = "America/Los_Angeles"
    stipend_amount = 100


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    started_on = dt.date(2024, 1, 1)


class FamilyFactory(DjangoModelFactory):
    class Meta:
        model = Family

    group = factory.SubFactory(GroupFactory)
    organization = factory.SelfAttribute("group.organization")
    name = factory.Sequence(lambda n: f"Household {n}")
    joined_on = dt.date(2024, 1, 1)
    household_size = 3
    baseline_monthly_income = 2200.0


class FamilyMemberFactory(DjangoModelFactory):
    class Meta:
        model = FamilyMember

    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    first_name = factory.Faker("first_name")
    birth_year = 1990


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.STAFF


class FamilyMembershipFactory(MembershipFactory):
    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    role = Role.FAMILY


class JournalEntryFactory(DjangoModelFactory):
    class Meta:
        model = JournalEntry

    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    period = dt.date(2024, 6, 1)
    status = EntryStatus.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: dt.datetime(2024, 7, 3, 12, tzinfo=dt.UTC))
    income_wages = 2100.0
    savings_balance = 300.0
    debt_total = 4000.0


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    domain = "savings"
    title = factory.Sequence(lambda n: f"Save for goal {n}")


class GoalUpdateFactory(DjangoModelFactory):
    class Meta:
        model = GoalUpdate

    goal = factory.SubFactory(GoalFactory)
    organization = factory.SelfAttribute("goal.organization")
    note = "A step forward"


class HelpExchangeFactory(DjangoModelFactory):
    class Meta:
        model = HelpExchange

    giver = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("giver.organization")
    receiver = factory.SubFactory(
        FamilyFactory,
        group=factory.SelfAttribute("..giver.group"),
        organization=factory.SelfAttribute("..organization"),
    )
    recorded_by = factory.SelfAttribute("giver")
    period = dt.date(2024, 6, 1)
    kind = HelpKind.CHILDCARE
    hours = 4.0


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    kind = ConsentKind.PARTICIPATION


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.STAFF


class StipendFactory(DjangoModelFactory):
    class Meta:
        model = Stipend

    entry = factory.SubFactory(JournalEntryFactory)
    family = factory.SelfAttribute("entry.family")
    organization = factory.SelfAttribute("entry.organization")
    period = factory.SelfAttribute("entry.period")
    amount = 100


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"funder-{n}")
    name = factory.Sequence(lambda n: f"Funder {n}")


class FundingFactory(DjangoModelFactory):
    class Meta:
        model = Funding

    funder = factory.SubFactory(FunderFactory)
    organization = factory.SubFactory(OrganizationFactory)


# Staff console: the catalog, stories and imports.
class IndicatorFactory(DjangoModelFactory):
    """A custom indicator (no column): its answers live in JournalEntry.extra."""

    class Meta:
        model = Indicator

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"custom_{n}")
    domain = "network"
    kind = "count"
    label_en = factory.Sequence(lambda n: f"Custom indicator {n}")
    label_es = factory.Sequence(lambda n: f"Indicador propio {n}")
    min_value = 0
    max_value = 100


class StoryFactory(DjangoModelFactory):
    class Meta:
        model = Story

    family = factory.SubFactory(FamilyFactory)
    organization = factory.SelfAttribute("family.organization")
    invited_at = factory.LazyFunction(lambda: dt.datetime(2024, 8, 1, 12, tzinfo=dt.UTC))
    body = "How we did it"


class ImportJobFactory(DjangoModelFactory):
    class Meta:
        model = ImportJob

    organization = factory.SubFactory(OrganizationFactory)
    families_filename = "families.csv"
    families_csv = "household_name,group_name,joined_on,household_size,baseline_income\n"
    status = "rejected"


# --- capital -------------------------------------------------------------------------------------


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    kind = ProgramKind.GRANT
    subject = "family"
    budget = Decimal("10000")
    currency = "USD"


class ReadinessRuleFactory(DjangoModelFactory):
    class Meta:
        model = ReadinessRule

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    metric = "months_reported"
    operator = ">="
    threshold = 6.0


def evidence(label: str = "Months reported: at least 6") -> list[dict[str, object]]:
    """Return a flag's evidence: one criterion, met."""
    return [
        {
            "metric": "months_reported",
            "label": label,
            "operator": ">=",
            "threshold": 6.0,
            "value": 9.0,
            "met": True,
        }
    ]


class FlagFactory(DjangoModelFactory):
    """A family's open flag; pass `group=` and `family=None` for a group program's flag."""

    class Meta:
        model = Flag

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    family = factory.SubFactory(
        FamilyFactory, organization=factory.SelfAttribute("..organization"), group=None
    )
    score = 75.0
    evidence = factory.LazyFunction(lambda: evidence())


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    flag = factory.SubFactory(FlagFactory)
    organization = factory.SelfAttribute("flag.organization")
    decision = "ask_info"
    note = "Which school is it for?"


class DisbursementFactory(DjangoModelFactory):
    class Meta:
        model = Disbursement

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    family = factory.SubFactory(
        FamilyFactory, organization=factory.SelfAttribute("..organization"), group=None
    )
    amount = Decimal("500")
    due_on = dt.date(2024, 7, 1)


class LoanFactory(DjangoModelFactory):
    class Meta:
        model = Loan

    program = factory.SubFactory(ProgramFactory, kind=ProgramKind.BUSINESS_LOAN)
    organization = factory.SelfAttribute("program.organization")
    family = factory.SubFactory(
        FamilyFactory, organization=factory.SelfAttribute("..organization"), group=None
    )
    principal = Decimal("1200")
    term_months = 12
    start_on = dt.date(2024, 6, 1)


class RepaymentFactory(DjangoModelFactory):
    class Meta:
        model = Repayment

    loan = factory.SubFactory(LoanFactory)
    organization = factory.SelfAttribute("loan.organization")
    amount = Decimal("100")
    paid_on = dt.date(2024, 7, 1)


class ProgramCostFactory(DjangoModelFactory):
    class Meta:
        model = ProgramCost

    organization = factory.SubFactory(OrganizationFactory)
    month = dt.date(2024, 6, 1)
    category = "staff"
    amount = Decimal("1000")
