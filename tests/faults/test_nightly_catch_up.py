"""A night lost with Redis (down at 02:30 UTC, or restarted empty) is caught up within the hour."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from freezegun import freeze_time

from fii.celery import app as celery_app
from insights import catchup
from insights.models import AggregationRun, RunStatus
from insights.tasks import nightly_catch_up
from tests import factories as f
from tests.conftest import build_world

from .conftest import RedisServer, run_queued_tasks

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NIGHT = dt.date(2024, 7, 2)
NOW = dt.datetime(2024, 7, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "night"),
    [
        (dt.datetime(2024, 7, 2, 2, 0, tzinfo=UTC), dt.date(2024, 7, 1)),
        (dt.datetime(2024, 7, 2, 3, 29, tzinfo=UTC), dt.date(2024, 7, 1)),  # runs may be queued
        (dt.datetime(2024, 7, 2, 3, 30, tzinfo=UTC), dt.date(2024, 7, 2)),
        (dt.datetime(2024, 7, 2, 23, 59, tzinfo=UTC), dt.date(2024, 7, 2)),
        # A time zone other than UTC is the same instant.
        (dt.datetime(2024, 7, 1, 20, 45, tzinfo=dt.timezone(dt.timedelta(hours=-7))), NIGHT),
    ],
)
def test_the_last_night_is_todays_once_its_grace_hour_has_passed(now, night):
    assert catchup.last_night(now=now) == night


def run(org, status: str, *, as_of=NIGHT, attempts=1, started=None):  # type: ignore[no-untyped-def]
    return AggregationRun.objects.create(
        organization=org,
        as_of=as_of,
        status=status,
        attempts=attempts,
        started_at=started or (NOW if status != RunStatus.PENDING else None),
    )


def test_it_selects_the_organizations_without_a_finished_run_of_the_night(settings):
    settings.NIGHTLY_STALE_SECONDS = 3600
    settings.NIGHTLY_MAX_ATTEMPTS = 5
    org = {name: f.OrganizationFactory(slug=name) for name in "abcdefghi"}
    # a: no run at all (beat could not send the night).
    run(org["b"], RunStatus.SUCCEEDED)
    run(org["c"], RunStatus.SUCCEEDED, as_of=NIGHT - dt.timedelta(days=1))  # last night missing
    run(org["d"], RunStatus.RUNNING, started=NOW - dt.timedelta(minutes=10))  # live
    run(org["e"], RunStatus.RUNNING, started=NOW - dt.timedelta(hours=2))  # its worker is gone
    run(org["f"], RunStatus.FAILED, attempts=1)  # may be tried again
    run(org["g"], RunStatus.FAILED, attempts=5)  # gave up: not looped on every hour
    run(org["h"], RunStatus.PENDING, attempts=0)  # created, never claimed
    run(org["i"], RunStatus.SUCCEEDED, as_of=NIGHT + dt.timedelta(days=1))  # a later manual run

    behind = catchup.organizations_behind(night=NIGHT, now=NOW)

    slugs = {o.pk: s for s, o in org.items()}
    assert sorted(slugs[pk] for pk in behind) == ["a", "c", "e", "f", "h"]


@freeze_time("2024-07-02 09:00")
def test_the_catch_up_runs_the_missed_night_once_and_then_does_nothing():
    world = build_world("alpha")
    other = f.OrganizationFactory(slug="other")
    run(other, RunStatus.SUCCEEDED)

    # Eager (the test settings): each queued run happens at once, in this process.
    assert nightly_catch_up() == 1
    missed = AggregationRun.objects.get(organization=world.org, as_of=NIGHT)
    assert missed.status == RunStatus.SUCCEEDED
    assert missed.counts["families"] == 2
    assert nightly_catch_up() == 0


@freeze_time("2024-07-02 09:00", tick=True)
def test_after_redis_returns_the_catch_up_queues_the_night_through_the_broker(
    redis_broker: RedisServer,
):
    world = build_world("alpha")
    assert nightly_catch_up() == 1
    assert nightly_catch_up() == 1  # twice: a duplicate message, and still one run
    tasks = run_queued_tasks(redis_broker)
    assert tasks == [("insights.tasks.aggregate_organization", [world.org.pk, "2024-07-02"])] * 2
    missed = AggregationRun.objects.get(organization=world.org)
    assert (missed.status, missed.attempts) == (RunStatus.SUCCEEDED, 1)


def test_beat_schedules_the_catch_up_and_the_import_sweeper_in_utc():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert django_settings.CELERY_TIMEZONE == "UTC"
    nightly = schedule["nightly-aggregation"]["schedule"]
    assert nightly == crontab(hour=2, minute=30)
    assert schedule["nightly-catch-up"]["schedule"] == crontab(minute=45)
    assert schedule["import-requeue"]["schedule"] == crontab(minute="*/5")
    celery_app.loader.import_default_modules()  # what a worker does at start
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks
