"""The nightly aggregation of one organization: load, features, deviance, write, capital.

The service behind the Celery tasks and ``manage.py run_nightly``; the numbers come from the
pure modules insights.features and insights.deviance. docs/nightly.md tells the whole story:
which month is computed, the lock, chunks, idempotency, failures and the counts.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from fii.models import Organization
from journals.periods import add_months, month_start

from .deviance import positive_deviance
from .features import METRICS, family_features, group_features, month_keys
from .loader import (
    SNAPSHOT_COLUMNS,
    load_families,
    load_goals,
    load_help,
    load_journals,
    model_columns,
)
from .models import AggregationRun, FamilySnapshot, GroupSnapshot, RunStatus
from .pgcopy import HEADER, TRAILER, encode_rows
from .signals import snapshots_ready

logger = logging.getLogger(__name__)

WINDOW_MONTHS = 36
HELP_MONTHS = 12
STAGES = ("load", "features", "deviance", "write", "capital")
PEER_INPUTS = ["family_id", "household_size", "baseline_monthly_income"]
# Rows encoded at a time when copying snapshots in: bounds the encoder's byte matrix (~30 MB).
COPY_BATCH_ROWS = 100_000
MAX_ERROR_CHARS = 8_000


class RunLost(Exception):
    """Another attempt took the run over (this one was presumed dead): nothing was written."""


@dataclass(frozen=True)
class RunResult:
    """What one request to run became (a failure is raised, not returned).

    ``outcome`` is "succeeded" when this call ran it; otherwise "busy" (another attempt holds
    it), "done" (it already succeeded and ``force`` was off), "gave_up" (too many attempts) or
    "lost" (another attempt took it over while this one computed).
    """

    run: AggregationRun
    outcome: str


@dataclass(frozen=True)
class Inputs:
    families: pd.DataFrame
    goals: pd.DataFrame
    help: pd.DataFrame


@dataclass(frozen=True)
class Computed:
    families: pd.DataFrame
    groups: pd.DataFrame
    counts: dict[str, int]


class StageTimer:
    """Add up the wall time of each stage of a run."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - start

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds

    def as_dict(self) -> dict[str, float]:
        total = time.perf_counter() - self.started
        return {**{k: round(v, 3) for k, v in self.seconds.items()}, "total": round(total, 3)}


# --- which month, and which run ---------------------------------------------------------------


def last_complete_month(as_of: date) -> date:
    """Return the first day of the month before ``as_of``'s month: the last month that ended."""
    return add_months(month_start(as_of), -1)


def _last_period(run: AggregationRun) -> date:
    return run.last_period or last_complete_month(run.as_of)


def default_as_of() -> date:
    """Return today's date in UTC, the date of a run started now by the nightly schedule."""
    return timezone.now().date()


def run_get_or_create(*, organization_id: int, as_of: date) -> AggregationRun:
    """Return the run of an organization and date, creating it pending if needed."""
    organization = Organization.objects.get(pk=organization_id)
    run, _ = AggregationRun.objects.get_or_create(
        organization=organization,
        as_of=as_of,
        defaults={"last_period": last_complete_month(as_of)},
    )
    return run


# --- the lock ---------------------------------------------------------------------------------


def _abandoned(*, now: datetime, claimant: str) -> Q:
    """Return the runs nobody is working on: pending, or 'running' by an attempt that is gone.

    An attempt is presumed gone when its run started more than NIGHTLY_STALE_SECONDS ago, or
    when the same claimant asks again: a Celery message is delivered to one worker at a time,
    so a redelivered task (same task id) means the worker that held it died.
    """
    stale = now - timedelta(seconds=settings.NIGHTLY_STALE_SECONDS)
    gone = Q(status=RunStatus.RUNNING, started_at__lt=stale)
    if claimant:
        gone |= Q(status=RunStatus.RUNNING, claimed_by=claimant)
    return Q(status=RunStatus.PENDING) | gone


def _claimable(*, force: bool, now: datetime, claimant: str) -> Q:
    """Return the states a run may be claimed from; never 'running' by a live attempt."""
    states = _abandoned(now=now, claimant=claimant) | Q(status=RunStatus.FAILED)
    return states | Q(status=RunStatus.SUCCEEDED) if force else states


def run_claim(
    *,
    run: AggregationRun,
    force: bool = False,
    max_attempts: int | None = None,
    claimant: str = "",
) -> datetime | None:
    """Mark the run running for this attempt; return the claim's start time, or None if taken.

    One conditional UPDATE that must change exactly one row: two workers cannot both get it,
    on PostgreSQL and on SQLite alike. The start time is the claim's token: the run is only
    finished or failed by the attempt whose token is still on the row.
    """
    now = timezone.now()
    claimable = _claimable(force=force, now=now, claimant=claimant)
    candidates = AggregationRun.objects.filter(pk=run.pk).filter(claimable)
    if max_attempts is not None:
        candidates = candidates.filter(attempts__lt=max_attempts)
    changed = candidates.update(
        status=RunStatus.RUNNING,
        started_at=now,
        finished_at=None,
        error="",
        claimed_by=claimant,
        attempts=F("attempts") + 1,
    )
    return now if changed == 1 else None


def run_settle_failure(*, organization_id: int, as_of: date, max_attempts: int) -> int:
    """Mark a failed run as tried enough, for an error that would only come back (a time
    limit): neither the task's retries nor the hourly catch-up run it again."""
    return AggregationRun.objects.filter(
        organization_id=organization_id,
        as_of=as_of,
        status=RunStatus.FAILED,
        attempts__lt=max_attempts,
    ).update(attempts=max_attempts)


def _give_up(*, run: AggregationRun, max_attempts: int, claimant: str) -> bool:
    """Fail an abandoned run that used all its attempts; return whether it did."""
    now = timezone.now()
    message = f"Gave up after {max_attempts} attempts: each one was interrupted."
    changed = (
        AggregationRun.objects.filter(pk=run.pk, attempts__gte=max_attempts)
        .filter(_abandoned(now=now, claimant=claimant))
        .update(status=RunStatus.FAILED, finished_at=now, error=message)
    )
    return changed == 1


def _unclaimed(*, run: AggregationRun, max_attempts: int | None, claimant: str) -> RunResult:
    if max_attempts is not None and _give_up(run=run, max_attempts=max_attempts, claimant=claimant):
        logger.error("Run %s of organization %s gave up", run.as_of, run.organization_id)
        run.refresh_from_db()
        return RunResult(run, "gave_up")
    run.refresh_from_db()
    return RunResult(run, "done" if run.status == RunStatus.SUCCEEDED else "busy")


# --- computing --------------------------------------------------------------------------------


def family_chunks(families: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    """Yield slices of ``size`` families (sorted by id); one empty slice when there are none."""
    for start in range(0, max(len(families), 1), size):
        yield families.iloc[start : start + size]


def journal_quality(journals: pd.DataFrame) -> Counter[str]:
    """Count families whose journals have a gap, or hold nothing but zeros and blanks."""
    nonzero = np.zeros(len(journals), dtype=bool)
    for metric in METRICS:
        nonzero |= np.nan_to_num(journals[metric].to_numpy(dtype="float64"), nan=0.0) != 0
    frame = pd.DataFrame(
        {"family_id": journals["family_id"], "month": month_keys(journals["period"]), "nz": nonzero}
    )
    per_family = frame.groupby("family_id", sort=False).agg(
        first=("month", "min"), last=("month", "max"), months=("month", "size"), nz=("nz", "any")
    )
    gaps = per_family["last"] - per_family["first"] + 1 > per_family["months"]
    return Counter(
        families_with_gaps=int(gaps.sum()), families_all_zeros=int((~per_family["nz"]).sum())
    )


def _load_inputs(*, run: AggregationRun, timer: StageTimer) -> Inputs:
    last = _last_period(run)
    with timer("load"):
        return Inputs(
            families=load_families(organization_id=run.organization_id),
            goals=load_goals(organization_id=run.organization_id),
            help=load_help(
                organization_id=run.organization_id,
                first_period=add_months(last, 1 - HELP_MONTHS),
                last_period=last,
            ),
        )


def _chunk_bounds(chunk: pd.DataFrame) -> tuple[int, int]:
    ids = chunk["family_id"].to_numpy()
    return (int(ids[0]), int(ids[-1])) if len(ids) else (0, -1)


def _of_chunk(journals: pd.DataFrame, chunk: pd.DataFrame) -> pd.DataFrame:
    """Drop journals of families inside the chunk's id range but not in it (archived ones)."""
    inside = journals["family_id"].isin(chunk["family_id"]).to_numpy()
    return journals if inside.all() else journals[inside]


def _chunk_features(
    *, run: AggregationRun, inputs: Inputs, chunk: pd.DataFrame, timer: StageTimer
) -> tuple[pd.DataFrame, Counter[str]]:
    """Return the features of one chunk of families, and its data-quality counts."""
    last = _last_period(run)
    with timer("load"):
        journals = load_journals(
            organization_id=run.organization_id,
            first_period=add_months(last, 1 - WINDOW_MONTHS),
            last_period=last,
            families=_chunk_bounds(chunk),
        )
    with timer("features"):
        journals = _of_chunk(journals, chunk)
        frame = family_features(
            journals, chunk, inputs.goals, inputs.help, last, months=WINDOW_MONTHS
        )
        quality = journal_quality(journals)
    quality["journals_read"] = len(journals)
    return frame, quality


def _all_family_features(
    *, run: AggregationRun, inputs: Inputs, timer: StageTimer
) -> tuple[pd.DataFrame, Counter[str]]:
    frames, quality = [], Counter[str]()
    for chunk in family_chunks(inputs.families, settings.NIGHTLY_CHUNK_SIZE):
        frame, chunk_quality = _chunk_features(run=run, inputs=inputs, chunk=chunk, timer=timer)
        frames.append(frame)
        quality.update(chunk_quality)
    return pd.concat(frames, ignore_index=True), quality


def _counts(families: pd.DataFrame, groups: pd.DataFrame, quality: Counter[str]) -> dict[str, int]:
    too_small = families.groupby("peer_group")["peer_too_small"].first()
    return {
        "families": len(families),
        "groups": len(groups),
        "journals_read": quality["journals_read"],
        "families_with_gaps": quality["families_with_gaps"],
        "families_single_month": int(families["single_month"].sum()),
        "families_all_zeros": quality["families_all_zeros"],
        "families_with_absurd_values": int((families["n_absurd"] > 0).sum()),
        "absurd_values": int(families["n_absurd"].sum()),
        "positive_deviants": int(families["is_positive_deviant"].sum()),
        "peer_groups": len(too_small),
        "peer_groups_too_small": int(too_small.sum()),
    }


def compute(*, run: AggregationRun, timer: StageTimer) -> Computed:
    """Return the run's family and group snapshot frames and its counts."""
    inputs = _load_inputs(run=run, timer=timer)
    features, quality = _all_family_features(run=run, inputs=inputs, timer=timer)
    last = _last_period(run)
    with timer("features"):
        groups = group_features(features, inputs.help, last)
    with timer("deviance"):
        # Over the whole organization, never a chunk: peers are all families who started alike.
        deviance = positive_deviance(features, inputs.families[PEER_INPUTS])
        families = features.merge(deviance, on="family_id", how="left", validate="one_to_one")
    return Computed(families[SNAPSHOT_COLUMNS], groups, _counts(families, groups, quality))


# --- writing ----------------------------------------------------------------------------------


def _copy_in(model: type[models.Model], frame: pd.DataFrame) -> None:
    """Append the frame's rows to the model's table with one binary COPY."""
    columns = model_columns(model)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.name) for c in columns)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN (FORMAT binary)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(HEADER)
        for start in range(0, len(frame), COPY_BATCH_ROWS):
            part = frame.iloc[start : start + COPY_BATCH_ROWS]
            copy.write(encode_rows([(c.kind, part[c.name]) for c in columns]))
        copy.write(TRAILER)


def _bulk_create(model: type[models.Model], frame: pd.DataFrame) -> None:
    names = [c.name for c in model_columns(model)]
    values = frame[names].astype(object)
    records = values.where(frame[names].notna(), None).to_dict("records")
    model._default_manager.bulk_create([model(**r) for r in records], batch_size=500)


def write_frame(model: type[models.Model], frame: pd.DataFrame, *, run: AggregationRun) -> None:
    """Insert one snapshot row per frame row for the run: COPY on PostgreSQL, else bulk_create."""
    frame = frame.assign(organization_id=run.organization_id, run_id=run.pk)
    if connection.vendor == "postgresql":
        _copy_in(model, frame)
    else:
        _bulk_create(model, frame)


def _delete_snapshots(run: AggregationRun) -> None:
    for model in (FamilySnapshot, GroupSnapshot):
        model.objects.filter(organization_id=run.organization_id, run=run).delete()


def _hold_claim(*, run: AggregationRun, token: datetime) -> None:
    """Lock the run row for this transaction; raise RunLost if another attempt took it over."""
    held = AggregationRun.objects.select_for_update().filter(
        pk=run.pk, status=RunStatus.RUNNING, started_at=token
    )
    if not list(held.values_list("pk", flat=True)):
        raise RunLost(f"run {run.pk} was taken over by another attempt")


def _receiver_counts(responses: list[tuple[Any, Any]]) -> dict[str, Any]:
    """Return the counts receivers returned, keyed by each receiver's app label."""
    return {
        receiver.__module__.split(".")[0]: dict(response)
        for receiver, response in responses
        if isinstance(response, Mapping)
    }


def _announce(*, run: AggregationRun, timer: StageTimer) -> None:
    with timer("capital"):
        responses = snapshots_ready.send(sender=AggregationRun, run=run)
    # A receiver may also have stored counts on the instance itself; keep them.
    run.counts = {**(run.counts or {}), **_receiver_counts(responses)}


def _finish(*, run: AggregationRun, token: datetime, computed: Computed, timer: StageTimer) -> None:
    """Replace the run's snapshots, mark it succeeded and announce it, all in one transaction."""
    with transaction.atomic():
        _hold_claim(run=run, token=token)
        with timer("write"):
            _delete_snapshots(run)
            write_frame(FamilySnapshot, computed.families, run=run)
            write_frame(GroupSnapshot, computed.groups, run=run)
        run.status, run.counts, run.timings = RunStatus.SUCCEEDED, computed.counts, timer.as_dict()
        run.save(update_fields=["status", "counts", "timings"])
        _announce(run=run, timer=timer)
        run.finished_at, run.timings = timezone.now(), timer.as_dict()
        run.save(update_fields=["counts", "timings", "finished_at"])
        committing = time.perf_counter()
    # The commit runs the deferred foreign-key checks of every snapshot row: part of writing.
    timer.add("write", time.perf_counter() - committing)
    run.timings = timer.as_dict()
    AggregationRun.objects.filter(pk=run.pk).update(timings=run.timings)


def _record_failure(*, run: AggregationRun, token: datetime, timer: StageTimer) -> None:
    """Mark this attempt's run failed, with the error, and keep no snapshot of it."""
    error = traceback.format_exc()[-MAX_ERROR_CHARS:]
    try:
        with transaction.atomic():
            failed = AggregationRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, started_at=token
            ).update(
                status=RunStatus.FAILED,
                error=error,
                finished_at=timezone.now(),
                timings=timer.as_dict(),
            )
            if failed:
                _delete_snapshots(run)
        run.refresh_from_db()
    except Exception:
        # The database may be what failed; the run then stays 'running' until it goes stale.
        logger.exception("Could not record the failure of run %s", run.pk)


def _pause_for_tests() -> None:
    # Only the worker tests set it, to have time to kill a worker in the middle of a run.
    if settings.NIGHTLY_TEST_SLEEP_SECONDS > 0:
        time.sleep(settings.NIGHTLY_TEST_SLEEP_SECONDS)


def _execute(*, run: AggregationRun, token: datetime) -> None:
    timer = StageTimer()
    try:
        computed = compute(run=run, timer=timer)
        _pause_for_tests()
        _finish(run=run, token=token, computed=computed, timer=timer)
    except RunLost:
        raise
    except Exception:
        _record_failure(run=run, token=token, timer=timer)
        raise


def aggregate_organization(
    *,
    organization_id: int,
    as_of: date,
    force: bool = False,
    max_attempts: int | None = None,
    claimant: str = "",
) -> RunResult:
    """Compute and store the organization's snapshots as of a date, unless another attempt runs.

    ``force`` recomputes a run that already succeeded (operators, ``run_nightly``); a task
    redelivered after success does not. ``max_attempts`` fails a run claimed that many times
    (a worker killed each time) instead of trying again. ``claimant`` names the caller (a
    Celery task id): the same claimant may take back a run it left 'running'. A failure is
    recorded on the run and raised again.
    """
    run = run_get_or_create(organization_id=organization_id, as_of=as_of)
    token = run_claim(run=run, force=force, max_attempts=max_attempts, claimant=claimant)
    if token is None:
        return _unclaimed(run=run, max_attempts=max_attempts, claimant=claimant)
    run.refresh_from_db()
    logger.info("Run %s of organization %s started", as_of, organization_id)
    try:
        _execute(run=run, token=token)
    except RunLost:
        logger.warning("Run %s of organization %s was taken over", as_of, organization_id)
        run.refresh_from_db()
        return RunResult(run, "lost")
    logger.info("Run %s of organization %s: %s %s", as_of, organization_id, run.timings, run.counts)
    return RunResult(run, RunStatus.SUCCEEDED.value)
