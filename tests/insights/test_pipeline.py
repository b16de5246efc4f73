"""The nightly run of one organization: results, idempotency, failures, the lock and counts."""

from __future__ import annotations

import datetime as dt
import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.db.models import Sum
from django.utils import timezone

from insights import pipeline
from insights.deviance import positive_deviance
from insights.features import family_features, group_features
from insights.loader import SNAPSHOT_COLUMNS
from insights.models import AggregationRun, FamilySnapshot, GroupSnapshot, RunStatus
from insights.pipeline import aggregate_organization, last_complete_month
from insights.selectors import snapshot_frames
from insights.signals import snapshots_ready
from journals.models import EntryStatus, JournalEntry
from tests import factories as f
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 7, 15)  # computes up to June 2025
JUNE = dt.date(2025, 6, 1)


def months_before(period: dt.date, n: int) -> dt.date:
    index = period.year * 12 + period.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def journal(family, period: dt.date, **values) -> JournalEntry:  # type: ignore[no-untyped-def]
    defaults = {"income_wages": None, "savings_balance": None, "debt_total": None}
    return f.JournalEntryFactory(family=family, period=period, **{**defaults, **values})


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return f.OrganizationFactory(slug="riverside")


@pytest.fixture
def group(org):  # type: ignore[no-untyped-def]
    return f.GroupFactory(organization=org, name="Tuesday circle")


@pytest.fixture
def rising(group):  # type: ignore[no-untyped-def]
    """A family whose income rose 1,100 -> 1,200 -> 1,300 over April-June 2025."""
    family = f.FamilyFactory(
        group=group, baseline_monthly_income=1000.0, baseline_savings=0.0, baseline_debt=600.0
    )
    for n, (income, savings) in enumerate([(1100, 100), (1200, 200), (1300, 300)]):
        period = months_before(JUNE, 2 - n)
        journal(family, period, income_wages=income, savings_balance=savings, debt_total=500.0)
    return family


def run(org, as_of: dt.date = AS_OF, **kwargs) -> pipeline.RunResult:  # type: ignore[no-untyped-def]
    return aggregate_organization(organization_id=org.pk, as_of=as_of, **kwargs)


def test_it_computes_the_last_complete_month() -> None:
    assert last_complete_month(dt.date(2025, 7, 15)) == dt.date(2025, 6, 1)
    assert last_complete_month(dt.date(2025, 7, 1)) == dt.date(2025, 6, 1)
    assert last_complete_month(dt.date(2025, 1, 31)) == dt.date(2024, 12, 1)


def test_it_computes_hand_checkable_snapshots(org, rising) -> None:
    result = run(org)

    assert result.outcome == "succeeded"
    assert result.run.status == RunStatus.SUCCEEDED
    assert result.run.last_period == JUNE
    snapshot = FamilySnapshot.objects.get(run=result.run, family=rising)
    assert snapshot.organization_id == org.pk
    assert snapshot.group_id == rising.group_id
    assert snapshot.months_reported == 3
    assert snapshot.consecutive_months == 3
    assert snapshot.income_3m == pytest.approx(1200.0)
    assert snapshot.income_slope_12m == pytest.approx(100.0)
    assert snapshot.income_change == pytest.approx(200.0)
    assert snapshot.income_change_pct == pytest.approx(20.0)
    assert snapshot.savings_3m == pytest.approx(200.0)
    assert snapshot.savings_change == pytest.approx(200.0)
    assert snapshot.debt_change == pytest.approx(-100.0)
    assert snapshot.debt_to_income == pytest.approx(500.0 / 1200.0)
    assert snapshot.savings_rate is None  # no deposits reported: unknown, not zero
    assert snapshot.last_period_reported is True
    assert snapshot.peer_group == "inc:1|hh:2"
    assert snapshot.peer_too_small is True
    assert snapshot.growth_percentile is None
    group_row = GroupSnapshot.objects.get(run=result.run)
    assert group_row.families == 1
    assert group_row.median_income_3m == pytest.approx(1200.0)
    assert group_row.share_reporting == pytest.approx(1.0)


def reference_frames(org) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Compute the snapshots with the pure modules from plain ORM reads, without the loader."""
    from families.models import Family
    from journals.models import Goal, HelpExchange

    rows = JournalEntry.objects.for_org(org).filter(status=EntryStatus.SUBMITTED, period__lte=JUNE)
    journals = pd.DataFrame(
        [
            {
                "family_id": e.family_id,
                "period": pd.Timestamp(e.period),
                "income": e.total_income,
                "savings": e.savings_balance,
                "debt": e.debt_total,
                "savings_deposited": e.savings_deposited,
            }
            for e in rows
        ],
        columns=["family_id", "period", "income", "savings", "debt", "savings_deposited"],
    ).astype({"income": "float64", "savings": "float64", "debt": "float64"})
    families = pd.DataFrame(
        Family.objects.for_org(org)
        .order_by("id")
        .values(
            "id",
            "group_id",
            "joined_on",
            "household_size",
            "baseline_monthly_income",
            "baseline_savings",
            "baseline_debt",
        )
    ).rename(columns={"id": "family_id"})
    families["group_id"] = families["group_id"].astype("Int64")
    goals = pd.DataFrame(
        Goal.objects.for_org(org).values("family_id", "status"), columns=["family_id", "status"]
    )
    help_ = pd.DataFrame(
        [
            {
                "giver_id": h.giver_id,
                "receiver_id": h.receiver_id,
                "hours": h.hours,
                "amount": h.amount,
                "confirmed": h.confirmed_at is not None,
                "period": pd.Timestamp(h.period),
            }
            for h in HelpExchange.objects.for_org(org)
        ],
        columns=["giver_id", "receiver_id", "hours", "amount", "confirmed", "period"],
    )
    features = family_features(journals, families, goals, help_, JUNE)
    deviance = positive_deviance(features, families)
    merged = features.merge(deviance, on="family_id")[SNAPSHOT_COLUMNS]
    return merged, group_features(features, help_, JUNE)


def test_it_matches_the_pure_modules_column_for_column(org, group, rising) -> None:
    other = f.FamilyFactory(group=group, household_size=5, baseline_monthly_income=3000.0)
    for n in range(14):
        journal(other, months_before(JUNE, n), income_wages=3000 + 10 * n, savings_deposited=50.0)
    f.GoalFactory(family=other, status="achieved")
    f.HelpExchangeFactory(
        giver=other, receiver=rising, hours=3, amount=20, period=JUNE, confirmed_at=timezone.now()
    )

    families, groups = snapshot_frames(run=run(org).run)

    expected_families, expected_groups = reference_frames(org)
    pd.testing.assert_frame_equal(
        families.reset_index(drop=True), expected_families, check_dtype=False
    )
    pd.testing.assert_frame_equal(
        groups.reset_index(drop=True), expected_groups.reset_index(drop=True), check_dtype=False
    )
    row = families.set_index("family_id").loc[other.pk]
    assert row["help_given_hours"] == 3.0
    assert row["goals_achieved"] == 1
    assert groups.loc[0, "help_count_within_group"] == 1


def test_it_replaces_the_results_of_a_second_run_of_the_same_date(org, group, rising) -> None:
    f.FamilyFactory(group=group)
    first = snapshot_frames(run=run(org).run)
    first_ids = set(FamilySnapshot.objects.values_list("pk", flat=True))

    again = run(org, force=True)

    second = snapshot_frames(run=again.run)
    assert again.outcome == "succeeded"
    assert again.run.attempts == 2
    assert AggregationRun.objects.count() == 1
    assert FamilySnapshot.objects.count() == 2
    assert GroupSnapshot.objects.count() == 1
    assert first_ids.isdisjoint(FamilySnapshot.objects.values_list("pk", flat=True))
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_it_picks_up_a_changed_journal_on_a_forced_rerun(org, rising) -> None:
    run(org)
    JournalEntry.objects.filter(family=rising, period=JUNE).update(income_wages=1600.0)

    result = run(org, force=True)

    assert FamilySnapshot.objects.get(run=result.run).income_3m == pytest.approx(1300.0)


def test_it_does_not_recompute_a_run_that_succeeded_unless_forced(org, rising) -> None:
    first = run(org)

    again = run(org)

    assert again.outcome == "done"
    assert again.run.attempts == 1
    assert again.run.finished_at == first.run.finished_at


def test_it_leaves_a_failed_run_and_no_partial_snapshots(org, group, rising, monkeypatch) -> None:
    f.FamilyFactory(group=group)
    real_write = pipeline.write_frame

    def write_families_then_fail(model, frame, *, run):  # type: ignore[no-untyped-def]
        if model is GroupSnapshot:
            raise RuntimeError("disk full")
        real_write(model, frame, run=run)

    monkeypatch.setattr(pipeline, "write_frame", write_families_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        run(org)

    failed = AggregationRun.objects.get()
    assert failed.status == RunStatus.FAILED
    assert "disk full" in failed.error
    assert failed.finished_at is not None
    assert FamilySnapshot.objects.count() == 0
    assert GroupSnapshot.objects.count() == 0

    monkeypatch.setattr(pipeline, "write_frame", real_write)
    retried = run(org)

    assert retried.outcome == "succeeded"
    assert retried.run.attempts == 2
    assert retried.run.error == ""
    assert FamilySnapshot.objects.count() == 2


def test_it_fails_the_run_when_a_stage_raises_before_writing(org, rising, monkeypatch) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("bad peer data")

    monkeypatch.setattr(pipeline, "positive_deviance", broken)

    with pytest.raises(ValueError, match="bad peer data"):
        run(org)

    failed = AggregationRun.objects.get()
    assert failed.status == RunStatus.FAILED
    assert failed.timings["load"] >= 0
    assert FamilySnapshot.objects.count() == 0


def test_a_failed_rerun_keeps_no_snapshot_of_the_run(org, rising, monkeypatch) -> None:
    run(org)
    monkeypatch.setattr(pipeline, "group_features", lambda *a, **k: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        run(org, force=True)

    assert AggregationRun.objects.get().status == RunStatus.FAILED
    assert FamilySnapshot.objects.count() == 0


def test_it_does_not_start_a_run_that_is_already_running(org, rising) -> None:
    started = timezone.now() - timedelta(minutes=5)
    AggregationRun.objects.create(
        organization=org, as_of=AS_OF, status=RunStatus.RUNNING, started_at=started, attempts=1
    )

    result = run(org, force=True)

    assert result.outcome == "busy"
    held = AggregationRun.objects.get()
    assert (held.status, held.attempts, held.started_at) == (RunStatus.RUNNING, 1, started)
    assert FamilySnapshot.objects.count() == 0


def test_it_claims_a_run_left_running_longer_than_the_stale_timeout(org, rising, settings) -> None:
    settings.NIGHTLY_STALE_SECONDS = 60
    AggregationRun.objects.create(
        organization=org,
        as_of=AS_OF,
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=61),
        attempts=1,
    )

    result = run(org)

    assert result.outcome == "succeeded"
    assert result.run.attempts == 2
    assert FamilySnapshot.objects.count() == 1


def test_the_same_claimant_takes_back_a_run_it_left_running(org, rising) -> None:
    # A Celery message is delivered to one worker at a time: the same task id asking again
    # means the worker that held the run died (a redelivery after SIGKILL or OOM).
    AggregationRun.objects.create(
        organization=org,
        as_of=AS_OF,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        attempts=1,
        claimed_by="task:abc",
    )

    other = run(org, claimant="task:xyz")
    same = run(org, claimant="task:abc")

    assert other.outcome == "busy"
    assert same.outcome == "succeeded"
    assert (same.run.attempts, same.run.claimed_by) == (2, "task:abc")


def test_a_claimant_redelivered_too_often_gives_up(org, rising) -> None:
    AggregationRun.objects.create(
        organization=org,
        as_of=AS_OF,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        attempts=5,
        claimed_by="task:abc",
    )

    result = run(org, claimant="task:abc", max_attempts=5)

    assert result.outcome == "gave_up"
    assert result.run.status == RunStatus.FAILED


def test_only_one_of_two_claims_of_the_same_run_wins(org) -> None:
    stale = AggregationRun.objects.create(organization=org, as_of=AS_OF)
    copy = AggregationRun.objects.get(pk=stale.pk)

    first = pipeline.run_claim(run=stale)
    second = pipeline.run_claim(run=copy)

    assert first is not None
    assert second is None
    assert AggregationRun.objects.get().attempts == 1


def test_an_attempt_taken_over_while_computing_writes_nothing(org, rising, monkeypatch) -> None:
    real_compute = pipeline.compute

    def compute_then_lose_the_claim(*, run, timer):  # type: ignore[no-untyped-def]
        computed = real_compute(run=run, timer=timer)
        AggregationRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
        return computed

    monkeypatch.setattr(pipeline, "compute", compute_then_lose_the_claim)

    result = run(org)

    assert result.outcome == "lost"
    assert result.run.status == RunStatus.RUNNING
    assert FamilySnapshot.objects.count() == 0


def test_it_gives_up_after_the_maximum_number_of_attempts(org, rising, settings) -> None:
    settings.NIGHTLY_STALE_SECONDS = 60
    AggregationRun.objects.create(
        organization=org,
        as_of=AS_OF,
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        attempts=5,
    )

    result = run(org, max_attempts=5)

    assert result.outcome == "gave_up"
    assert result.run.status == RunStatus.FAILED
    assert "Gave up after 5 attempts" in result.run.error
    assert result.run.attempts == 5


def test_a_run_that_failed_keeps_its_error_when_attempts_run_out(org, rising) -> None:
    AggregationRun.objects.create(
        organization=org, as_of=AS_OF, status=RunStatus.FAILED, attempts=5, error="Boom"
    )

    result = run(org, max_attempts=5)

    assert result.outcome == "busy"
    assert (result.run.status, result.run.error) == (RunStatus.FAILED, "Boom")


def test_it_counts_gaps_single_months_zeros_and_absurd_values(org, group, rising) -> None:
    gappy = f.FamilyFactory(group=group)
    for n in (0, 2, 5):
        journal(gappy, months_before(JUNE, n), income_wages=900.0)
    single = f.FamilyFactory(group=group)
    journal(single, JUNE, income_wages=700.0)
    zeros = f.FamilyFactory(group=group)
    for n in range(3):
        journal(zeros, months_before(JUNE, n), income_wages=0.0, savings_balance=0.0)
    blank = f.FamilyFactory(group=group)
    journal(blank, JUNE)
    absurd = f.FamilyFactory(group=group)
    for n, income in enumerate([1200.0, 5e9, -10.0]):
        journal(absurd, months_before(JUNE, n), income_wages=income)
    f.FamilyFactory(group=group)  # never reported

    result = run(org)

    counts = result.run.counts
    assert result.outcome == "succeeded"
    assert counts["families"] == 7
    assert counts["groups"] == 1
    assert counts["journals_read"] == 3 + 3 + 1 + 3 + 1 + 3
    assert counts["families_with_gaps"] == 1
    assert counts["families_single_month"] == 2
    assert counts["families_all_zeros"] == 2
    assert counts["families_with_absurd_values"] == 1
    assert counts["absurd_values"] == 2
    assert counts["positive_deviants"] == 0
    assert counts["peer_groups_too_small"] == counts["peer_groups"] >= 1
    snapshot = FamilySnapshot.objects.get(run=result.run, family=absurd)
    assert snapshot.n_absurd == 2
    assert snapshot.income_3m == pytest.approx(1200.0)
    assert FamilySnapshot.objects.filter(run=result.run).count() == 7


def test_it_ignores_drafts_and_months_after_the_last_complete_month(org, rising) -> None:
    journal(rising, dt.date(2025, 7, 1), income_wages=99_000.0)
    f.JournalEntryFactory(
        family=rising, period=months_before(JUNE, 3), status=EntryStatus.DRAFT, submitted_at=None
    )

    result = run(org)

    snapshot = FamilySnapshot.objects.get(run=result.run)
    assert result.run.counts["journals_read"] == 3
    assert snapshot.months_reported == 3
    assert snapshot.income_3m == pytest.approx(1200.0)


def test_it_ignores_archived_families_and_their_journals(org, group, rising) -> None:
    archived = f.FamilyFactory(group=group, archived_at=timezone.now())
    for n in (0, 3):
        journal(archived, months_before(JUNE, n), income_wages=100.0)
    later = f.FamilyFactory(group=group)  # an active id after the archived one: same id range
    journal(later, JUNE, income_wages=900.0)

    result = run(org)

    family_ids = set(FamilySnapshot.objects.values_list("family_id", flat=True))
    assert family_ids == {rising.pk, later.pk}
    assert result.run.counts["families"] == 2
    assert result.run.counts["journals_read"] == 4
    assert result.run.counts["families_with_gaps"] == 0


def test_chunks_give_the_same_results_as_one_pass(org, group, rising, settings) -> None:
    for i in range(4):
        family = f.FamilyFactory(group=group, baseline_monthly_income=800.0 + 100 * i)
        for n in range(i + 2):
            journal(family, months_before(JUNE, n), income_wages=1000.0 + 50 * i * n)
    one_pass = snapshot_frames(run=run(org).run)

    settings.NIGHTLY_CHUNK_SIZE = 2
    chunked = run(org, force=True)

    pd.testing.assert_frame_equal(snapshot_frames(run=chunked.run)[0], one_pass[0])
    pd.testing.assert_frame_equal(snapshot_frames(run=chunked.run)[1], one_pass[1])
    assert chunked.run.counts["journals_read"] == 3 + sum(i + 2 for i in range(4))


def test_it_runs_an_organization_without_families(org) -> None:
    result = run(org)

    assert result.outcome == "succeeded"
    assert result.run.counts["families"] == 0
    assert FamilySnapshot.objects.count() == 0


def test_it_never_reads_another_organizations_journals() -> None:
    world_a, world_b = build_world("alpha"), build_world("beta")
    family_b = world_b.objects["family"]
    # B's family reports absurd and huge values; none of it may reach A's run.
    for n in range(1, 13):
        income = 5e9 if n % 2 else 1e5
        journal(family_b, months_before(dt.date(2024, 6, 1), n), income_wages=income)

    result = aggregate_organization(organization_id=world_a.org.pk, as_of=dt.date(2024, 7, 2))

    a_families = {world_a.objects["family"].pk, world_a.objects["neighbour"].pk}
    a_journals = JournalEntry.objects.for_org(world_a.org).count()
    assert set(FamilySnapshot.objects.values_list("family_id", flat=True)) == a_families
    assert set(FamilySnapshot.objects.values_list("organization_id", flat=True)) == {world_a.org.pk}
    assert GroupSnapshot.objects.get().group_id == world_a.objects["group"].pk
    assert result.run.counts["journals_read"] == a_journals
    assert result.run.counts["absurd_values"] == 0
    assert FamilySnapshot.objects.aggregate(m=Sum("months_reported"))["m"] == a_journals


def test_it_sends_snapshots_ready_once_per_successful_run(org, rising) -> None:
    calls = []

    def receiver(sender, run, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((sender, run.pk, run.status, FamilySnapshot.objects.filter(run=run).count()))

    snapshots_ready.connect(receiver, dispatch_uid="test-once")
    try:
        first = run(org)
        run(org)  # already done: not sent again
        run(org, force=True)
    finally:
        snapshots_ready.disconnect(dispatch_uid="test-once")

    assert calls == [(AggregationRun, first.run.pk, RunStatus.SUCCEEDED, 1)] * 2


def test_it_records_the_capital_stage_and_the_counts_receivers_return(org, rising) -> None:
    def receiver(sender, run, **kwargs):  # type: ignore[no-untyped-def]
        return {"opened": 2, "refreshed": 1}

    snapshots_ready.connect(receiver, dispatch_uid="test-counts")
    try:
        result = run(org)
    finally:
        snapshots_ready.disconnect(dispatch_uid="test-counts")

    stored = AggregationRun.objects.get()
    assert stored.counts["tests"] == {"opened": 2, "refreshed": 1}
    assert set(stored.timings) == {"load", "features", "deviance", "write", "capital", "total"}
    assert stored.timings["total"] >= stored.timings["capital"] >= 0
    assert stored.finished_at >= stored.started_at
    assert result.run.counts == stored.counts


def test_a_failing_receiver_fails_the_run_and_rolls_back_its_snapshots(org, rising) -> None:
    def receiver(sender, run, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("rules are broken")

    snapshots_ready.connect(receiver, dispatch_uid="test-failing")
    try:
        with pytest.raises(RuntimeError, match="rules are broken"):
            run(org)
    finally:
        snapshots_ready.disconnect(dispatch_uid="test-failing")

    failed = AggregationRun.objects.get()
    assert failed.status == RunStatus.FAILED
    assert "rules are broken" in failed.error
    assert FamilySnapshot.objects.count() == 0


def test_float_features_that_are_unknown_are_stored_as_null(org, group) -> None:
    silent = f.FamilyFactory(group=group)

    result = run(org)

    snapshot = FamilySnapshot.objects.get(run=result.run, family=silent)
    assert snapshot.income_3m is None
    assert snapshot.months_reported == 0
    frame = snapshot_frames(run=result.run)[0]
    assert math.isnan(frame.loc[0, "income_3m"])
    assert np.isnan(frame["growth"]).all()
