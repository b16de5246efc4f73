"""Load benchmark: 50 families and 10 staff at once against gunicorn and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fii .venv/bin/python benchmarks/load.py

It creates its own database, fii_load on the same server (dropped first), fills it with
`manage.py seed_demo` and one nightly run (so the staff queue has flags), gives accounts to the
families and the staff (staff with a TOTP authenticator), starts gunicorn on a free port of
127.0.0.1 with production settings (benchmarks/load_settings.py adds a bare "hello" view) and
logs everyone in through allauth's forms, the staff with a TOTP code. Then, measured:

1. the two reference pages (the bare view, the minimal page), a quarter of
   --reference-duration each, by as many client threads as the mix has people;
2. the mix at a person's pace, --paced-duration seconds: every family thread opens its home,
   the month's journal, autosaves a draft --autosaves times, submits twice at once (a double
   tap) and goes home, then does the same for its next family; the staff threads browse the
   queue and open flags; each person pauses --think seconds between two requests;
3. the same mix flat out, --duration seconds, with no pauses;
4. the reference pages again, so that they bracket the mixes.

That is a round. It measures --rounds of them (default 3), the later ones without 2 and with
the month's journals deleted before, and reports the round of the median ratio of family pages
to the bare view.
After each round it checks in the database that every family that submitted has exactly one
submitted journal for the month, one stipend and no correction, and that nobody else has one.
--write-docs updates the Load section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_client as lc

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
LOAD_DB = "fii_load"
ORG = "riverside"  # one of seed_demo's organizations; the other one is there too
PASSWORD = "load-benchmark-2026"  # noqa: S105 (accounts of a throwaway database)
FAMILY_PEOPLE = 50
STAFF_PEOPLE = 10
P95_TARGET = 0.300
RATIO_TARGET = 1 / 8


# --- database and data ----------------------------------------------------------------------


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


@dataclass
class Accounts:
    families: list[lc.Family]
    staff: list[tuple[str, str]]  # e-mail, TOTP secret


def create_accounts(pool: int) -> Accounts:
    """Give `pool` families of the organization an account each, and create the staff."""
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
    emails += [f"staff{n}@load.example" for n in range(STAFF_PEOPLE)]
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
    staff = []
    for user in users[pool:]:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        staff.append((user.email, secret))
    families = [
        lc.Family(family_id, email, address=f"10.1.{n // 250}.{n % 250 + 1}")
        for n, (family_id, email) in enumerate(zip(chosen, emails, strict=False))
    ]
    return Accounts(families, staff)


def make_plan(autosaves: int) -> lc.Plan:
    """Look up what the people's scripts need: paths, every journal answer, the flags."""
    from django.urls import reverse

    from capital.models import Flag, FlagStatus, Program
    from fii.models import Organization
    from journals.models import Indicator
    from journals.periods import month_start

    org = Organization.objects.get(slug=ORG)
    period = month_start(org.today())
    month = {"org_slug": ORG, "year": period.year, "month": period.month}
    answers = [(i.code, answer(i)) for i in Indicator.objects.for_org(org).active()]
    flags = list(
        Flag.objects.for_org(org)
        .filter(status__in=[FlagStatus.OPEN, FlagStatus.IN_REVIEW])
        .values_list("pk", flat=True)
    )
    if not flags:
        raise SystemExit("the nightly run raised no flag: the staff would have no queue")
    return lc.Plan(
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Method, path and seconds spent in the worker: the server's side of each request's latency.
ACCESS_FORMAT = "%(m)s %(U)s %(L)s"
ACCESS_KINDS = [
    (re.compile(r"GET /o/[^/]+/family/$"), "family home"),
    (re.compile(r"GET /o/[^/]+/family/journal/[0-9-]+/$"), "journal"),
    (re.compile(r"POST /o/[^/]+/family/journal/[0-9-]+/autosave/$"), "draft save"),
    (re.compile(r"POST /o/[^/]+/family/journal/[0-9-]+/$"), "submit"),
    (re.compile(r"GET /o/[^/]+/queue/$"), "staff queue"),
    (re.compile(r"GET /o/[^/]+/queue/[0-9]+/$"), "staff flag"),
    (re.compile(r"GET /bench/hello/$"), lc.HELLO),
    (re.compile(r"GET /bench/minimal/$"), lc.MINIMAL),
]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    error_log: Path

    @property
    def access_log(self) -> Path:
        return self.error_log.with_name("access.log")

    def log_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def worker_seconds(self, start: int, end: int) -> dict[str, list[float]]:
        """Return the seconds each request spent in a worker, by kind, from a part of the log."""
        with self.access_log.open("rb") as log:
            log.seek(start)
            lines = log.read(end - start).decode().splitlines()
        seconds: dict[str, list[float]] = {}
        for line in lines:
            request, _, taken = line.rpartition(" ")
            kind = next((k for pattern, k in ACCESS_KINDS if pattern.match(request)), None)
            if kind is not None:
                seconds.setdefault(kind, []).append(float(taken))
        return seconds


def start_server(env: dict[str, str], workers: int, threads: int, logs: Path) -> Server:
    port = free_port()
    error_log = logs / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "fii.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "--pythonpath",
        str(ROOT / "benchmarks"),
        "--access-logfile",
        str(logs / "access.log"),
        "--access-logformat",
        ACCESS_FORMAT,
        "--error-logfile",
        str(error_log),
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    if _has_setting("control_socket_disable"):
        command.append("--no-control-socket")  # one per user's home: runs would share it
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)  # noqa: S603
    server = Server(process, port, error_log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn ended at once:\n{error_log.read_text()[-3000:]}")
        try:
            response = lc.Browser(("127.0.0.1", port), "10.0.0.1").get("/healthz")
            if response.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


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


def worker_errors(server: Server) -> list[str]:
    """Lines of the server's log that tell of a crash, a timeout or a traceback."""
    text = server.error_log.read_text() if server.error_log.exists() else ""
    bad = ("Traceback", "ERROR", "WORKER TIMEOUT", "Internal Server Error")
    return [line for line in text.splitlines() if any(b in line for b in bad)]


# --- logging in, and the measured phases ----------------------------------------------------


def progress_bar(total: float, desc: str, unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=True)


def log_everyone_in(
    server: Server, accounts: Accounts, plan: lc.Plan, parallel: int
) -> list[lc.Browser]:
    """Log every family and staff account in through the forms, before anything is measured."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    target = ("127.0.0.1", server.port)
    staff = [lc.Browser(target, f"10.2.0.{n + 1}") for n in range(len(accounts.staff))]
    jobs: list[Callable[[], None]] = []
    for family in accounts.families:
        family.browser = lc.Browser(target, family.address)
        jobs.append(lambda f=family: lc.log_in(f.browser, f.email, PASSWORD))  # type: ignore[misc]
    for browser, (email, secret) in zip(staff, accounts.staff, strict=True):

        def code(secret: str = secret) -> str:
            return format_hotp_value(hotp_value(secret, int(time.time()) // 30))

        jobs.append(lambda b=browser, e=email, c=code: lc.log_in(b, e, PASSWORD, c))  # type: ignore[misc]
    bar = progress_bar(len(jobs), "logging in", " people")
    failures: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not jobs:
                    return
                job = jobs.pop()
            try:
                job()
            except (lc.ClientError, OSError) as exc:
                failures.append(str(exc))
            bar.update(1)

    threads = [threading.Thread(target=work) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bar.close()
    if failures:
        raise SystemExit(f"{len(failures)} logins failed, first: {failures[0]}")
    warm_up(accounts, staff, plan)
    return staff


def warm_up(accounts: Accounts, staff: list[lc.Browser], plan: lc.Plan) -> None:
    """Open each kind of page a few times, so every worker has loaded its templates."""
    for family in accounts.families[:FAMILY_PEOPLE]:
        assert family.browser is not None
        for path in (plan.family_home, plan.journal_path):
            lc.expect(family.browser.get(path), 200)
    for n, browser in enumerate(staff):
        lc.expect(browser.get(plan.queue), 200)
        lc.expect(browser.get(f"{plan.queue}{plan.flag_ids[n % len(plan.flag_ids)]}/"), 200)


def measure(server: Server, name: str, people: list[Any], seconds: float) -> lc.Phase:
    start = server.log_size()
    bar = progress_bar(round(seconds), name, " s")
    last = {"t": 0}

    def progress(elapsed: float, done: int, errors: int) -> None:
        bar.update(int(elapsed) - last["t"])
        last["t"] = int(elapsed)
        bar.set_postfix(requests=done, rps=f"{done / max(elapsed, 1e-3):.0f}", errors=errors)

    before = lc.program_ticks(server.process.pid)
    phase = lc.run_phase(name, people, seconds, progress)
    phase.programs = lc.programs_between(before, lc.program_ticks(server.process.pid))
    bar.close()
    time.sleep(0.5)  # the workers write the last lines of their access log
    phase.worker = server.worker_seconds(start, server.log_size())
    return phase


def reference_people(server: Server, kind: str, count: int) -> list[Any]:
    """Anonymous threads asking for one reference page (the bare view or the minimal page)."""
    people = []
    for n in range(count):
        person = lc.Person(f"{kind} {n}")
        browser = lc.Browser(("127.0.0.1", server.port), f"10.3.0.{n + 1}")
        loop = functools.partial(lc.reference_loop, kind, person, browser)
        people.append((person, loop))
    return people


def mix_people(
    pool: lc.FamilyPool, staff: list[lc.Browser], plan: lc.Plan, think: float, tag: str
) -> list[Any]:
    """The 50 family threads, taking families from the pool, and the 10 staff threads."""
    people: list[Any] = []
    for n in range(FAMILY_PEOPLE):
        person = lc.Person(f"{tag} family {n}", acts_for_families=True, think=think)
        people.append((person, functools.partial(lc.family_loop, person, pool, plan)))
    for n, browser in enumerate(staff):
        person = lc.Person(f"{tag} staff {n}", think=think)
        people.append((person, functools.partial(lc.staff_loop, person, browser, plan)))
    return people


# --- the journals, checked in the database --------------------------------------------------


@dataclass
class JournalCheck:
    submitted: int  # families whose two submits were sent
    acknowledged: int  # ... and both answered with the way home
    entries: int  # submitted entries of the month in the database, for the bench families
    lost: int  # families that submitted, without a submitted entry
    duplicated: int  # more than one entry, stipend, or a correction made by the second submit
    unexpected: int  # submitted entries of families that did not submit

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected)

    @classmethod
    def total(cls, checks: list[JournalCheck]) -> JournalCheck:
        return cls(*(sum(getattr(c, f) for c in checks) for f in cls.__dataclass_fields__))

    def line(self) -> str:
        return (
            f"{self.submitted} families submitted twice at once ({self.acknowledged} with both "
            f"answers right); {self.entries} submitted journals in the database; "
            f"lost {self.lost}, duplicated {self.duplicated}, unexpected {self.unexpected}"
        )


def check_journals(accounts: Accounts, people: list[Any], period: date) -> JournalCheck:
    from django.db import connection
    from django.db.models import Count, Q

    from journals.models import EntryStatus, JournalEntry, JournalRevision, Stipend

    connection.close()  # a fresh connection after the server's run
    submitted = {f for person, _ in people for f in person.submitted}
    acknowledged = {f for person, _ in people for f in person.acknowledged}
    ids = [f.family_id for f in accounts.families]
    rows = (
        JournalEntry.objects.filter(family_id__in=ids, period=period)
        .values("family_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=EntryStatus.SUBMITTED)))
    )
    done = {r["family_id"] for r in rows if r["done"]}
    extra = sum(r["n"] - 1 for r in rows if r["n"] > 1)
    stipends = (
        Stipend.objects.filter(family_id__in=ids, period=period)
        .values("family_id")
        .annotate(n=Count("id"))
    )
    extra += sum(s["n"] - 1 for s in stipends if s["n"] > 1)
    missing_stipends = len(done - {s["family_id"] for s in stipends})
    corrections = JournalRevision.objects.filter(
        entry__family_id__in=ids, entry__period=period
    ).count()
    return JournalCheck(
        submitted=len(submitted),
        acknowledged=len(acknowledged),
        entries=len(done),
        lost=len(submitted - done) + missing_stipends,
        duplicated=extra + corrections,
        unexpected=len(done - submitted),
    )


# --- reporting ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:,.{1 if seconds < 0.01 else 0}f} ms"


TABLE_HEAD = [
    "| requests | count | requests/s | p50 | p95 | p99 | errors | in a worker, p50 / p95 |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]


def row(label: str, phase: lc.Phase, kinds: tuple[str, ...] | None) -> str:
    p50, p95, p99 = phase.percentiles(kinds)
    w50, w95, _ = phase.in_worker(kinds)
    return (
        f"| {label} | {phase.count(kinds):,} | {phase.rps(kinds):,.1f} | {ms(p50)} "
        f"| {ms(p95)} | {ms(p99)} | {len(phase.errors(kinds))} | {ms(w50)} / {ms(w95)} |"
    )


def mix_rows(mix: lc.Phase) -> list[str]:
    return [
        *(row(k, mix, (k,)) for k in lc.FAMILY_KINDS),
        row("**family pages**", mix, lc.FAMILY_KINDS),
        *(row(k, mix, (k,)) for k in lc.STAFF_KINDS),
        row("**whole mix**", mix, None),
    ]


def tables(paced: lc.Phase, full: lc.Phase, hello: lc.Phase, minimal: lc.Phase) -> list[str]:
    return [
        f"At a person's pace ({paced.seconds:.0f} s):",
        "",
        *TABLE_HEAD,
        *mix_rows(paced),
        "",
        f"Flat out, and the reference pages ({full.seconds:.0f} s of the mix):",
        "",
        *TABLE_HEAD,
        *mix_rows(full),
        row("minimal page (reference)", minimal, None),
        row("bare view (hello)", hello, None),
    ]


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def verdicts(results: Results) -> list[str]:
    paced, median = results.paced, results.median
    full, hello, minimal = median.full, median.hello, median.minimal
    errors = sum(len(phase.errors()) for phase in results.phases())
    journals = results.journals()
    p95 = paced.percentiles(lc.FAMILY_KINDS)[1]
    full_p95 = full.percentiles(lc.FAMILY_KINDS)[1]
    family_rps = full.rps(lc.FAMILY_KINDS)
    return [
        f"- errors: {errors} (target 0: {met(errors == 0)})",
        f"- journals: {journals.line()} (target none lost or duplicated: {met(journals.ok)})",
        f"- family pages p95 at a person's pace: {ms(p95)} (target under {ms(P95_TARGET)}: "
        f"{met(p95 < P95_TARGET)}); flat out, where the latency is the queue for a worker: "
        f"{ms(full_p95)}",
        f"- family pages flat out: {family_rps:,.1f} requests/s against the bare view's "
        f"{hello.rps():,.1f}: **1/{1 / median.ratio:.1f}** of it (target at least 1/8: "
        f"{met(median.ratio >= RATIO_TARGET)}); the whole mix {full.rps():,.1f} requests/s, "
        f"1/{hello.rps() / full.rps():.1f}",
        *rounds_line(results),
        f"- the minimal page (reference): {minimal.rps():,.1f} requests/s, "
        f"1/{hello.rps() / minimal.rps():.1f} of the bare view; family pages are "
        f"1/{minimal.rps() / family_rps:.1f} of the minimal page",
    ]


def rounds_line(results: Results) -> list[str]:
    """With more than one round: every round's ratio, and which one the tables show."""
    if len(results.rounds) < 2:
        return []
    each = ", ".join(
        f"1/{1 / r.ratio:.1f} ({r.full.rps(lc.FAMILY_KINDS):,.1f} against {r.hello.rps():,.0f})"
        for r in results.rounds
    )
    number = results.rounds.index(results.median) + 1
    meeting = sum(r.ratio >= RATIO_TARGET for r in results.rounds)
    return [
        f"- rounds flat out, family pages against the bare view, in order: {each}; "
        f"{meeting} of {len(results.rounds)} at least 1/8; the tables show round {number}, "
        "the median"
    ]


def others_busy(seconds: float = 3) -> float | None:
    """Return the share of all cores busy while the server is idle: other programs' load."""
    before = lc.cpu_ticks()
    time.sleep(seconds)
    after = lc.cpu_ticks()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def conditions(paced: lc.Phase, full: lc.Phase, hello: lc.Phase, idle: float | None) -> str:
    def share(phase: lc.Phase) -> str:
        client = phase.client_cpu / phase.seconds
        busy = f", all cores {phase.machine_busy:.0%} busy" if phase.machine_busy else ""
        return f"{client:.2f} cores for the client{busy}{programs(phase)}"

    def programs(phase: lc.Phase) -> str:
        order = ("server", "PostgreSQL", "Redis", "client", "the rest")
        used = [(n, phase.programs[n] / phase.seconds) for n in order if n in phase.programs]
        return " (" + ", ".join(f"{n} {c:.2f}" for n, c in used) + ")" if used else ""

    before = (
        ""
        if idle is None
        else f"Before them, with the server idle, other programs kept {idle:.0%} of all cores "
        "busy. "
    )
    return (
        f"{before}At a person's pace: {share(paced)}. Flat out: {share(full)}. "
        f"The bare view: {share(hello)}."
    )


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    import django
    import gunicorn

    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"Django {django.get_version()}, gunicorn {gunicorn.__version__}"
    )


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def describe(args: argparse.Namespace, postgres: str) -> str:
    kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
    rls = f"; row security on, as role {APP_ROLE}" if args.row_security else ""
    return (
        f"Measured on {datetime.now(tz=UTC).date().isoformat()}, {machine()}, {postgres} and "
        f"Redis on the same machine; gunicorn with {args.workers} {kind} workers{rls}; "
        f"{FAMILY_PEOPLE} family and {STAFF_PEOPLE} staff threads, {args.families:,} family "
        f"accounts, {args.autosaves} autosaves a visit; at a person's pace, {args.think:g} s "
        f"between two requests of one person on average."
    )


def write_docs(text: str) -> None:
    section = f"<!-- load:begin -->\n{text}\n<!-- load:end -->"
    current = DOCS.read_text()
    pattern = re.compile(r"<!-- load:begin -->.*<!-- load:end -->", re.DOTALL)
    if pattern.search(current):
        DOCS.write_text(pattern.sub(lambda _: section, current))
    else:
        DOCS.write_text(current.rstrip("\n") + "\n\n## Load\n\n" + section + "\n")


# --- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=60, help="Seconds of the mix flat out (no pauses)."
    )
    parser.add_argument(
        "--paced-duration", type=float, default=60, help="Seconds of the mix at a person's pace."
    )
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="At a person's pace: mean seconds between two requests of one person.",
    )
    parser.add_argument(
        "--reference-duration",
        type=float,
        default=20,
        help="Seconds of the bare view and the minimal page together, half before the mixes "
        "and half after.",
    )
    parser.add_argument(
        "--families",
        type=int,
        default=1600,
        help="Family accounts, taken in turn by the 50 family threads of both mixes; each "
        "submits once. A mix ends early if they run out.",
    )
    parser.add_argument("--autosaves", type=int, default=4, help="Autosaves in a visit.")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn worker processes (the Dockerfile's 3)."
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="Threads per worker (more than 1: gthread)."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Rounds of the mix flat out, each bracketed by the reference pages; the report "
        "shows the round of the median ratio (the families' journals are deleted between two).",
    )
    parser.add_argument("--months", type=int, default=12, help="Months of seeded journals.")
    parser.add_argument(
        "--row-security",
        action="store_true",
        help="Serve with ROW_SECURITY=1, connected as a role the policies hold (fii_load_app).",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/13", help="Cache (flushed first)."
    )
    parser.add_argument("--write-docs", action="store_true", help="Update docs/benchmarks.md.")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.families < FAMILY_PEOPLE:
        raise SystemExit(f"--families must be at least {FAMILY_PEOPLE}")
    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fii")
    url = with_database(base, LOAD_DB)
    create_database(base, LOAD_DB)
    flush_redis(args.redis_url)
    env = server_environment(url, args.redis_url)
    setup_django(env)
    started = time.perf_counter()
    seed(families=args.families + 10, months=args.months)
    accounts = create_accounts(args.families)
    plan = make_plan(args.autosaves)
    period = period_of_plan()
    postgres = postgres_version()
    analyze()
    if args.row_security:
        env = with_row_security(env, url)
    print(f"  database filled in {time.perf_counter() - started:.0f} s")
    rounds: list[Round] = []
    with TemporaryDirectory(prefix="fii-load-") as logs:
        server = start_server(env, args.workers, args.threads, Path(logs))
        try:
            staff = log_everyone_in(server, accounts, plan, parallel=2 * args.workers)
            idle = others_busy()
            bench = Bench(server, accounts, staff, plan, period, args)
            (paced,) = bench.round(rounds, paced=True)
            for _ in range(args.rounds - 1):
                reset_month([f.family_id for f in accounts.families], period)
                bench.round(rounds)
        finally:
            stop_server(server)
        crashes = worker_errors(server)
    flush_redis(args.redis_url)
    report(args, Results(paced, rounds), crashes, postgres, idle)


@dataclass
class Bench:
    """What a round needs: the running server, the people's accounts, the plan."""

    server: Server
    accounts: Accounts
    staff: list[lc.Browser]
    plan: lc.Plan
    period: date
    args: argparse.Namespace

    def references(self) -> list[lc.Phase]:
        people = FAMILY_PEOPLE + STAFF_PEOPLE
        return [
            measure(
                self.server,
                kind,
                reference_people(self.server, kind, people),
                self.args.reference_duration / 4,
            )
            for kind in (lc.HELLO, lc.MINIMAL)
        ]

    def round(self, rounds: list[Round], paced: bool = False) -> list[lc.Phase]:
        """Measure one round (with `paced`, the mix at a person's pace first); return that mix."""
        number = len(rounds) + 1
        pool = lc.FamilyPool(self.accounts.families)  # every family, none has a journal yet
        before = self.references()  # the reference pages bracket the mixes
        paced_people: list[Any] = []
        mixes = []
        if paced:
            paced_people = mix_people(pool, self.staff, self.plan, self.args.think, "paced")
            mixes.append(
                measure(
                    self.server, "mix at a person's pace", paced_people, self.args.paced_duration
                )
            )
        full_people = mix_people(pool, self.staff, self.plan, 0.0, "flat out")
        full = measure(
            self.server, f"mix flat out, round {number}", full_people, self.args.duration
        )
        after = self.references()
        journals = check_journals(self.accounts, paced_people + full_people, self.period)
        rounds.append(Round.of(full, before + after, journals))
        print(f"  round {number}: family pages 1/{1 / rounds[-1].ratio:.1f} of the bare view")
        return mixes


@dataclass
class Round:
    """One round: references before, the mix flat out, references after; its journals."""

    full: lc.Phase
    hello: lc.Phase
    minimal: lc.Phase
    journals: JournalCheck

    @classmethod
    def of(cls, full: lc.Phase, references: list[lc.Phase], journals: JournalCheck) -> Round:
        hello = lc.merge("bare view", references[0::2])
        minimal = lc.merge("minimal page", references[1::2])
        return cls(full, hello, minimal, journals)

    @property
    def ratio(self) -> float:
        return self.full.rps(lc.FAMILY_KINDS) / self.hello.rps()


@dataclass
class Results:
    """The mix at a person's pace (measured once) and every round flat out."""

    paced: lc.Phase
    rounds: list[Round]

    @property
    def median(self) -> Round:
        """The round of the median ratio (the lower middle one of an even number)."""
        ordered = sorted(self.rounds, key=lambda r: r.ratio)
        return ordered[(len(ordered) - 1) // 2]

    def phases(self) -> list[lc.Phase]:
        return [self.paced, *(p for r in self.rounds for p in (r.full, r.hello, r.minimal))]

    def journals(self) -> JournalCheck:
        return JournalCheck.total([r.journals for r in self.rounds])


def report(
    args: argparse.Namespace,
    results: Results,
    crashes: list[str],
    postgres: str,
    idle: float | None,
) -> None:
    median = results.median
    lines = tables(results.paced, median.full, median.hello, median.minimal)
    notes = verdicts(results)
    short = [p for p in (results.paced, *(r.full for r in results.rounds)) if p.ran_out]
    if short:
        after = ", ".join(f"{p.name} after {p.seconds:.0f} s" for p in short)
        notes.append(
            f"- the family threads ran out of families ({after}); give more --families for "
            "longer mixes"
        )
    if crashes:
        notes.append(f"- the server logged {len(crashes)} errors, first: `{crashes[0][:200]}`")
    errors = [e for phase in results.phases() for e in phase.errors()]
    kinds = sorted({(e.kind, e.error) for e in errors})[:5]
    notes += [f"- error on {kind}: `{error}`" for kind, error in kinds]
    load = conditions(results.paced, median.full, median.hello, idle)
    print("\n".join(["", *lines, "", *notes, "", load]))
    if args.write_docs:
        text = "\n".join([describe(args, postgres), "", *lines, "", *notes, "", load])
        write_docs(text)


if __name__ == "__main__":
    main()
