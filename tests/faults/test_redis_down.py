"""Redis stopped: families log in and submit journals, staff pages work, imports wait and resume.

The cache (allauth's rate limits, DRF's throttles) and the Celery broker point at a private
redis-server that each test kills. docs/faults.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from freezegun import freeze_time

from families.models import Family, ImportJob, ImportStatus
from fii.models import AuditEvent
from journals.models import EntryStatus, JournalEntry
from journals.tasks import requeue_import_jobs
from tests import factories as f
from tests.api.conftest import api_client_for
from tests.conftest import World, build_world, client_for
from tests.journals.test_journal import answers

from .conftest import RedisServer, queued_tasks, run_queued_tasks

pytestmark = pytest.mark.django_db

JULY = "/o/alpha/family/journal/2024-7/"
# Each request with Redis dead must cost milliseconds; a generous bound for a slow CI machine.
FAST_SECONDS = 1.0
STAFF_PAGES = ("/o/alpha/", "/o/alpha/families/", "/o/alpha/groups/", "/o/alpha/import/")
FAMILIES_CSV = (
    "household_name,group_name,joined_on,household_size,baseline_income\n"
    "Redis-down household,,2024-01-01,3,1500\n"
)


def timed(call):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


@pytest.fixture
def world() -> World:
    world = build_world("alpha")
    # The first request of a process imports views and compiles templates (about 1 s): done
    # here, with Redis up, so that the timings below measure what a dead Redis costs.
    Client().post("/accounts/login/", {"login": world.family_user.email, "password": "x"})
    family, staff = client_for(world.family_user), client_for(world.staff_user)
    family.get("/o/alpha/family/")
    for path in STAFF_PAGES:
        staff.get(path)
    return world


def log_in(email: str) -> Client:
    """Log in through allauth's form (its rate limits read and write the cache)."""
    client = Client()
    response, seconds = timed(
        lambda: client.post("/accounts/login/", {"login": email, "password": f.PASSWORD})
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert seconds < FAST_SECONDS
    return client


def test_the_cache_is_redis_and_rate_limits_use_it_while_it_runs(redis_cache, world):
    log_in(world.family_user.email)
    keys = [key.decode() for key in redis_cache.client().keys("*")]
    assert any("allauth" in key and "login" in key for key in keys)


@freeze_time("2024-07-05 17:00", tick=True)
def test_a_family_logs_in_and_submits_a_journal_with_redis_stopped(redis_cache, world):
    redis_cache.stop()

    family = log_in(world.family_user.email)
    home, seconds = timed(lambda: family.get("/o/alpha/family/"))
    assert home.status_code == 200 and seconds < FAST_SECONDS
    draft, _ = timed(lambda: family.post(JULY, {**answers(), "action": "draft"}))
    assert draft.status_code == 302
    entry = JournalEntry.objects.get(family=world.objects["family"], period=dt.date(2024, 7, 1))
    assert entry.status == EntryStatus.DRAFT
    submitted, seconds = timed(lambda: family.post(JULY, {**answers(), "action": "submit"}))
    assert submitted.status_code == 302 and seconds < FAST_SECONDS
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.income_wages == 2400
    assert "is submitted" in family.get(JULY).content.decode()


def test_staff_pages_and_the_api_work_with_redis_stopped(redis_cache, world):
    redis_cache.stop()

    staff = log_in(world.staff_user.email)
    for path in STAFF_PAGES:
        response, seconds = timed(lambda path=path: staff.get(path))
        assert response.status_code == 200, path
        assert seconds < FAST_SECONDS, (path, seconds)
    # DRF's throttles count in the cache: with none, every request is let through.
    api = api_client_for(world.staff_user)
    response = api.get("/api/v1/o/alpha/families/")
    assert response.status_code == 200
    assert world.objects["family"].name in response.content.decode()


def test_login_rate_limits_fail_open_while_redis_is_stopped(redis_cache, world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}
    wrong = {"login": world.family_user.email, "password": "wrong"}
    client = Client()

    def refused() -> list[bool]:
        pages = [client.post("/accounts/login/", wrong).content.decode() for _ in range(3)]
        return ["Too many failed login attempts" in page for page in pages]

    assert refused() == [False, False, True]  # Redis up: the third failure is refused
    redis_cache.stop()
    assert refused() == [False, False, False]  # the documented trade-off: no limit without it


def test_a_frozen_redis_costs_one_timeout_per_retry_period_not_one_per_call(redis_cache, caplog):
    cache.set("k", "v")
    redis_cache.freeze()
    try:
        with caplog.at_level(logging.WARNING, logger="fii.cache"):
            _, first = timed(lambda: cache.get("k", "missing"))
            _, next_hundred = timed(lambda: [cache.get("k") for _ in range(100)])
            assert cache.add("lock", True) is True  # allauth takes its lock and goes on
    finally:
        redis_cache.thaw()
    assert 0.4 < first < 1.5  # the 0.5 s socket timeout, once
    assert next_hundred < 0.05  # then the breaker skips Redis
    warnings = [r for r in caplog.records if r.name == "fii.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_the_cache_comes_back_by_itself_when_redis_does(redis_cache, settings, caplog):
    settings.CACHES["default"]["OPTIONS"]["RETRY_SECONDS"] = 0.2
    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="fii.cache"):
        for _ in range(20):
            cache.set("k", "v")
            assert cache.get("k", "missing") == "missing"
        with pytest.raises(ValueError, match="not found"):
            cache.incr("k")
        assert cache.get_many(["k"]) == {}
        assert cache.set_many({"a": 1}) == ["a"]

        redis_cache.start()
        time.sleep(0.3)
        cache.set("k", "v")
        assert cache.get("k") == "v"
    messages = [r.getMessage() for r in caplog.records if r.name == "fii.cache"]
    assert len(messages) == 2  # one when it went, one when it came back; not one per call
    assert "reachable again" in messages[1]


# Imports: the job is committed; the task waits for the broker -------------------------------


def start_import(staff: Client) -> tuple[HttpResponse, float]:
    """Post the import form and open the job's page it leads to.

    The tests run outside a test transaction (transaction=True), so that the task is queued on
    commit inside the request, as in production.
    """
    upload = SimpleUploadedFile("families.csv", FAMILIES_CSV.encode(), content_type="text/csv")
    response, seconds = timed(lambda: staff.post("/o/alpha/import/", {"families_file": upload}))
    assert response.status_code == 302
    return staff.get(response["Location"]), seconds


@pytest.mark.django_db(transaction=True)
@freeze_time("2024-07-05 12:00", tick=True)
def test_an_import_started_with_redis_stopped_waits_then_completes(
    redis_cache, redis_broker: RedisServer, world, settings
):
    staff = client_for(world.staff_user)
    redis_broker.stop()

    response, seconds = start_import(staff)
    assert response.status_code == 200  # the job's page, not an error
    assert seconds < FAST_SECONDS
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None and job.status == ImportStatus.QUEUED
    assert job.families_csv == FAMILIES_CSV
    assert "will start by itself within a few minutes" in response.content.decode()

    # Redis is back; the beat task finds the job waiting and sends it again.
    redis_broker.start()
    settings.IMPORT_REQUEUE_MINUTES = 0
    assert requeue_import_jobs() == 1
    assert run_queued_tasks(redis_broker) == [
        ("journals.tasks.import_families", [world.org.pk, job.pk])
    ]
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Family.objects.filter(name="Redis-down household").count() == 1


@pytest.mark.django_db(transaction=True)
@freeze_time("2024-07-05 12:00", tick=True)
def test_an_import_started_with_redis_running_is_queued_at_once(
    redis_cache, redis_broker: RedisServer, world
):
    response, _ = start_import(client_for(world.staff_user))
    assert "will start by itself" not in response.content.decode()
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    assert queued_tasks(redis_broker) == [
        ("journals.tasks.import_families", [world.org.pk, job.pk])
    ]


def test_queuing_an_import_fails_fast_with_redis_stopped(redis_broker: RedisServer, world):
    from journals.tasks import import_enqueue

    redis_broker.stop()
    job = f.ImportJobFactory(organization=world.org, status=ImportStatus.QUEUED)
    result, seconds = timed(lambda: import_enqueue(organization_id=world.org.pk, job_id=job.pk))
    assert result is False
    assert seconds < FAST_SECONDS  # a refused connection: about 60 ms with the retry


@freeze_time("2024-07-05 12:00", tick=True)
def test_the_sweeper_twice_runs_the_job_once(redis_broker: RedisServer, world, settings):
    job = f.ImportJobFactory(
        organization=world.org,
        status=ImportStatus.QUEUED,
        families_csv=FAMILIES_CSV,
        created_at=dt.datetime(2024, 7, 5, 11, 0, tzinfo=dt.UTC),
    )
    recent = f.ImportJobFactory(organization=world.org, status=ImportStatus.QUEUED)
    settings.IMPORT_REQUEUE_MINUTES = 10

    assert requeue_import_jobs() == 1  # the recent job is left to its own message
    assert requeue_import_jobs() == 1
    tasks = run_queued_tasks(redis_broker)
    assert tasks == [("journals.tasks.import_families", [world.org.pk, job.pk])] * 2
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Family.objects.filter(name="Redis-down household").count() == 1
    assert AuditEvent.objects.filter(action="import.completed").count() == 1
    assert requeue_import_jobs() == 0  # done: nothing to send again
    recent.refresh_from_db()
    assert recent.status == ImportStatus.QUEUED
