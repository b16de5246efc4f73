"""factory_boy factories; every related object stays inside one organization."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from families.models import Consent, ConsentKind, Family, FamilyMember, Group, Invitation
from fii.models import Funder, Funding, Membership, Organization, Role, User
from journals.models import (
    EntryStatus,
    Goal,
    GoalUpdate,
    HelpExchange,
    HelpKind,
    JournalEntry,
    Stipend,
)

PASSWORD = "a-long-test-password-42"


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
