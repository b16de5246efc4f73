"""The Celery tasks of the nightly run, eager (in-process), and the Celery settings they rely on."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db import connection
from freezegun import freeze_time

from fii.celery import app
from insights import catchup, pipeline, tasks
from insights.models import AggregationRun, FamilySnapshot, RunStatus
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

AS_OF = "2024-07-02"


def test_nightly_queues_one_run_per_organization(world_a, world_b) -> None:
    queued = tasks.nightly.delay(AS_OF).get()

    assert queued == 2
    runs = AggregationRun.objects.order_by("organization__slug")
    assert [(r.organization.slug, r.status) for r in runs] == [
        ("alpha", RunStatus.SUCCEEDED),
        ("beta", RunStatus.SUCCEEDED),
    ]
    assert {r.as_of for r in runs} == {dt.date(2024, 7, 2)}
    assert FamilySnapshot.objects.count() == 4


@freeze_time("2024-08-01 02:30", tz_offset=0)
def test_nightly_runs_as_of_today_in_utc(world_a) -> None:
    tasks.nightly.delay()

    run = AggregationRun.objects.get()
    assert (run.as_of, run.last_period) == (dt.date(2024, 8, 1), dt.date(2024, 7, 1))


def test_the_task_takes_ids_and_iso_dates_and_returns_the_outcome(world_a) -> None:
    first = tasks.aggregate_organization.delay(world_a.org.pk, AS_OF).get()
    duplicate = tasks.aggregate_organization.delay(world_a.org.pk, AS_OF).get()

    assert (first, duplicate) == ("succeeded", "done")
    assert AggregationRun.objects.get().attempts == 1
    assert FamilySnapshot.objects.count() == 2


def test_an_in_process_run_reports_a_failure_at_once(world_a, monkeypatch) -> None:
    def broken(*, run, timer):  # type: ignore[no-untyped-def]
        raise ConnectionError("database went away")

    monkeypatch.setattr(pipeline, "compute", broken)

    with pytest.raises(ConnectionError):
        tasks.aggregate_organization.delay(world_a.org.pk, AS_OF)

    run = AggregationRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "database went away" in run.error


def test_a_worker_retries_a_failed_run_later_with_backoff(world_a, monkeypatch) -> None:
    task = tasks.aggregate_organization
    retries = []

    def broken(*, run, timer):  # type: ignore[no-untyped-def]
        raise ConnectionError("database went away")

    def retry(*, exc, countdown):  # type: ignore[no-untyped-def]
        retries.append((type(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(pipeline, "compute", broken)
    monkeypatch.setattr(task, "retry", retry)
    task.push_request(is_eager=False, retries=2)
    try:
        with pytest.raises(Retry):
            task(world_a.org.pk, AS_OF)
    finally:
        task.pop_request()

    assert retries == [(ConnectionError, 240)]
    assert AggregationRun.objects.get().status == RunStatus.FAILED


def test_retries_back_off_up_to_a_quarter_of_an_hour() -> None:
    assert [tasks.retry_countdown(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    assert tasks.aggregate_organization.max_retries == django_settings.NIGHTLY_MAX_ATTEMPTS - 1


def test_a_run_that_hit_its_time_limit_is_not_run_again_by_the_catch_up(
    world_a, monkeypatch
) -> None:
    def too_long(*, run, timer):  # type: ignore[no-untyped-def]
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(pipeline, "compute", too_long)
    with pytest.raises(SoftTimeLimitExceeded):
        tasks.aggregate_organization.delay(world_a.org.pk, AS_OF)

    run = AggregationRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.FAILED, django_settings.NIGHTLY_MAX_ATTEMPTS)
    later = dt.datetime.combine(run.as_of, dt.time(12), tzinfo=dt.UTC)
    assert world_a.org.pk not in catchup.organizations_behind(night=run.as_of, now=later)


def test_the_task_fails_at_once_for_an_organization_that_is_gone(db) -> None:
    from fii.models import Organization

    with pytest.raises(Organization.DoesNotExist):
        tasks.aggregate_organization.delay(999_999, AS_OF).get()

    assert not AggregationRun.objects.exists()


def test_the_tasks_are_registered_under_stable_names() -> None:
    assert tasks.nightly.name == "insights.tasks.nightly"
    assert tasks.aggregate_organization.name == "insights.tasks.aggregate_organization"
    assert "insights.tasks.aggregate_organization" in app.tasks


def test_a_killed_worker_gives_the_run_back_and_late_acks_make_it_safe() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert tasks.aggregate_organization.acks_late is True
    assert tasks.aggregate_organization.reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"


def test_the_visibility_timeout_outlasts_the_time_limits() -> None:
    conf = app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert conf.task_soft_time_limit < conf.task_time_limit < visibility
    assert conf.result_backend_transport_options["visibility_timeout"] == visibility
    # A run older than the hard limit cannot be alive: only then may another attempt claim it.
    assert conf.task_time_limit <= django_settings.NIGHTLY_STALE_SECONDS


def test_beat_runs_the_nightly_task_at_half_past_two_utc() -> None:
    entry = app.conf.beat_schedule["nightly-aggregation"]
    assert entry["task"] == "insights.tasks.nightly"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert app.conf.timezone == "UTC"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_ten_simultaneous_requests_run_the_night_exactly_once() -> None:
    world = build_world("alpha")
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def request() -> None:
        barrier.wait()
        try:
            outcomes.append(tasks.aggregate_organization.apply(args=[world.org.pk, AS_OF]).result)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("succeeded") == 1
    assert set(outcomes) <= {"succeeded", "busy", "done"}
    run = AggregationRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 1)
    assert FamilySnapshot.objects.count() == 2
