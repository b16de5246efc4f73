"""Writes for the demo seed: organizations, their generated families and journals, accounts.

Idempotent: an organization that already has families keeps them as they are, and accounts,
memberships and the funder are looked up before anything is created.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
from allauth.account.models import EmailAddress
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from tqdm import tqdm

from capital.services import programs_install_defaults
from families.models import Consent, Family, FamilyMember, Group
from fii.models import Funder, Funding, Membership, Organization, Role, User
from journals.models import (
    EntryStatus,
    Goal,
    GoalUpdate,
    HelpExchange,
    JournalEntry,
    Stipend,
)

from . import generator as gen

DEMO_PASSWORD = "fii-demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)
DEFAULT_FAMILIES = 40  # per organization: six groups of five to eight families
DEFAULT_MONTHS = 24
DEFAULT_SEED = 2026
BATCH_SIZE = 1000
CHUNK = 5000  # rows per bulk_create call, so that the progress bar moves

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    timezone: str
    currency: str
    stipend_amount: Decimal
    journal_due_day: int
    staff_name: str
    admin_name: str


DEMO_ORGS: tuple[OrgSpec, ...] = (
    OrgSpec("riverside", "Riverside Family Network", "America/Los_Angeles", "USD",
            Decimal("100.00"), 10, "Marisol Quintero", "Dana Whitcombe"),
    OrgSpec("lakeview", "Lakeview Neighbors Collective", "America/Chicago", "USD",
            Decimal("75.00"), 12, "Terrence Oyelaran", "Ingrid Halvorsen"),
)  # fmt: skip
FUNDER_SLUG, FUNDER_NAME = "bright-futures", "Bright Futures Fund"
FUNDER_EMAIL, FUNDER_USER_NAME = "funder@brightfutures.example", "Avery Castellanos"
FUNDED_SLUGS = ("riverside",)
OPERATOR_EMAIL, OPERATOR_NAME = "operator@fii.example", "Platform Operator"


@dataclass
class AccountRow:
    role: str
    organization: str
    email: str
    password: str
    created: bool


@dataclass
class SeedReport:
    lines: list[str] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)


def seed_demo(
    *,
    families_per_org: int = DEFAULT_FAMILIES,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: bool = True,
) -> SeedReport:
    """Create the demo organizations, their data and one account of every role."""
    now = now or timezone.now()
    periods = gen.month_periods(timezone.localdate(now), months)
    report = SeedReport()
    orgs = {}
    for index, spec in enumerate(DEMO_ORGS):
        rng = np.random.default_rng([seed, index])
        with transaction.atomic():
            org = ensure_organization(spec, report)
            added = programs_install_defaults(organization=org)
            report.lines.append(f"{org.slug}: {added} capital programs with their readiness rules")
            seed_families(org, rng, families_per_org, periods, now, report, progress)
            ensure_org_accounts(org, spec, report)
        orgs[spec.slug] = org
    with transaction.atomic():
        ensure_funder([orgs[slug] for slug in FUNDED_SLUGS], periods[0], report)
        ensure_operator(report)
    return report


# ------------------------------------------------------------------------------------------
# Organizations and their generated data
# ------------------------------------------------------------------------------------------
def ensure_organization(spec: OrgSpec, report: SeedReport) -> Organization:
    """Get or create the organization (its creation installs the indicator catalog)."""
    org, created = Organization.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "timezone": spec.timezone,
            "currency": spec.currency,
            "stipend_amount": spec.stipend_amount,
            "journal_due_day": spec.journal_due_day,
        },
    )
    report.lines.append(f"{org.slug}: organization {'created' if created else 'already there'}")
    return org


def seed_families(
    org: Organization,
    rng: np.random.Generator,
    count: int,
    periods: list[date],
    now: datetime,
    report: SeedReport,
    progress: bool,
) -> None:
    existing = Family.objects.for_org(org).count()
    if existing:
        report.lines.append(f"{org.slug}: {existing} families already there, left as they are")
        return
    setting = gen.Setting(periods=periods, now=now, tz=org.tz, due_day=org.journal_due_day)
    cohort = gen.generate_cohort(rng, count, setting)
    counts = write_cohort(org, cohort, progress=progress)
    summary = ", ".join(f"{n} {label}" for label, n in counts.items())
    report.lines.append(f"{org.slug}: created {summary}")


def write_cohort(
    org: Organization, cohort: gen.Cohort, *, progress: bool = False
) -> dict[str, int]:
    """Write a generated cohort in bulk; return how many rows of each kind were created."""
    with progress_bar(cohort.row_count(), org.slug, progress) as bar:
        groups = bulk(Group, [group_obj(org, g) for g in cohort.groups], bar)
        families = bulk(Family, [family_obj(org, f, groups) for f in cohort.families], bar)
        members = bulk(FamilyMember, [member_obj(org, m, families) for m in cohort.members], bar)
        consents = bulk(Consent, [consent_obj(org, c, families) for c in cohort.consents], bar)
        entries = bulk(JournalEntry, [entry_obj(org, e, families) for e in cohort.entries], bar)
        stipends = bulk(Stipend, list(stipend_objs(org, cohort.entries, entries)), bar)
        goals = bulk(Goal, [goal_obj(org, g, families) for g in cohort.goals], bar)
        updates = bulk(GoalUpdate, list(update_objs(org, cohort.goals, goals)), bar)
        helps = bulk(HelpExchange, [help_obj(org, h, families) for h in cohort.help], bar)
    return {
        "groups": len(groups),
        "families": len(families),
        "members": len(members),
        "consents": len(consents),
        "journal entries": len(entries),
        "stipends": len(stipends),
        "goals": len(goals),
        "goal updates": len(updates),
        "help exchanges": len(helps),
    }


@contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator[tqdm[Any]]:
    """A bar on stderr; hidden when stderr is not a terminal or when disabled."""
    bar: tqdm[Any] = tqdm(
        total=total, desc=label, unit=" rows", file=sys.stderr, disable=None if enabled else True
    )
    try:
        yield bar
    finally:
        bar.close()


def bulk(model: type[M], objs: Sequence[M], bar: tqdm[Any]) -> list[M]:
    """bulk_create in chunks; the objects come back with their primary keys set."""
    out: list[M] = []
    for start in range(0, len(objs), CHUNK):
        chunk = objs[start : start + CHUNK]
        out.extend(model._default_manager.bulk_create(chunk, batch_size=BATCH_SIZE))
        bar.update(len(chunk))
    if out and out[-1].pk is None:
        raise RuntimeError("The database did not return primary keys from bulk_create.")
    return out


def group_obj(org: Organization, row: gen.GroupRow) -> Group:
    return Group(organization=org, name=row.name, started_on=row.started_on)


def family_obj(org: Organization, row: gen.FamilyRow, groups: list[Group]) -> Family:
    return Family(
        organization=org,
        name=row.name,
        group=groups[row.group] if row.group is not None else None,
        joined_on=row.joined_on,
        household_size=row.household_size,
        baseline_monthly_income=row.baseline_monthly_income,
        baseline_savings=row.baseline_savings,
        baseline_debt=row.baseline_debt,
    )


def member_obj(org: Organization, row: gen.MemberRow, families: list[Family]) -> FamilyMember:
    return FamilyMember(
        organization=org,
        family=families[row.family],
        first_name=row.first_name,
        is_adult=row.is_adult,
        birth_year=row.birth_year,
        school=row.school,
    )


def consent_obj(org: Organization, row: gen.ConsentRow, families: list[Family]) -> Consent:
    return Consent(
        organization=org,
        family=families[row.family],
        kind=row.kind,
        granted_at=row.granted_at,
        revoked_at=row.revoked_at,
    )


def entry_obj(org: Organization, row: gen.EntryRow, families: list[Family]) -> JournalEntry:
    return JournalEntry(
        organization=org,
        family=families[row.family],
        period=row.period,
        status=row.status,
        submitted_at=row.submitted_at,
        **row.values,
    )


def stipend_objs(
    org: Organization, rows: list[gen.EntryRow], entries: list[JournalEntry]
) -> Iterator[Stipend]:
    """A stipend for every journal submitted by its due day (none if the amount is zero)."""
    if org.stipend_amount <= 0:
        return
    for row, entry in zip(rows, entries, strict=True):
        if row.stipend is not None:
            yield Stipend(
                organization=org,
                family_id=entry.family_id,
                entry=entry,
                period=row.period,
                amount=org.stipend_amount,
                status=row.stipend.status,
                earned_at=row.stipend.earned_at,
                paid_at=row.stipend.paid_at,
            )


def goal_obj(org: Organization, row: gen.GoalRow, families: list[Family]) -> Goal:
    return Goal(
        organization=org,
        family=families[row.family],
        domain=row.domain,
        title=row.title,
        success_looks_like=row.success_looks_like,
        target_amount=row.target_amount,
        target_date=row.target_date,
        priority=row.priority,
        status=row.status,
        created_at=row.created_at,
        achieved_at=row.achieved_at,
    )


def update_objs(
    org: Organization, rows: list[gen.GoalRow], goals: list[Goal]
) -> Iterator[GoalUpdate]:
    for row, goal in zip(rows, goals, strict=True):
        for update in row.updates:
            yield GoalUpdate(
                organization=org,
                goal=goal,
                period=update.period,
                note=update.note,
                amount_so_far=update.amount_so_far,
                percent_done=update.percent_done,
                created_at=update.created_at,
            )


def help_obj(org: Organization, row: gen.HelpRow, families: list[Family]) -> HelpExchange:
    def family(index: int | None) -> Family | None:
        return families[index] if index is not None else None

    return HelpExchange(
        organization=org,
        period=row.period,
        giver=family(row.giver),
        receiver=family(row.receiver),
        recorded_by=families[row.recorded_by],
        kind=row.kind,
        hours=row.hours,
        amount=row.amount,
        note=row.note,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
    )


# ------------------------------------------------------------------------------------------
# Accounts
# ------------------------------------------------------------------------------------------
def ensure_user(email: str, name: str, **flags: bool) -> tuple[User, bool]:
    """Get the user by e-mail or create it with the demo password and a verified address."""
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, name=name, **flags)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def record_account(report: SeedReport, role: str, org: str, user: User, created: bool) -> None:
    password = DEMO_PASSWORD if created or user.check_password(DEMO_PASSWORD) else "(changed)"
    report.accounts.append(AccountRow(role, org, user.email, password, created))


def ensure_membership(
    user: User, org: Organization, role: str, family: Family | None = None
) -> None:
    Membership.objects.get_or_create(
        user=user, organization=org, defaults={"role": role, "family": family}
    )


def ensure_org_accounts(org: Organization, spec: OrgSpec, report: SeedReport) -> None:
    """A family, a staff member and an organization admin."""
    family = demo_family(org)
    if family is not None:
        user, created = ensure_user(f"family@{org.slug}.example", family_user_name(family))
        ensure_membership(user, org, Role.FAMILY, family)
        if created:
            JournalEntry.objects.for_org(org).filter(
                family=family, status=EntryStatus.SUBMITTED, submitted_by__isnull=True
            ).update(submitted_by=user)
        record_account(report, Role.FAMILY, org.slug, user, created)
    for role, name in ((Role.STAFF, spec.staff_name), (Role.ORG_ADMIN, spec.admin_name)):
        local = "admin" if role == Role.ORG_ADMIN else "staff"
        user, created = ensure_user(f"{local}@{org.slug}.example", name)
        ensure_membership(user, org, role)
        record_account(report, role, org.slug, user, created)


def demo_family(org: Organization) -> Family | None:
    """The family that the family account speaks for: the one in a group that reported most."""
    bound = Membership.objects.for_org(org).filter(user__email=f"family@{org.slug}.example")
    current = Family.objects.for_org(org).filter(memberships__in=bound).first()
    if current is not None:
        return current
    submitted = Count("journal_entries", filter=Q(journal_entries__status=EntryStatus.SUBMITTED))
    return (
        Family.objects.for_org(org)
        .filter(group__isnull=False)
        .annotate(submitted=submitted)
        .order_by("-submitted", "pk")
        .first()
    )


def family_user_name(family: Family) -> str:
    """The first adult's first name and the household's surname."""
    adult = FamilyMember.objects.for_org(family.organization).filter(family=family, is_adult=True)
    first = adult.order_by("pk").values_list("first_name", flat=True).first()
    surname = household_surname(family.name)
    return f"{first} {surname}" if first else family.name


def household_surname(name: str) -> str:
    """'The Ramirez household' -> 'Ramirez'; 'Familia Ramírez Soto' -> 'Ramírez Soto'."""
    for prefix in ("The ", "Familia "):
        name = name.removeprefix(prefix)
    for suffix in (" household", " family"):
        name = name.removesuffix(suffix)
    return name.strip()


def ensure_funder(orgs: list[Organization], since: date, report: SeedReport) -> None:
    funder, created = Funder.objects.get_or_create(slug=FUNDER_SLUG, defaults={"name": FUNDER_NAME})
    report.lines.append(f"funder {funder.slug}: {'created' if created else 'already there'}")
    user, user_created = ensure_user(FUNDER_EMAIL, FUNDER_USER_NAME)
    funder.members.add(user)
    for org in orgs:
        Funding.objects.get_or_create(funder=funder, organization=org, defaults={"since": since})
    funded = ", ".join(org.slug for org in orgs)
    record_account(report, "funder", f"{funder.slug} (funds {funded})", user, user_created)


def ensure_operator(report: SeedReport) -> None:
    user, created = ensure_user(OPERATOR_EMAIL, OPERATOR_NAME, is_staff=True, is_superuser=True)
    record_account(report, "operator", "(platform: Django admin)", user, created)
