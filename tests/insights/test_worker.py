"""A real Celery worker on Redis runs the nightly aggregation, and finishes it after a SIGKILL.

These tests start `celery -A fii worker` as a subprocess on the live test database, so they
need PostgreSQL (a subprocess cannot see an SQLite test database, nor an open transaction) and
Redis: CELERY_TEST_REDIS_URL (CI: redis://127.0.0.1:6379/15, a database they flush), or a
Redis answering on 127.0.0.1:6379, whose database 15 is then used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
import redis
from celery import Celery
from django.db import connection

from insights.models import AggregationRun, FamilySnapshot, RunStatus
from insights.pipeline import aggregate_organization
from insights.selectors import snapshot_frames
from tests.conftest import build_world

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 7, 2)
# Short enough for a test: Redis gives an unacknowledged message back after this many seconds.
# The stale-run timeout stays at its default (hours): a redelivered task takes its run back
# because it is the same task, not because the run is old.
VISIBILITY_SECONDS = 5
WAIT_SECONDS = 40


def _test_redis_url() -> str | None:
    url = os.environ.get("CELERY_TEST_REDIS_URL")
    if url:
        return url
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return None
    return "redis://127.0.0.1:6379/15"


REDIS_URL = _test_redis_url()

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs PostgreSQL"
    ),
    pytest.mark.skipif(REDIS_URL is None, reason="no Redis: set CELERY_TEST_REDIS_URL"),
]


def _database_url() -> str:
    """Return the URL of the live test database (pytest-django's test_<name>)."""
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL or "")
    client.flushdb()  # no message left over from another test or run
    yield client
    client.flushdb()


@contextmanager
def worker(**env: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run a Celery worker (prefork, one process) in its own process group; always kill it."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL or "",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "CONN_MAX_AGE": "0",
        **env,
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "fii", "worker", "--loglevel", "INFO"),
        *("--pool", "prefork", "--concurrency", "1", "--hostname", f"test-{uuid.uuid4().hex}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            kill(process)
            log.seek(0)
            # Shown by pytest when the test fails: what the worker did.
            sys.stdout.write(log.read().decode(errors="replace")[-6000:])


def pool_children(process: subprocess.Popen[bytes]) -> list[int]:
    """Return the pids of the worker's pool processes (Linux /proc)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its pool children, as `docker kill` or the OOM killer would."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def enqueue(organization_id: int) -> None:
    """Send the task through Redis by name, as celery beat's fan-out does."""
    sender = Celery("fii-test-sender", broker=REDIS_URL)
    try:
        sender.send_task(
            "insights.tasks.aggregate_organization", args=[organization_id, AS_OF.isoformat()]
        )
    finally:
        sender.close()


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def run_status(organization_id: int) -> str | None:
    run = AggregationRun.objects.filter(organization_id=organization_id, as_of=AS_OF).first()
    return run.status if run else None


def queue_is_empty(broker: redis.Redis) -> bool:
    """Return whether no message waits in the queue or unacknowledged (kombu's keys)."""
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def test_a_worker_runs_the_nightly_aggregation(broker: redis.Redis) -> None:
    world = build_world("alpha")

    with worker():
        enqueue(world.org.pk)
        wait_for(lambda: run_status(world.org.pk) == RunStatus.SUCCEEDED, what="the run")
        wait_for(lambda: queue_is_empty(broker), what="the acknowledgement", timeout=10)

    run = AggregationRun.objects.get()
    assert run.attempts == 1
    assert run.counts["families"] == 2
    assert set(run.timings) >= {"load", "features", "deviance", "write", "capital"}
    assert FamilySnapshot.objects.filter(run=run).count() == 2


def assert_same_as_an_undisturbed_run(run: AggregationRun) -> None:
    """Recompute the run in this process and compare every snapshot value."""
    redelivered = snapshot_frames(run=run)
    assert len(redelivered[0]) == FamilySnapshot.objects.count() == 2
    undisturbed = snapshot_frames(
        run=aggregate_organization(organization_id=run.organization_id, as_of=AS_OF, force=True).run
    )
    pd.testing.assert_frame_equal(redelivered[0], undisturbed[0])
    pd.testing.assert_frame_equal(redelivered[1], undisturbed[1])


def test_a_run_whose_pool_process_is_killed_is_requeued_at_once(broker: redis.Redis) -> None:
    world = build_world("alpha")
    org_id = world.org.pk

    # Each attempt sleeps 8 s before writing: ample time to kill the first, even on a slow
    # machine, and not too long to wait for the second.
    with worker(NIGHTLY_TEST_SLEEP_SECONDS="8") as process:
        enqueue(org_id)
        wait_for(lambda: run_status(org_id) == RunStatus.RUNNING, what="the first claim")
        (child,) = pool_children(process)
        os.kill(child, signal.SIGKILL)
        # task_reject_on_worker_lost: the message goes straight back to the queue, and the
        # worker's new pool process takes it (no visibility timeout to wait for).
        wait_for(lambda: AggregationRun.objects.get().attempts == 2, what="the redelivery")
        wait_for(lambda: run_status(org_id) == RunStatus.SUCCEEDED, what="the run")
        wait_for(lambda: queue_is_empty(broker), what="the acknowledgement", timeout=10)

    run = AggregationRun.objects.get()
    assert run.attempts == 2
    assert_same_as_an_undisturbed_run(run)


def test_a_run_whose_worker_is_killed_is_redelivered_and_completes_once(
    broker: redis.Redis,
) -> None:
    world = build_world("alpha")
    org_id = world.org.pk

    # The first worker sleeps between computing and writing, so it dies with nothing written.
    with worker(NIGHTLY_TEST_SLEEP_SECONDS="60") as first:
        enqueue(org_id)
        wait_for(lambda: run_status(org_id) == RunStatus.RUNNING, what="the first claim")
        delivered = time.monotonic()
        time.sleep(0.5)
        kill(first)

    assert run_status(org_id) == RunStatus.RUNNING
    assert not FamilySnapshot.objects.exists()
    # Redis gives the unacknowledged message back once the visibility timeout has passed.
    time.sleep(max(0.0, delivered + VISIBILITY_SECONDS + 1 - time.monotonic()))

    with worker():
        wait_for(lambda: run_status(org_id) == RunStatus.SUCCEEDED, what="the redelivered run")
        wait_for(lambda: queue_is_empty(broker), what="the acknowledgement", timeout=10)

    run = AggregationRun.objects.get()
    assert run.attempts == 2  # claimed by the killed worker, then by the second one
    assert run.error == ""
    assert_same_as_an_undisturbed_run(run)
