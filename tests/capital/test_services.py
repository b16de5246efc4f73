"""Programs, rules and the nightly flags: open, refresh, expire, and what the database refuses."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from capital.models import (
    Disbursement,
    DisbursementStatus,
    Flag,
    FlagStatus,
    Loan,
    Program,
    ProgramCost,
    ProgramKind,
    ReadinessRule,
)
from capital.services import DEFAULT_PROGRAMS, flags_refresh, programs_install_defaults
from insights.deviance import DEVIANCE_COLUMNS
from insights.features import FAMILY_COLUMNS, GROUP_COLUMNS
from insights.models import AggregationRun, RunStatus
from tests import factories as f

# The shared worlds carry a capital ledger; these tests count programs and flags from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_world_capital")]


# --- helpers -------------------------------------------------------------------------------------


def make_program(org, *, name="Savings match", subject="family", kind=None, rules=()):  # type: ignore[no-untyped-def]
    kind = kind or (ProgramKind.GROUP_FUND if subject == "group" else ProgramKind.MATCHED_SAVINGS)
    program = Program.objects.create(organization=org, name=name, kind=kind, subject=subject)
    for position, (metric, operator, threshold) in enumerate(rules):
        ReadinessRule.objects.create(
            organization=org,
            program=program,
            metric=metric,
            operator=operator,
            threshold=threshold,
            position=position,
        )
    return program


def family_frame(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    """Return a snapshot frame with every family column, NaN unless given."""
    columns = list(dict.fromkeys(FAMILY_COLUMNS + DEVIANCE_COLUMNS))
    frame = pd.DataFrame(np.nan, index=range(len(rows)), columns=columns, dtype="object")
    frame["family_id"] = list(rows)
    for i, values in enumerate(rows.values()):
        for key, value in values.items():
            frame.loc[i, key] = value
    return frame


def group_frame(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(np.nan, index=range(len(rows)), columns=GROUP_COLUMNS, dtype="object")
    frame["group_id"] = list(rows)
    for i, values in enumerate(rows.values()):
        for key, value in values.items():
            frame.loc[i, key] = value
    return frame


def night(org, n):  # type: ignore[no-untyped-def]
    """Return the organization's succeeded nightly run number ``n``."""
    run, _ = AggregationRun.objects.get_or_create(
        organization=org,
        as_of=dt.date(2025, 1, 1) + dt.timedelta(days=n),
        defaults={"status": RunStatus.SUCCEEDED},
    )
    return run


def refresh(org, families=None, groups=None, run=1):  # type: ignore[no-untyped-def]
    return flags_refresh(
        organization=org,
        run=night(org, run),
        family_frame=family_frame(families or {}),
        group_frame=group_frame(groups or {}),
    )


@pytest.fixture
def savings(world_a):  # type: ignore[no-untyped-def]
    return make_program(
        world_a.org, rules=[("months_reported", ">=", 6), ("savings_rate", ">=", 0.05)]
    )


def ids(world):  # type: ignore[no-untyped-def]
    return world.objects["family"].pk, world.objects["neighbour"].pk


READY = {"months_reported": 9, "savings_rate": 0.08}
NOT_READY = {"months_reported": 9, "savings_rate": 0.01}


# --- opening, refreshing, expiring ----------------------------------------------------------------


def test_it_opens_a_flag_with_evidence_for_a_family_that_meets_every_criterion(world_a, savings):
    family, neighbour = ids(world_a)
    counts = refresh(world_a.org, {family: READY, neighbour: NOT_READY}, run=41)
    assert counts == {"opened": 1, "refreshed": 0, "expired": 0, "in_review": 0}
    flag = Flag.objects.for_org(world_a.org).get()
    assert (flag.program, flag.family_id, flag.group_id) == (savings, family, None)
    assert (flag.status, flag.run, flag.closed_at) == (
        FlagStatus.OPEN,
        night(world_a.org, 41),
        None,
    )
    assert 50 <= flag.score <= 100
    assert [(e["metric"], e["value"], e["met"]) for e in flag.evidence] == [
        ("months_reported", 9.0, True),
        ("savings_rate", 0.08, True),
    ]
    assert flag.evidence[0]["label"] == "Months reported: at least 6"
    assert flag.evidence[1]["label"] == "Share of income saved, last 12 months: at least 5%"


def test_it_refreshes_an_open_flag_that_still_holds(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY}, run=1)
    first = Flag.objects.for_org(world_a.org).get()
    counts = refresh(world_a.org, {family: {"months_reported": 12, "savings_rate": 0.2}}, run=2)
    assert counts == {"opened": 0, "refreshed": 1, "expired": 0, "in_review": 0}
    flag = Flag.objects.for_org(world_a.org).get()
    assert flag.pk == first.pk and flag.opened_at == first.opened_at
    assert flag.run == night(world_a.org, 2)
    assert flag.evidence[0]["value"] == 12.0
    assert flag.score > first.score
    assert flag.refreshed_at >= first.refreshed_at


def test_it_expires_an_open_flag_that_no_longer_holds(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY}, run=1)
    counts = refresh(world_a.org, {family: NOT_READY}, run=2)
    assert counts == {"opened": 0, "refreshed": 0, "expired": 1, "in_review": 0}
    flag = Flag.objects.for_org(world_a.org).get()
    assert flag.status == FlagStatus.EXPIRED and flag.closed_at is not None
    assert flag.run == night(world_a.org, 1)  # the run that last saw it hold


def test_it_expires_the_flag_of_a_family_missing_from_the_snapshots(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY})
    assert refresh(world_a.org, {})["expired"] == 1


def test_a_family_that_qualifies_again_gets_a_new_flag(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY}, run=1)
    refresh(world_a.org, {family: NOT_READY}, run=2)
    refresh(world_a.org, {family: READY}, run=3)
    statuses = sorted(Flag.objects.for_org(world_a.org).values_list("status", flat=True))
    assert statuses == [FlagStatus.EXPIRED, FlagStatus.OPEN]


def test_it_never_expires_or_rewrites_a_flag_in_review(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY}, run=1)
    Flag.objects.for_org(world_a.org).update(status=FlagStatus.IN_REVIEW)
    counts = refresh(world_a.org, {family: NOT_READY}, run=2)
    assert counts == {"opened": 0, "refreshed": 0, "expired": 0, "in_review": 1}
    flag = Flag.objects.for_org(world_a.org).get()
    assert (flag.status, flag.closed_at, flag.run) == (
        FlagStatus.IN_REVIEW,
        None,
        night(world_a.org, 1),
    )
    assert flag.evidence[1]["value"] == 0.08
    # Still holding: no second flag next to the one in review.
    assert refresh(world_a.org, {family: READY}, run=3)["opened"] == 0
    assert Flag.objects.for_org(world_a.org).count() == 1


def test_a_decided_flag_does_not_block_a_new_one(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY})
    Flag.objects.for_org(world_a.org).update(status=FlagStatus.DECLINED, closed_at=timezone.now())
    assert refresh(world_a.org, {family: READY})["opened"] == 1


def test_running_twice_for_the_same_run_gives_the_same_flags(world_a, savings):
    family, neighbour = ids(world_a)
    rows = {family: READY, neighbour: {"months_reported": 6, "savings_rate": 0.05}}
    refresh(world_a.org, rows, run=7)
    before = list(Flag.objects.for_org(world_a.org).order_by("pk").values())
    counts = refresh(world_a.org, rows, run=7)
    after = list(Flag.objects.for_org(world_a.org).order_by("pk").values())
    assert counts == {"opened": 0, "refreshed": 2, "expired": 0, "in_review": 0}
    for row in before + after:
        row.pop("refreshed_at")
    assert after == before
    assert len(after) == 2


def test_it_evaluates_every_active_program_and_skips_inactive_ones(world_a, savings):
    family, _ = ids(world_a)
    make_program(world_a.org, name="Long reporters", rules=[("months_reported", ">=", 6)])
    make_program(world_a.org, name="Paused", rules=[("months_reported", ">=", 1)])
    Program.objects.for_org(world_a.org).filter(name="Paused").update(active=False)
    assert refresh(world_a.org, {family: READY})["opened"] == 2
    names = set(Flag.objects.for_org(world_a.org).values_list("program__name", flat=True))
    assert names == {"Savings match", "Long reporters"}


def test_it_opens_flags_for_groups_from_the_group_frame(world_a):
    group = world_a.objects["group"]
    fund = make_program(
        world_a.org,
        name="Group fund",
        subject="group",
        rules=[("share_reporting", ">=", 0.75), ("help_hours_within_group", ">=", 20)],
    )
    other = f.GroupFactory(organization=world_a.org)
    groups = {
        group.pk: {"share_reporting": 0.8, "help_hours_within_group": 25.0},
        other.pk: {"share_reporting": 0.5, "help_hours_within_group": 40.0},
    }
    assert refresh(world_a.org, groups=groups)["opened"] == 1
    flag = Flag.objects.for_org(world_a.org).get()
    assert (flag.program, flag.group_id, flag.family_id) == (fund, group.pk, None)
    groups[group.pk]["share_reporting"] = 0.5
    assert refresh(world_a.org, groups=groups)["expired"] == 1


def test_a_missing_frame_leaves_that_subjects_flags_alone(world_a, savings):
    family, _ = ids(world_a)
    refresh(world_a.org, {family: READY})
    run = night(world_a.org, 2)
    counts = flags_refresh(organization=world_a.org, run=run, family_frame=None, group_frame=None)
    assert counts == {"opened": 0, "refreshed": 0, "expired": 0, "in_review": 0}
    assert Flag.objects.for_org(world_a.org).get().status == FlagStatus.OPEN


def test_it_never_flags_a_family_of_another_organization_or_an_archived_one(
    world_a, world_b, savings
):
    family, neighbour = ids(world_a)
    world_a.objects["neighbour"].archived_at = timezone.now()  # type: ignore[attr-defined]
    world_a.objects["neighbour"].save()  # type: ignore[attr-defined]
    stranger = world_b.objects["family"].pk  # type: ignore[attr-defined]
    counts = refresh(world_a.org, {family: READY, neighbour: READY, stranger: READY})
    assert counts["opened"] == 1
    assert list(Flag.objects.values_list("family_id", flat=True)) == [family]


def test_it_leaves_other_organizations_flags_alone(world_a, world_b):
    make_program(world_b.org, rules=[("months_reported", ">=", 6)])
    b_family = world_b.objects["family"].pk  # type: ignore[attr-defined]
    refresh(world_b.org, {b_family: READY})
    make_program(world_a.org, rules=[("months_reported", ">=", 6)])
    assert refresh(world_a.org, {})["expired"] == 0
    assert Flag.objects.for_org(world_b.org).get().status == FlagStatus.OPEN


def test_the_query_count_does_not_grow_with_families(world_a, savings, django_assert_num_queries):
    group = world_a.objects["group"]
    many = [f.FamilyFactory(group=group).pk for _ in range(40)]
    refresh(world_a.org, dict.fromkeys(many[:20], READY))
    rows = {pk: (NOT_READY if i < 5 else READY) for i, pk in enumerate(many)}
    # Savepoint and release, families, groups, live flags, programs, rules, insert, update, expire.
    run, frame = night(world_a.org, 2), family_frame(rows)
    with django_assert_num_queries(10):
        counts = flags_refresh(
            organization=world_a.org, run=run, family_frame=frame, group_frame=None
        )
    assert counts == {"opened": 20, "refreshed": 15, "expired": 5, "in_review": 0}


# --- what the database refuses --------------------------------------------------------------------


def live_flag(org, program, **subject):  # type: ignore[no-untyped-def]
    return Flag.objects.create(organization=org, program=program, **subject)


def test_the_database_allows_one_live_flag_per_family_and_program(world_a, savings):
    family = world_a.objects["family"]
    live_flag(world_a.org, savings, family=family)
    for status in (FlagStatus.OPEN, FlagStatus.IN_REVIEW):
        with pytest.raises(IntegrityError), transaction.atomic():
            Flag.objects.create(
                organization=world_a.org, program=savings, family=family, status=status
            )
    Flag.objects.create(
        organization=world_a.org,
        program=savings,
        family=family,
        status=FlagStatus.EXPIRED,
        closed_at=timezone.now(),
    )
    other = make_program(world_a.org, name="Other", rules=[("months_reported", ">=", 1)])
    live_flag(world_a.org, other, family=family)
    assert Flag.objects.for_org(world_a.org).count() == 3


def test_the_database_allows_one_live_flag_per_group_and_program(world_a):
    fund = make_program(world_a.org, name="Fund", subject="group")
    group = world_a.objects["group"]
    live_flag(world_a.org, fund, group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        live_flag(world_a.org, fund, group=group)


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param(lambda w: {}, id="none"),
        pytest.param(
            lambda w: {"family": w.objects["family"], "group": w.objects["group"]}, id="both"
        ),
    ],
)
def test_a_flag_names_exactly_one_subject(world_a, savings, subject):
    with pytest.raises(IntegrityError), transaction.atomic():
        live_flag(world_a.org, savings, **subject(world_a))


def test_a_closed_flag_has_a_closing_time_and_a_live_one_does_not(world_a, savings):
    family = world_a.objects["family"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            organization=world_a.org, program=savings, family=family, status=FlagStatus.APPROVED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            organization=world_a.org, program=savings, family=family, closed_at=timezone.now()
        )


def test_the_ledger_refuses_zero_and_negative_money(world_a, savings):
    family = world_a.objects["family"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(
            organization=world_a.org,
            program=savings,
            family=family,
            amount=Decimal("0"),
            due_on=dt.date(2025, 1, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            organization=world_a.org,
            program=savings,
            family=family,
            principal=Decimal("-5"),
            term_months=12,
            start_on=dt.date(2025, 1, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramCost.objects.create(
            organization=world_a.org, month=dt.date(2025, 1, 1), category="staff", amount=0
        )


def test_a_paid_disbursement_has_a_payment_date(world_a, savings):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(
            organization=world_a.org,
            program=savings,
            family=world_a.objects["family"],
            amount=Decimal("250"),
            due_on=dt.date(2025, 1, 1),
            status=DisbursementStatus.PAID,
        )


def test_a_program_cost_is_for_a_whole_month(world_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramCost.objects.create(
            organization=world_a.org, month=dt.date(2025, 1, 15), category="staff", amount=10
        )


def test_a_loan_knows_its_monthly_payment(world_a, savings):
    loan = Loan(principal=Decimal("1200"), annual_rate=Decimal("0"), term_months=12)
    assert loan.monthly_payment == Decimal("100.00")
    loan = Loan(principal=Decimal("10000"), annual_rate=Decimal("0.06"), term_months=36)
    assert loan.monthly_payment == Decimal("304.22")


# --- rules are validated when saved ---------------------------------------------------------------


def test_a_rule_refuses_a_group_metric_on_a_family_program(world_a, savings):
    with pytest.raises(ValidationError) as error:
        ReadinessRule.objects.create(
            organization=world_a.org,
            program=savings,
            metric="share_reporting",
            operator=">=",
            threshold=0.75,
        )
    assert "metric" in error.value.message_dict


def test_a_rule_refuses_a_family_metric_on_a_group_program(world_a):
    fund = make_program(world_a.org, name="Fund", subject="group")
    with pytest.raises(ValidationError, match="subject"):
        ReadinessRule.objects.create(
            organization=world_a.org,
            program=fund,
            metric="savings_rate",
            operator=">=",
            threshold=1,
        )


@pytest.mark.parametrize("threshold", ["abc", "", None, float("nan"), float("inf")])
def test_a_rule_refuses_a_threshold_that_is_not_a_number(world_a, savings, threshold):
    with pytest.raises(ValidationError) as error:
        ReadinessRule.objects.create(
            organization=world_a.org,
            program=savings,
            metric="months_reported",
            operator=">=",
            threshold=threshold,
        )
    assert "threshold" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"), [("metric", "family_id"), ("metric", "nonsense"), ("operator", "=>")]
)
def test_a_rule_refuses_an_unknown_metric_or_operator(world_a, savings, field, value):
    values = {"metric": "months_reported", "operator": ">=", field: value}
    with pytest.raises(ValidationError):
        ReadinessRule.objects.create(
            organization=world_a.org, program=savings, threshold=1, **values
        )
    # The database refuses it too, for writes that skip validation.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessRule.objects.bulk_create(
            [ReadinessRule(organization=world_a.org, program=savings, threshold=1, **values)]
        )


def test_a_rule_refuses_a_program_of_another_organization(world_a, world_b, savings):
    with pytest.raises(ValidationError, match="another organization"):
        ReadinessRule.objects.create(
            organization=world_b.org,
            program=savings,
            metric="months_reported",
            operator=">=",
            threshold=1,
        )


def test_a_group_fund_is_for_groups(world_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.create(
            organization=world_a.org, name="Fund", kind=ProgramKind.GROUP_FUND, subject="family"
        )


def test_a_program_takes_the_organizations_currency_by_default(world_a):
    world_a.org.currency = "MXN"
    world_a.org.save()
    program = make_program(world_a.org)
    assert program.currency == "MXN"


# --- default programs -----------------------------------------------------------------------------


def test_it_installs_the_default_programs_once(world_a):
    assert programs_install_defaults(organization=world_a.org) == len(DEFAULT_PROGRAMS) == 5
    assert programs_install_defaults(organization=world_a.org) == 0
    programs = {p.name: p for p in Program.objects.for_org(world_a.org).prefetch_related("rules")}
    assert set(programs) == {
        "Education scholarship",
        "Business loan",
        "Matched savings",
        "Positive-deviant grant",
        "Group fund",
    }
    assert programs["Group fund"].subject == "group"
    assert all(p.currency == "USD" and p.budget > 0 for p in programs.values())
    loan = [(r.metric, r.operator, r.threshold) for r in programs["Business loan"].rules.all()]
    assert loan == [
        ("income_change_pct", ">=", 10),
        ("debt_to_income", "<=", 1.5),
        ("months_reported", ">=", 9),
    ]
    assert all(r.label_en and r.label_es for p in programs.values() for r in p.rules.all())


def test_the_default_programs_flag_families_and_groups(world_a):
    programs_install_defaults(organization=world_a.org)
    family, neighbour = ids(world_a)
    strong = {
        "months_reported": 12,
        "consecutive_months": 12,
        "income_slope_12m": 40.0,
        "income_change_pct": 25.0,
        "debt_to_income": 0.5,
        "savings_rate": 0.1,
        "is_positive_deviant": True,
    }
    group = {"share_reporting": 1.0, "help_hours_within_group": 30.0}
    counts = refresh(
        world_a.org, {family: strong, neighbour: {}}, {world_a.objects["group"].pk: group}
    )
    assert counts["opened"] == 5
    assert Flag.objects.for_org(world_a.org).filter(family_id=family).count() == 4
