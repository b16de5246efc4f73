"""Stop Redis and restart PostgreSQL under a running fii, and show that it carries on.

    .venv/bin/python benchmarks/faults.py [--write-docs]

Everything is private to the run, on free ports, in a temporary folder: a PostgreSQL cluster
(initdb and pg_ctl from the server packages; as the `postgres` OS user when run as root), its
database fii_faults, a redis-server without persistence (a restart loses its queue: the worst
case), gunicorn (2 sync workers) and a Celery worker. The script plays celery beat by sending
the scheduled tasks through Redis by name. Over HTTP it then:

1. logs a family and a staff member in, with everything up (the reference latencies);
2. kills Redis: a family logs in, opens home, saves a draft and submits a journal; staff open
   their pages and start an import (kept queued, with a message); beat's nightly cannot be sent;
3. starts Redis again (empty) and sends the beat tasks that catch up: the import sweeper and
   the nightly catch-up; waits for the import and the night's run to finish;
4. restarts PostgreSQL (pg_ctl restart -m fast) while requests keep coming, without touching
   gunicorn or the worker; then starts another import, which the worker runs.

It prints each step with its timings; --write-docs writes docs/faults.md with the output.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.data import JOURNAL_ANSWERS as ANSWERS  # noqa: E402
from tests.data import PASSWORD  # noqa: E402

DOCS = ROOT / "docs" / "faults.md"
DATABASE = "fii_faults"
FAMILY, STAFF = "family@alpha.example", "staff@alpha.example"
FAMILIES_CSV = (
    "household_name,group_name,joined_on,household_size,baseline_income\n"
    "{name},,2024-01-01,3,1500\n"
)

LINES: list[str] = []


def say(text: str = "") -> None:
    LINES.append(text)
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 60.0) -> float:
    """Wait until the condition holds; return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if condition():
                return time.monotonic() - start
        except Exception:  # noqa: S110 - not ready yet
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


# --- the private services ---------------------------------------------------------------------


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: install the PostgreSQL server package")
    return path


class Postgres:
    """A throwaway cluster: initdb, pg_ctl start, restart and stop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "pg"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)  # noqa: S603

    def init(self) -> None:
        self.folder.mkdir()
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.folder.parent, "postgres", "postgres")
        self._run(
            pg_bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"
        )
        self.start()
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        data = str(self.folder / "data")
        log = str(self.folder / "log")
        self._run(pg_bin("pg_ctl"), action, "-D", data, "-l", log, "-o", options, "-w", *extra)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        start = time.monotonic()
        command = [
            shutil.which("redis-server") or "redis-server",
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
            *("--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_for(self.answers, what="Redis")
        return time.monotonic() - start

    def answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


# --- the app ----------------------------------------------------------------------------------


def app_env(pg: Postgres, redis: Redis) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": pg.url,
        "REDIS_URL": redis.url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "SECURE": "0",
        "STATIC_MANIFEST": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Staff would need a TOTP code to log in; the second factor is not under test here.
        "REQUIRE_MFA": "0",
        "CONN_MAX_AGE": "60",
        # Send a waiting import again at the first sweep (production: after 5 minutes).
        "IMPORT_REQUEUE_MINUTES": "0",
        "LOG_LEVEL": "WARNING",
    }


def seed() -> None:
    """Child process: one organization with its people (tests.conftest.build_world)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fii.settings")
    django.setup()
    from tests.conftest import build_world

    build_world("alpha")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Person:
    """A browser: a requests session that logs in through the allauth form."""

    def __init__(self, base: str, email: str) -> None:
        self.base, self.email = base, email
        self.http = requests.Session()

    def csrf(self, path: str) -> str:
        page = self.http.get(self.base + path, timeout=30)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return match.group(1) if match else self.http.cookies.get("csrftoken", "")

    def log_in(self) -> tuple[int, float]:
        token = self.csrf("/accounts/login/")
        data = {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        return self.post("/accounts/login/", data)

    def get(self, path: str) -> tuple[int, float]:
        start = time.monotonic()
        response = self.http.get(self.base + path, timeout=30, allow_redirects=False)
        return response.status_code, time.monotonic() - start

    def post(
        self, path: str, data: dict[str, str], files: dict[str, Any] | None = None
    ) -> tuple[int, float]:
        start = time.monotonic()
        response = self.http.post(
            self.base + path,
            data=data,
            files=files,
            timeout=30,
            allow_redirects=False,
            headers={"Referer": self.base + path},
        )
        self.last = response
        return response.status_code, time.monotonic() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def step(label: str, result: tuple[int, float]) -> int:
    status, seconds = result
    say(f"  {label:<52} {status}  {ms(seconds):>8}")
    return status


def start_import(staff: Person, name: str) -> int:
    token = staff.csrf("/o/alpha/import/")
    files = {"families_file": ("families.csv", FAMILIES_CSV.format(name=name), "text/csv")}
    step(
        "staff: start an import",
        staff.post("/o/alpha/import/", {"csrfmiddlewaretoken": token}, files),
    )
    location = staff.last.headers.get("Location", "")
    match = re.search(r"/import/(\d+)/", location)
    if not match:
        raise SystemExit(f"no job page after the import: {staff.last.status_code}")
    return int(match.group(1))


def job_status(staff: Person, job_id: int) -> str:
    response = staff.http.get(f"{staff.base}/o/alpha/import/{job_id}/status.json", timeout=10)
    return str(response.json()["status"])


def send_beat_task(redis: Redis, name: str) -> tuple[bool, float, str]:
    """Send a scheduled task by name, as celery beat does; return (sent, seconds, error)."""
    from celery import Celery

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fii.settings")
    from django.conf import settings

    sender = Celery("fii-faults-beat", broker=redis.url)
    sender.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    sender.conf.task_publish_retry_policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    start = time.monotonic()
    try:
        sender.send_task(name)
    except Exception as exc:
        return False, time.monotonic() - start, f"{type(exc).__name__}: {exc}"
    finally:
        sender.close()
    return True, time.monotonic() - start, ""


def night_runs(pg: Postgres) -> list[tuple[str, str, int]]:
    with psycopg.connect(pg.url) as conn:
        rows = conn.execute(
            "SELECT as_of::text, status, attempts FROM insights_aggregationrun ORDER BY id"
        ).fetchall()
    return [(str(a), str(s), int(n)) for a, s, n in rows]


def journal_status(pg: Postgres) -> list[tuple[str, str]]:
    with psycopg.connect(pg.url) as conn:
        rows = conn.execute(
            "SELECT period::text, status FROM journals_journalentry ORDER BY period"
        ).fetchall()
    return [(str(p), str(s)) for p, s in rows]


# --- the scenario -----------------------------------------------------------------------------


def all_up(family: Person, staff: Person) -> None:
    say("1. Everything up")
    step("family: log in", family.log_in())
    step("family: home", family.get("/o/alpha/family/"))
    step("staff: log in", staff.log_in())
    step("staff: families", staff.get("/o/alpha/families/"))


def redis_down(base: str, redis: Redis, pg: Postgres, staff: Person) -> int:
    say()
    say("2. Redis killed")
    redis.kill()
    family = Person(base, FAMILY)
    step("family: log in (rate limits fail open)", family.log_in())
    step("family: home", family.get("/o/alpha/family/"))
    month = family.http.get(base + "/o/alpha/family/journal/", timeout=30).url[len(base) :]
    token = family.csrf(month)
    step(
        f"family: save a draft of {month}",
        family.post(month, {**ANSWERS, "action": "draft", "csrfmiddlewaretoken": token}),
    )
    token = family.csrf(month)
    step(
        "family: submit it",
        family.post(month, {**ANSWERS, "action": "submit", "csrfmiddlewaretoken": token}),
    )
    say(f"  journals in the database: {journal_status(pg)}")
    for path in ("/o/alpha/", "/o/alpha/families/", "/o/alpha/groups/", "/o/alpha/import/"):
        step(f"staff: {path}", staff.get(path))
    job = start_import(staff, "Imported while Redis was down")
    page = staff.http.get(f"{base}/o/alpha/import/{job}/", timeout=30).text
    waiting = "will start by itself" in page
    say(f"  import job {job}: {job_status(staff, job)}; the page says it starts later: {waiting}")
    sent, seconds, error = send_beat_task(redis, "insights.tasks.nightly")
    say(f"  beat sends the nightly: sent={sent}, failed after {ms(seconds)}")
    say(f"    {error[:90]}")
    return job


def redis_back(redis: Redis, pg: Postgres, staff: Person, job: int) -> None:
    say()
    say("3. Redis started again, empty (no persistence: any queued message is gone)")
    say(f"  redis-server answering after {ms(redis.start())}")
    back = time.monotonic()
    for task in ("journals.tasks.requeue_import_jobs", "insights.tasks.nightly_catch_up"):
        sent, seconds, _ = send_beat_task(redis, task)
        say(f"  beat sends {task}: sent={sent} in {ms(seconds)}")
    wait_for(lambda: job_status(staff, job) == "done", what="the import")
    say(f"  import job {job}: done, {time.monotonic() - back:.1f} s after Redis came back")
    wait_for(lambda: any(s == "succeeded" for _, s, _ in night_runs(pg)), what="the night")
    say(f"  nightly run caught up, {time.monotonic() - back:.1f} s after Redis came back")
    say(f"  runs (as of, status, attempts): {night_runs(pg)}")


def postgres_restart(base: str, pg: Postgres, staff: Person) -> None:
    say()
    say("4. PostgreSQL restarted (pg_ctl restart -m fast); gunicorn and the worker untouched")
    results: list[tuple[float, int, float]] = []
    stop_polling = threading.Event()
    poller = Person(base, STAFF)
    poller.http.cookies.update(staff.http.cookies)

    def poll() -> None:
        while not stop_polling.is_set():
            at = time.monotonic()
            try:
                status, seconds = poller.get("/o/alpha/families/")
            except requests.RequestException:
                status, seconds = 0, time.monotonic() - at
            results.append((at, status, seconds))
            time.sleep(0.02)

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(1.0)
    restart_at = time.monotonic()
    pg.restart()
    restarted = time.monotonic()
    time.sleep(1.5)
    stop_polling.set()
    thread.join()
    say(f"  restart took {ms(restarted - restart_at)}")
    before = [r for r in results if r[0] < restart_at]
    during = [r for r in results if restart_at <= r[0] < restarted]
    after = [r for r in results if r[0] >= restarted]
    for label, group in (("before", before), ("during", during), ("after", after)):
        counts = {
            code: sum(1 for _, s, _ in group if s == code) for code in {s for _, s, _ in group}
        }
        statuses = ", ".join(f"{n} x {code}" for code, n in sorted(counts.items()))
        slowest = max((sec for _, _, sec in group), default=0.0)
        say(f"  requests {label:<6} the restart: {statuses or 'none'}; slowest {ms(slowest)}")
    first_ok = next((at for at, s, _ in after if s == 200), None)
    if first_ok is not None:
        say(f"  first 200 after the restart: {ms(first_ok - restarted)} after it ended")
    step("staff: families, after the restart", staff.get("/o/alpha/families/"))
    job = start_import(staff, "Imported after the PostgreSQL restart")
    took = wait_for(lambda: job_status(staff, job) == "done", what="the import after the restart")
    say(f"  import job {job}: done by the same worker in {took:.1f} s")


def run() -> None:
    folder = Path(tempfile.mkdtemp(prefix="fii-faults-"))
    os.chmod(folder, 0o755)  # noqa: S103 - the postgres user reads its socket folder
    pg, redis = Postgres(folder), Redis(folder)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        pg.init()
        redis.start()
        env = app_env(pg, redis)
        python = sys.executable
        migrate = [python, "manage.py", "migrate", "-v", "0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run([python, __file__, "--seed"], cwd=ROOT, env=env, check=True)  # noqa: S603
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = [python, "-m", "gunicorn", "fii.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
        processes.append(start(gunicorn, env, folder / "gunicorn.log"))
        worker = [python, "-m", "celery", "-A", "fii", "worker", "--pool", "solo", "-l", "INFO"]
        processes.append(start(worker, env, folder / "worker.log"))
        wait_for(lambda: requests.get(base + "/healthz", timeout=2).ok, what="gunicorn")
        now = datetime.now(UTC)
        say(f"fii on gunicorn (2 sync workers), a Celery worker (solo), {now:%Y-%m-%d %H:%M} UTC")
        say("private PostgreSQL cluster and redis-server; times are per HTTP request")
        say()
        family, staff = Person(base, FAMILY), Person(base, STAFF)
        all_up(family, staff)
        job = redis_down(base, redis, pg, staff)
        redis_back(redis, pg, staff, job)
        postgres_restart(base, pg, staff)
        say()
        say(
            "gunicorn and the worker were never restarted: "
            + ("both still running" if all(p.poll() is None for p in processes) else "one exited!")
        )
    finally:
        for process in processes:
            stop(process)
        redis.kill()
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


def write_docs() -> None:
    """Replace the last run in docs/faults.md (between its markers) with this one's output."""
    when = datetime.now(UTC).date().isoformat()
    section = "\n".join(
        [
            "<!-- faults:begin -->",
            f"Run on {when}, Python {platform.python_version()}, on one machine:",
            "",
            "```",
            *LINES,
            "```",
            "<!-- faults:end -->",
        ]
    )
    pattern = re.compile(r"<!-- faults:begin -->.*<!-- faults:end -->", re.DOTALL)
    DOCS.write_text(pattern.sub(lambda _: section, DOCS.read_text()))
    print(f"wrote {DOCS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="Write docs/faults.md.")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed()
        return
    run()
    if args.write_docs:
        write_docs()


if __name__ == "__main__":
    main()
