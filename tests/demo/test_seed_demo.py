"""manage.py seed_demo: organizations, families, journals and accounts that make a believable demo."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, ForeignKey, Model
from django.utils import timezone

from demo import generator as gen
from demo.services import DEMO_PASSWORD
from families.models import Consent, ConsentKind, Family, FamilyMember, Group
from families.poverty import poverty_line_monthly
from fii.models import Funder, Funding, Membership, Organization, Role, User
from journals.catalog import BUILTIN_CODES, INCOME_COLUMNS
from journals.models import (
    EntryStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    HelpExchange,
    HelpKind,
    JournalEntry,
    Stipend,
    StipendStatus,
)
from journals.periods import add_months, due_date

pytestmark = pytest.mark.django_db

ORG_ACCOUNTS = {
    "riverside": {
        "family@riverside.example": Role.FAMILY,
        "staff@riverside.example": Role.STAFF,
        "admin@riverside.example": Role.ORG_ADMIN,
    },
    "lakeview": {
        "family@lakeview.example": Role.FAMILY,
        "staff@lakeview.example": Role.STAFF,
        "admin@lakeview.example": Role.ORG_ADMIN,
    },
}
FUNDER_EMAIL = "funder@brightfutures.example"
OPERATOR_EMAIL = "operator@fii.example"


@pytest.fixture(autouse=True)
def fast_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(families: int = 14, months: int = 6, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        families=families,
        months=months,
        seed=seed,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def income(entry: JournalEntry) -> float:
    return sum(getattr(entry, c) or 0 for c in INCOME_COLUMNS)


def migrated_models() -> list[type[Model]]:
    """Every installed model whose table exists (a model still without migration is skipped)."""
    tables = set(connection.introspection.table_names())
    return [m for m in apps.get_models() if m._meta.db_table in tables]


def model_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in migrated_models()}


# ------------------------------------------------------------------------------------------
# Organizations, groups, families
# ------------------------------------------------------------------------------------------
def test_two_organizations_with_their_settings() -> None:
    seed()
    riverside = Organization.objects.get(slug="riverside")
    lakeview = Organization.objects.get(slug="lakeview")
    assert riverside.name == "Riverside Family Network"
    assert (riverside.timezone, riverside.currency) == ("America/Los_Angeles", "USD")
    assert str(riverside.stipend_amount) == "100.00"
    assert riverside.journal_due_day == 10
    assert lakeview.name == "Lakeview Neighbors Collective"
    assert (lakeview.timezone, lakeview.currency) == ("America/Chicago", "USD")
    assert str(lakeview.stipend_amount) == "75.00"
    # The signal on Organization installed the indicator catalog.
    for org in (riverside, lakeview):
        codes = set(org_indicator_codes(org))
        assert set(BUILTIN_CODES) <= codes


def org_indicator_codes(org: Organization) -> list[str]:
    from journals.models import Indicator

    return list(Indicator.objects.for_org(org).values_list("code", flat=True))


def test_families_per_organization_in_groups_of_five_to_eight() -> None:
    seed(families=14)
    for org in Organization.objects.all():
        assert Family.objects.for_org(org).count() == 14
        assert not Family.objects.for_org(org).filter(group__isnull=True).exists()
        sizes = [g.families.count() for g in Group.objects.for_org(org)]
        assert len(sizes) == 2
        assert all(5 <= s <= 8 for s in sizes), sizes
        assert sum(sizes) == 14


def test_default_gives_at_least_six_groups_per_organization() -> None:
    out = io.StringIO()
    call_command("seed_demo", months=2, stdout=out, stderr=io.StringIO())
    for org in Organization.objects.all():
        groups = Group.objects.for_org(org)
        assert groups.count() >= 6
        assert all(5 <= g.families.count() <= 8 for g in groups)


@pytest.mark.parametrize("n", [5, 8, 10, 13, 14, 40, 41, 100, 1000, 2001])
def test_group_sizes_split_every_family_into_groups_of_five_to_eight(n: int) -> None:
    sizes = gen.group_sizes(np.random.default_rng(1), n)
    assert sum(sizes) == n
    assert all(5 <= s <= 8 for s in sizes)


def test_group_sizes_leave_a_family_out_only_when_no_split_exists() -> None:
    assert gen.group_sizes(np.random.default_rng(1), 9) == [8]
    assert gen.group_sizes(np.random.default_rng(1), 4) == []


def test_households_and_members_are_believable() -> None:
    seed()
    families = list(Family.objects.all())
    sizes = Counter(f.household_size for f in families)
    assert set(sizes) <= set(range(1, 8))
    assert sum(sizes[s] for s in range(2, 6)) / len(families) >= 0.6
    year = timezone.localdate().year
    for family in families:
        members = list(FamilyMember.objects.filter(family=family))
        assert len(members) == family.household_size
        assert any(m.is_adult for m in members)
        assert all(m.first_name for m in members)
        for m in members:
            assert m.birth_year is not None
            age = year - m.birth_year
            assert (age >= 18) if m.is_adult else (0 <= age <= 17)
            if not m.is_adult and 5 <= age <= 17:
                assert m.school
    names = Family.objects.filter(organization__slug="riverside").values_list("name", flat=True)
    assert len(set(names)) == len(names)


# ------------------------------------------------------------------------------------------
# Journals
# ------------------------------------------------------------------------------------------
def test_journals_are_monthly_unique_and_end_last_month() -> None:
    seed(months=6)
    entries = list(JournalEntry.objects.all())
    keys = [(e.family_id, e.period) for e in entries]
    assert len(keys) == len(set(keys))
    last = add_months(timezone.localdate().replace(day=1), -1)
    periods = {e.period for e in entries}
    assert periods == {add_months(last, -k) for k in range(6)}
    for family in Family.objects.all():
        first = JournalEntry.objects.filter(family=family).order_by("period").first()
        assert first is not None
        assert first.period == add_months(last, -5)
        assert family.joined_on <= first.period
        assert first.period - family.joined_on < timedelta(days=40)


def test_submitted_entries_have_a_time_after_their_month_and_not_in_the_future() -> None:
    seed(months=6)
    now = timezone.now()
    submitted = JournalEntry.objects.filter(status=EntryStatus.SUBMITTED)
    assert submitted.count() > 0.8 * JournalEntry.objects.count()
    for entry in submitted.select_related("organization"):
        assert entry.submitted_at is not None
        month_end = datetime.combine(add_months(entry.period, 1), datetime.min.time())
        assert entry.submitted_at >= month_end.replace(tzinfo=ZoneInfo(entry.organization.timezone))
        assert entry.submitted_at <= now
    assert not JournalEntry.objects.filter(
        status=EntryStatus.DRAFT, submitted_at__isnull=False
    ).exists()


def test_some_months_are_missing_and_a_few_recent_ones_are_drafts() -> None:
    seed(families=40, months=24)
    families = Family.objects.count()
    entries = JournalEntry.objects.count()
    missing = 1 - entries / (families * 24)
    assert 0.03 <= missing <= 0.12, missing
    drafts = JournalEntry.objects.filter(status=EntryStatus.DRAFT)
    assert 0 < drafts.count() <= 0.2 * families
    oldest_draft = min(drafts.values_list("period", flat=True))
    assert oldest_draft >= add_months(timezone.localdate().replace(day=1), -2)


def test_income_columns_add_up_and_every_builtin_column_is_filled() -> None:
    seed()
    for entry in JournalEntry.objects.filter(status=EntryStatus.SUBMITTED):
        assert entry.total_income == pytest.approx(income(entry))
        for code in BUILTIN_CODES:
            if code != "education_school_going":
                assert getattr(entry, code) is not None, code
        assert entry.debt_overdue_bills in (0.0, 1.0)
        assert entry.health_rating is not None and 1 <= entry.health_rating <= 5
        assert entry.savings_balance is not None and entry.savings_balance >= 0


def test_starting_incomes_are_near_the_poverty_line() -> None:
    seed(families=40, months=3)
    ratios = []
    for family in Family.objects.all():
        first = JournalEntry.objects.filter(family=family).order_by("period").first()
        assert first is not None
        assert family.baseline_monthly_income == pytest.approx(income(first))
        assert family.baseline_savings == first.savings_balance
        assert family.baseline_debt == first.debt_total
        ratios.append(family.baseline_monthly_income / poverty_line_monthly(family.household_size))
    assert all(0.6 <= r <= 1.4 for r in ratios), ratios
    assert 0.9 <= sum(ratios) / len(ratios) <= 1.1


def test_most_families_improve_and_a_few_outpace_their_peers() -> None:
    seed(families=40, months=24)
    growth = []
    for family in Family.objects.all():
        entries = JournalEntry.objects.filter(family=family, status=EntryStatus.SUBMITTED)
        first, last = entries.order_by("period").first(), entries.order_by("-period").first()
        assert first is not None and last is not None
        growth.append(income(last) / income(first) - 1)
    improved = sum(g > 0 for g in growth) / len(growth)
    assert improved >= 0.65, improved
    fast = sum(g > 0.25 for g in growth) / len(growth)
    assert 0.02 <= fast <= 0.2, fast
    assert sorted(growth)[len(growth) // 2] < 0.2  # the median family improves slowly


def test_debt_trends_down_and_savings_up_on_average() -> None:
    seed(families=40, months=24)
    by_period: dict[date, list[JournalEntry]] = defaultdict(list)
    for entry in JournalEntry.objects.filter(status=EntryStatus.SUBMITTED):
        by_period[entry.period].append(entry)
    first, last = min(by_period), max(by_period)

    def mean(period: date, column: str) -> float:
        values = [getattr(e, column) for e in by_period[period]]
        return sum(values) / len(values)

    assert mean(last, "debt_total") < mean(first, "debt_total")
    assert mean(last, "savings_balance") > mean(first, "savings_balance")


# ------------------------------------------------------------------------------------------
# Stipends, consent, goals, help
# ------------------------------------------------------------------------------------------
def test_stipends_for_journals_submitted_on_time() -> None:
    seed(months=6)
    stipends = list(Stipend.objects.select_related("entry", "organization"))
    assert stipends
    statuses = Counter(s.status for s in stipends)
    assert statuses[StipendStatus.PAID] and statuses[StipendStatus.EARNED]
    for s in stipends:
        org = s.organization
        assert s.entry.status == EntryStatus.SUBMITTED
        assert (s.family_id, s.period) == (s.entry.family_id, s.entry.period)
        assert s.amount == org.stipend_amount
        assert s.entry.submitted_at is not None
        sent = timezone.localtime(s.entry.submitted_at, org.tz).date()
        assert sent <= due_date(s.period, org.journal_due_day)
        assert (s.paid_at is not None) == (s.status == StipendStatus.PAID)
    late = [
        e
        for e in JournalEntry.objects.filter(status=EntryStatus.SUBMITTED).select_related(
            "organization"
        )
        if e.submitted_at is not None
        and timezone.localtime(e.submitted_at, e.organization.tz).date()
        > due_date(e.period, e.organization.journal_due_day)
    ]
    assert not Stipend.objects.filter(entry__in=late).exists()


def test_every_family_consents_to_participation_and_most_to_reporting() -> None:
    seed(families=40, months=2)
    families = Family.objects.count()
    in_force = Consent.objects.in_force()
    assert in_force.filter(kind=ConsentKind.PARTICIPATION).count() == families
    reporting = in_force.filter(kind=ConsentKind.AGGREGATE_REPORTING).count()
    assert 0.8 * families <= reporting < families
    assert in_force.filter(kind=ConsentKind.STORY_SHARING).exists()


def test_goals_in_the_families_words() -> None:
    seed(families=40, months=12)
    for family in Family.objects.all():
        assert 1 <= Goal.objects.filter(family=family).count() <= 3
    goals = list(Goal.objects.all())
    assert len({g.domain for g in goals}) >= 5
    assert {g.status for g in goals} >= {GoalStatus.ACTIVE, GoalStatus.ACHIEVED}
    for goal in goals:
        assert 1 <= goal.priority <= 5
        assert (goal.achieved_at is not None) == (goal.status == GoalStatus.ACHIEVED)
        assert "{" not in goal.title
        updates = GoalUpdate.objects.filter(goal=goal)
        assert 1 <= updates.count() <= 2
        if goal.status == GoalStatus.ACHIEVED:
            assert updates.filter(percent_done=100).exists()
    assert any(g.target_amount for g in goals)
    assert any(g.title.startswith(("Ahorrar", "Comprar", "Terminar", "Vender")) for g in goals)


def test_help_stays_within_one_group_of_one_organization() -> None:
    seed(families=14, months=6)
    rows = list(HelpExchange.objects.select_related("giver", "receiver", "recorded_by"))
    assert rows
    kinds = set(HelpKind.values)
    for h in rows:
        assert h.kind in kinds
        assert h.hours is not None or h.amount is not None
        assert h.period.day == 1
        sides = [f for f in (h.giver, h.receiver) if f is not None]
        assert sides
        assert h.recorded_by in sides
        assert {f.organization_id for f in sides} == {h.organization_id}
        assert len({f.group_id for f in sides}) == 1
        if h.confirmed_at is not None:
            assert len(sides) == 2
            assert h.confirmed_at >= h.created_at
    assert any(h.receiver_id is None for h in rows)
    confirmed = sum(h.confirmed_at is not None for h in rows) / len(rows)
    assert 0.5 <= confirmed < 1


def test_every_related_row_belongs_to_the_same_organization() -> None:
    seed()
    checked = 0
    for model in migrated_models():
        names = {f.name for f in model._meta.get_fields()}
        if "organization" not in names:
            continue
        for fk in model._meta.get_fields():
            if not isinstance(fk, ForeignKey) or fk.name == "organization":
                continue
            if "organization" not in {f.name for f in fk.related_model._meta.get_fields()}:
                continue
            rows = model._default_manager.filter(**{f"{fk.name}__isnull": False})
            assert not rows.exclude(**{f"{fk.name}__organization": F("organization")}).exists(), (
                f"{model._meta.label}.{fk.name}"
            )
            checked += rows.count()
    assert checked > 500


# ------------------------------------------------------------------------------------------
# Accounts
# ------------------------------------------------------------------------------------------
def test_one_account_of_every_role_per_organization_logs_in() -> None:
    seed()
    for slug, accounts in ORG_ACCOUNTS.items():
        org = Organization.objects.get(slug=slug)
        for email, role in accounts.items():
            user = authenticate(email=email, password=DEMO_PASSWORD)
            assert user is not None, email
            assert user.name and not user.language
            membership = Membership.objects.get(user=user)
            assert (membership.organization, membership.role) == (org, role)
            if role == Role.FAMILY:
                assert membership.family is not None
                assert membership.family.organization == org
                assert JournalEntry.objects.filter(
                    family=membership.family, status=EntryStatus.SUBMITTED
                ).exists()
            else:
                assert membership.family is None
            assert not user.is_staff and not user.is_superuser


def test_family_login_through_the_client(client) -> None:  # type: ignore[no-untyped-def]
    seed()
    assert client.login(email="family@riverside.example", password=DEMO_PASSWORD)
    assert not client.login(email="family@riverside.example", password="wrong-password")


def test_funder_funds_riverside_only_and_operator_is_superuser() -> None:
    seed()
    funder = Funder.objects.get(slug="bright-futures")
    assert funder.name == "Bright Futures Fund"
    assert list(
        Funding.objects.filter(funder=funder).values_list("organization__slug", flat=True)
    ) == ["riverside"]
    funder_user = authenticate(email=FUNDER_EMAIL, password=DEMO_PASSWORD)
    assert funder_user is not None
    assert list(funder.members.all()) == [funder_user]
    assert not Membership.objects.filter(user=funder_user).exists()
    operator = authenticate(email=OPERATOR_EMAIL, password=DEMO_PASSWORD)
    assert operator is not None and operator.is_staff and operator.is_superuser
    assert User.objects.count() == 8


def test_output_lists_every_account_with_the_password() -> None:
    out = seed()
    emails = [e for accounts in ORG_ACCOUNTS.values() for e in accounts]
    for email in [*emails, FUNDER_EMAIL, OPERATOR_EMAIL]:
        line = next(line for line in out.splitlines() if email in line)
        assert DEMO_PASSWORD in line
    assert "created" in out


# ------------------------------------------------------------------------------------------
# Idempotence, determinism, options
# ------------------------------------------------------------------------------------------
def test_running_twice_adds_nothing() -> None:
    seed()
    before = model_counts()
    out = seed()
    assert model_counts() == before
    summary, table = out.split("\nrole")
    assert "created" not in summary
    assert table.count("already there") == 8
    assert "  created" not in table


def test_second_run_restores_missing_accounts_without_touching_families() -> None:
    seed()
    Membership.objects.filter(user__email="staff@lakeview.example").delete()
    Funding.objects.all().delete()
    entries = JournalEntry.objects.count()
    seed(families=20)
    restored = Membership.objects.get(user__email="staff@lakeview.example")
    assert (restored.organization.slug, restored.role) == ("lakeview", Role.STAFF)
    assert Funding.objects.get().organization.slug == "riverside"
    assert JournalEntry.objects.count() == entries
    assert Family.objects.filter(organization__slug="lakeview").count() == 14


def test_same_seed_same_data_and_another_seed_other_data() -> None:
    tz = ZoneInfo("America/Chicago")
    now = datetime(2026, 3, 15, 12, tzinfo=tz)
    setting = gen.Setting(gen.month_periods(now.date(), 6), now, tz, 10)

    def cohort(seed: int) -> gen.Cohort:
        return gen.generate_cohort(np.random.default_rng(seed), 20, setting)

    a, b, c = cohort(1), cohort(1), cohort(2)
    assert a == b
    assert [f.name for f in a.families] != [f.name for f in c.families]
    assert setting.periods[-1] == date(2026, 2, 1)
    assert all(e.submitted_at is None or e.submitted_at <= now for e in a.entries)
    assert set(a.entries[0].values) == set(BUILTIN_CODES)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"families": 4}, "--families"), ({"months": 0}, "--months")],
)
def test_rejects_impossible_options(options: dict[str, int], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", stdout=io.StringIO(), **options)
    assert not Organization.objects.exists()


def test_poverty_line_follows_the_2025_guidelines() -> None:
    assert poverty_line_monthly(1) == pytest.approx(15_650 / 12)
    assert poverty_line_monthly(4) == pytest.approx((15_650 + 3 * 5_500) / 12)
    with pytest.raises(ValueError, match="at least one"):
        poverty_line_monthly(0)
