"""Personas: a family, a staff member and an org admin of organization A, the same of B,
and a funder of A only (and one of B only, the outsider for A's funder pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from families.models import ErasureRequest, ErasureStatus
from fii.models import Funder, Membership, Organization, Role, User

from . import factories as f


@dataclass
class World:
    """One organization with one of everything, and its people."""

    org: Organization
    family_user: User
    staff_user: User
    admin_user: User
    funder: Funder
    funder_user: User
    objects: dict[str, object]


def build_world(slug: str, text: str = "") -> World:
    """Create an organization with a group, two families, journals, goals, help and people.

    `text` is planted in every free-text field so a test can look for it in responses.
    """
    org = f.OrganizationFactory(slug=slug, name=f"{slug.title()} Org {text}")
    group = f.GroupFactory(organization=org, name=f"Group {slug} {text}")
    family = f.FamilyFactory(group=group, name=f"Family {slug} {text}")
    neighbour = f.FamilyFactory(group=group, name=f"Neighbour {slug} {text}")
    member = f.FamilyMemberFactory(family=family, first_name=f"Ana{text}")
    entry = f.JournalEntryFactory(family=family, period=dt.date(2024, 6, 1))
    goal = f.GoalFactory(family=family, title=f"Open a shop {text}", success_looks_like=f"{text}")
    update = f.GoalUpdateFactory(goal=goal, note=f"First sale {text}")
    help_row = f.HelpExchangeFactory(giver=family, receiver=neighbour, note=f"Rides {text}")
    consent = f.ConsentFactory(family=family)
    invitation = f.InvitationFactory(organization=org, email=f"new-{slug}@example.org")
    stipend = f.StipendFactory(entry=entry)
    family_user = f.UserFactory(email=f"family@{slug}.example", name=f"Family person {text}")
    f.MembershipFactory(user=family_user, organization=org, role=Role.FAMILY, family=family)
    staff_user = f.UserFactory(email=f"staff@{slug}.example")
    f.MembershipFactory(user=staff_user, organization=org, role=Role.STAFF)
    admin_user = f.UserFactory(email=f"admin@{slug}.example")
    f.MembershipFactory(user=admin_user, organization=org, role=Role.ORG_ADMIN)
    funder = f.FunderFactory(slug=f"funder-of-{slug}", name=f"Funder of {slug}")
    f.FundingFactory(funder=funder, organization=org)
    funder_user = f.UserFactory(email=f"funder@{slug}.example")
    funder.members.add(funder_user)
    objects = {
        "group": group,
        "family": family,
        "neighbour": neighbour,
        "member": member,
        "entry": entry,
        "goal": goal,
        "goal_update": update,
        "help": help_row,
        "consent": consent,
        "invitation": invitation,
        "stipend": stipend,
    }
    # Staff console objects (roster, catalog, stories, imports).
    objects["membership"] = Membership.objects.get(user=staff_user, organization=org)
    objects["indicator"] = f.IndicatorFactory(organization=org, label_en=f"Garden {text}")
    objects["story"] = f.StoryFactory(family=family, body=f"Our story {text}")
    objects["import_job"] = f.ImportJobFactory(
        organization=org,
        families_filename=f"families-{slug}.csv",
        report={"problems": [{"file": "families", "row": 2, "column": "", "message": text}]},
    )
    # Capital: an inactive program (the nightly run leaves it alone) with a rule, a flag
    # waiting for the family's answer, and its ledger.
    program = f.ProgramFactory(
        organization=org, name=f"Program {slug} {text}", kind="business_loan", active=False
    )
    objects["program"] = program
    objects["rule"] = f.ReadinessRuleFactory(program=program, label_en=f"Rule {text}")
    flag = f.FlagFactory(
        program=program, family=family, status="asked", evidence=f.evidence(f"Evidence {text}")
    )
    objects["flag"] = flag
    f.ReviewFactory(flag=flag, note=f"Question {text}")
    objects["disbursement"] = f.DisbursementFactory(program=program, family=family, flag=flag)
    objects["loan"] = f.LoanFactory(program=program, family=family, flag=flag)
    f.RepaymentFactory(loan=objects["loan"])
    objects["cost"] = f.ProgramCostFactory(organization=org, program=program, note=f"Cost {text}")
    # An earlier request to be forgotten, declined with a reason (free text the family reads).
    objects["erasure"] = ErasureRequest.objects.create(
        organization=org,
        family=family,
        requested_by=family_user,
        status=ErasureStatus.DECLINED,
        decided_by=admin_user,
        decided_at=dt.datetime(2024, 7, 1, 12, tzinfo=dt.UTC),
        decline_reason=f"A loan is still open {text}",
    )
    return World(org, family_user, staff_user, admin_user, funder, funder_user, objects)


@pytest.fixture
def world_a(db) -> World:  # type: ignore[no-untyped-def]
    return build_world("alpha", text="MARKER-A-7f3e")


@pytest.fixture
def world_b(db) -> World:  # type: ignore[no-untyped-def]
    return build_world("beta")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    return client_for


def membership(user: User, org: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=org)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    # Hashing strength is not under test here; PBKDF2 would make every persona cost 0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    # A request in Spanish leaves the thread in Spanish (as Django's LocaleMiddleware does): each
    # test starts in the default language, whatever the test before it asked for.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    # Each test starts with nothing counted: rate limits, refusals already audited.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _second_factor_off(settings):  # type: ignore[no-untyped-def]
    # Most tests are about something else; tests/fii/test_mfa.py switches it back on.
    settings.REQUIRE_MFA = False
