"""PostgreSQL restarted: the app reconnects by itself, in the web process and in a worker.

A restart terminates every backend, which is what these tests do with pg_terminate_backend
(restarting the shared server is not an option in CI). Requests go through Django's real WSGI
handler, as under gunicorn: request_started runs close_old_connections, which with
CONN_HEALTH_CHECKS makes the first query of the next request check the persistent connection
and open a new one if it died. benchmarks/faults.py restarts a private PostgreSQL for real.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client

from families.models import Family, ImportJob, ImportStatus
from journals.tasks import import_enqueue
from tests import factories as f
from tests.conftest import World, build_world

from .conftest import RedisServer, wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def _connect_kwargs() -> dict[str, Any]:
    s = connection.settings_dict
    return {
        "dbname": s["NAME"],
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
    }


def terminate_backends(*, spare: int = 0) -> int:
    """Terminate every backend of the test database but ``spare``, as a server restart does."""
    with psycopg.connect(**_connect_kwargs(), autocommit=True) as admin:
        others = f"datname = current_database() AND pid NOT IN (pg_backend_pid(), {int(spare)})"
        killed = admin.execute(
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {others}"  # noqa: S608
        ).fetchone()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            left = admin.execute(f"SELECT count(*) FROM pg_stat_activity WHERE {others}").fetchone()  # noqa: S608
            if left and left[0] == 0:
                break
            time.sleep(0.05)
    return int(killed[0]) if killed else 0


class Browser:
    """Call Django's WSGI application directly, with a session cookie, as gunicorn would."""

    def __init__(self, session_key: str) -> None:
        self.app = WSGIHandler()
        self.cookie = f"sessionid={session_key}"

    def get(self, path: str) -> tuple[int, str, float]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": self.cookie,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []

        def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(line)

        started = time.monotonic()
        result = self.app(environ, start_response)
        try:
            body = b"".join(result).decode()
        finally:
            result.close()  # fires request_finished, as a WSGI server does
        return int(status[0].split()[0]), body, time.monotonic() - started


@pytest.fixture
def world() -> World:
    return build_world("alpha")


@pytest.fixture
def staff(world: World) -> Browser:
    client = Client()
    client.force_login(world.staff_user)
    return Browser(client.cookies["sessionid"].value)


def test_the_settings_keep_connections_and_check_them():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_the_next_request_after_a_restart_succeeds(staff: Browser, world: World):
    status, body, _ = staff.get("/o/alpha/families/")
    assert status == 200
    before = connection.connection.info.backend_pid  # type: ignore[union-attr]

    assert terminate_backends() >= 1  # the persistent connection the request left open

    status, body, seconds = staff.get("/o/alpha/families/")
    assert status == 200
    assert world.objects["family"].name in body
    assert seconds < 5
    assert connection.connection.info.backend_pid != before  # type: ignore[union-attr]


@contextmanager
def backend_killed_mid_request(after_queries: int) -> Iterator[list[str]]:
    """Terminate every backend, this one included, just before the request's Nth query."""
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        seen.append(sql)
        if len(seen) == after_queries:
            with psycopg.connect(**_connect_kwargs(), autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
                )  # type: ignore[union-attr]
            time.sleep(0.1)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield seen


def test_a_request_in_flight_during_a_restart_gets_an_error_page_and_the_next_one_works(
    staff: Browser, world: World
):
    staff.get("/o/alpha/families/")  # a warm, persistent connection

    with backend_killed_mid_request(after_queries=3) as seen:
        status, body, seconds = staff.get("/o/alpha/families/")
    assert len(seen) >= 3
    assert status == 500
    assert seconds < 5  # an error page at once, not a hang
    assert "Traceback" not in body

    status, body, _ = staff.get("/o/alpha/families/")
    assert status == 200
    assert world.objects["family"].name in body


# The worker ---------------------------------------------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(redis_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run a real Celery worker (one process, persistent connections) until the block ends."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": redis_url}
    env["CONN_MAX_AGE"] = "60"
    command = [
        *(sys.executable, "-m", "celery", "-A", "fii", "worker", "--loglevel", "INFO"),
        *("--pool", "solo", "--hostname", f"faults-{uuid.uuid4().hex}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            process.kill()
            process.wait(timeout=10)
            log.seek(0)
            sys.stdout.write(log.read().decode(errors="replace")[-6000:])


def import_job(world: World, name: str) -> ImportJob:
    csv = f"household_name,group_name,joined_on,household_size,baseline_income\n{name},,2024-01-01,2,900\n"
    return f.ImportJobFactory(organization=world.org, status=ImportStatus.QUEUED, families_csv=csv)


def job_status(job: ImportJob) -> str:
    job.refresh_from_db()
    return job.status


def test_a_worker_carries_on_after_a_restart(redis_broker: RedisServer, world: World):
    first, second = import_job(world, "Before restart"), import_job(world, "After restart")

    with celery_worker(redis_broker.url):
        assert import_enqueue(organization_id=world.org.pk, job_id=first.pk)
        wait_for(lambda: job_status(first) == ImportStatus.DONE, what="the first import")

        # The worker's connections; this process (the test, not the app) keeps its own.
        terminate_backends(spare=connection.connection.info.backend_pid)  # type: ignore[union-attr]
        assert import_enqueue(organization_id=world.org.pk, job_id=second.pk)
        wait_for(lambda: job_status(second) == ImportStatus.DONE, what="the second import")

    assert Family.objects.filter(name__in=["Before restart", "After restart"]).count() == 2
