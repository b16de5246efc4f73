"""The load benchmark's site: its database, data, accounts and plan, and the server.

benchmarks/load.py measures it; benchmarks/pages.py (through load.py) uses the same data.
"""

from __future__ import annotations

import http.client
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORG = "riverside"  # one of seed_demo's organizations; the other one is there too
PASSWORD = "load-benchmark-2026"  # noqa: S105 (accounts of a throwaway database)
STAFF_ACCOUNTS = 10


# --- database and data ---------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings, as .env.example has them, for this machine's loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "REQUIRE_MFA": "1",
        # Pages are measured, not the static files they link to: serve them from static/
        # without running collectstatic (the same {% static %} lookups, no manifest file).
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }


APP_ROLE = "fii_load_app"


def with_row_security(env: dict[str, str], url: str) -> dict[str, str]:
    """Install the policies and return the server's environment with ROW_SECURITY on, connected
    as a role they hold (neither superuser nor BYPASSRLS), as docs/row-security.md deploys it."""
    from django.db import connection

    from fii import rowsecurity

    rowsecurity.install()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if not cursor.fetchone():
            cursor.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    parts = urlsplit(url)
    as_app = parts._replace(netloc=f"{APP_ROLE}@{parts.hostname}:{parts.port or 5432}")
    return {**env, "ROW_SECURITY": "1", "DATABASE_URL": urlunsplit(as_app)}


def setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(families: int, months: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", families=families, months=months, verbosity=0)
    call_command("run_nightly", org=ORG, verbosity=0)


def create_accounts(pool: int) -> list[list[Any]]:
    """Give `pool` families of the organization an account each, and create the staff (with a
    TOTP authenticator); return each account's e-mail, address, family and TOTP secret."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password

    from families.models import Family
    from fii.models import Membership, Organization, Role, User

    org = Organization.objects.get(slug=ORG)
    # Families without an account yet (seed_demo gave one family a demo account).
    chosen = list(
        Family.objects.for_org(org)
        .filter(memberships__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:pool]
    )
    if len(chosen) < pool:
        raise SystemExit(f"only {len(chosen)} families to give accounts to, {pool} wanted")
    hashed = make_password(PASSWORD)  # once: the real hasher, the same cost at login
    emails = [f"family{n}@load.example" for n in range(pool)]
    emails += [f"staff{n}@load.example" for n in range(STAFF_ACCOUNTS)]
    users = User.objects.bulk_create(User(email=e, name=e, password=hashed) for e in emails)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    Membership.objects.bulk_create(
        Membership(user=u, organization=org, role=Role.FAMILY, family_id=f)
        for u, f in zip(users, chosen, strict=False)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organization=org, role=Role.STAFF) for u in users[pool:]
    )
    accounts: list[list[Any]] = [
        [user.email, f"10.1.{n // 250}.{n % 250 + 1}", family_id, None]
        for n, (user, family_id) in enumerate(zip(users, chosen, strict=False))
    ]
    for n, user in enumerate(users[pool:]):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        accounts.append([user.email, f"10.2.0.{n + 1}", None, secret])
    return accounts


@dataclass(frozen=True)
class Plan:
    """Everything the people need to know about the site, looked up by the benchmark."""

    org_slug: str
    journal_path: str
    autosave_path: str
    answers: list[tuple[str, str]]  # every field of the journal, answered
    autosaves: int
    flag_ids: list[int]
    program_ids: list[int]
    queue_pages: int

    @property
    def family_home(self) -> str:
        return f"/o/{self.org_slug}/family/"

    @property
    def queue(self) -> str:
        return f"/o/{self.org_slug}/queue/"

    def draft(self, step: int) -> dict[str, str]:
        """Return the form as the autosave script posts it after a share of the typing."""
        typed = len(self.answers) * (step + 1) // (self.autosaves + 1)
        return dict(self.answers[:typed])

    def submission(self) -> dict[str, str]:
        return {**dict(self.answers), "action": "submit"}

    def for_people(self) -> dict[str, Any]:
        """The paths and forms the people use (benchmarks/load_client.py's Plan)."""
        return {
            "home": self.family_home,
            "journal": self.journal_path,
            "autosave": self.autosave_path,
            "drafts": [self.draft(step) for step in range(self.autosaves)],
            "submission": self.submission(),
            "queue": self.queue,
            "queue_pages": self.queue_pages,
            "flag_ids": self.flag_ids,
            "program_ids": self.program_ids,
        }


def make_plan(autosaves: int) -> Plan:
    """Look up what the people's scripts need: paths, every journal answer, the flags."""
    from django.urls import reverse

    from capital.models import Flag, FlagStatus, Program
    from fii.models import Organization
    from journals.models import Indicator

    org = Organization.objects.get(slug=ORG)
    period = period_of_plan()
    month = {"org_slug": ORG, "year": period.year, "month": period.month}
    answers = [(i.code, answer(i)) for i in Indicator.objects.for_org(org).active()]
    flags = list(
        Flag.objects.for_org(org)
        .filter(status__in=[FlagStatus.OPEN, FlagStatus.IN_REVIEW])
        .values_list("pk", flat=True)
    )
    if not flags:
        raise SystemExit("the nightly run raised no flag: the staff would have no queue")
    return Plan(
        org_slug=ORG,
        journal_path=reverse("journal_month", kwargs=month),
        autosave_path=reverse("journal_autosave", kwargs=month),
        answers=answers,
        autosaves=autosaves,
        flag_ids=flags,
        program_ids=list(Program.objects.for_org(org).values_list("pk", flat=True)),
        queue_pages=math.ceil(len(flags) / 25),
    )


def answer(indicator: Any) -> str:
    """Return a plausible answer to one indicator, as a person would type it."""
    from journals.catalog import Kind

    if indicator.kind == Kind.YESNO:
        return "1"
    if indicator.kind == Kind.SCALE:
        return "4"
    if indicator.kind == Kind.CHOICE:
        return str(indicator.choices[0]) if indicator.choices else ""
    typical = {Kind.MONEY: 320, Kind.HOURS: 12, Kind.COUNT: 2}.get(indicator.kind, 1)
    low = indicator.min_value if indicator.min_value is not None else typical
    high = indicator.max_value if indicator.max_value is not None else typical
    return str(int(min(max(typical, low), high)))


def period_of_plan() -> date:
    from fii.models import Organization
    from journals.periods import month_start

    return month_start(Organization.objects.get(slug=ORG).today())


def reset_month(family_ids: list[int], period: date) -> None:
    """Delete the month's journals and stipends of these families: they can visit again."""
    from django.db import connection

    from journals.models import JournalEntry, Stipend

    Stipend.objects.filter(family_id__in=family_ids, period=period).delete()
    JournalEntry.objects.filter(family_id__in=family_ids, period=period).delete()
    connection.close()


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()  # the server is about to take its own connections


# --- the server -----------------------------------------------------------------------------


# The kind of page (the people name it in a header) and the seconds spent in a worker: the
# server's side of each request's latency.
ACCESS_FORMAT = "%({x-load-kind}i)s|%(L)s"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    logs: Path

    def log_size(self) -> int:
        log = self.logs / "access.log"
        return log.stat().st_size if log.exists() else 0

    def worker_seconds(self, start: int, end: int) -> dict[str, list[float]]:
        """Return the seconds each request spent in a worker, by kind, from a part of the log."""
        with (self.logs / "access.log").open("rb") as log:
            log.seek(start)
            lines = log.read(end - start).decode().splitlines()
        seconds: dict[str, list[float]] = {}
        for line in lines:
            kind, _, taken = line.rpartition("|")
            seconds.setdefault(kind, []).append(float(taken))
        return seconds

    def errors(self) -> list[str]:
        """Lines of the server's log that tell of a crash, a timeout or a traceback."""
        log = self.logs / "gunicorn.log"
        bad = ("Traceback", "ERROR", "WORKER TIMEOUT", "Internal Server Error")
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if any(b in line for b in bad)]


def start_server(env: dict[str, str], workers: int, threads: int, logs: Path) -> Server:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [
        *(sys.executable, "-m", "gunicorn", "fii.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--chdir", str(ROOT)),
        *("--pythonpath", str(HERE), "--error-logfile", str(logs / "gunicorn.log")),
        *("--access-logfile", str(logs / "access.log"), "--access-logformat", ACCESS_FORMAT),
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    if _has_setting("control_socket_disable"):
        command.append("--no-control-socket")  # one per user's home: runs would share it
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)  # noqa: S603
    server = Server(process, port, logs)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = (logs / "gunicorn.log").read_text()
            raise SystemExit(f"gunicorn ended at once:\n{text[-3000:]}")
        if _answers(port):
            return server
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _has_setting(name: str) -> bool:
    from gunicorn import config

    return any(setting.name == name for setting in config.KNOWN_SETTINGS)


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
