"""Load benchmark: 50 families and 10 staff at once against gunicorn and PostgreSQL, on Locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fii .venv/bin/python benchmarks/load.py

It creates its own database (--database, default fii_load, dropped first), fills it with
`manage.py seed_demo` and one nightly run (so the staff queue has flags), gives accounts to the
families and the staff (staff with a TOTP authenticator), starts gunicorn on a free port of
127.0.0.1 with production settings (benchmarks/load_settings.py adds the reference pages; all
of this in benchmarks/load_site.py) and starts the people: Locust users in a child process
(benchmarks/load_client.py), who log in through allauth's forms, the staff with a TOTP code.
Then it measures:

1. the mix at a person's pace, --paced-duration seconds: each family person takes the next
   family, opens its home, the month's journal, autosaves a draft --autosaves times, submits
   twice at once (a double tap) and goes home; the staff browse the queue and open flags; each
   person pauses --think seconds between two requests;
2. --rounds rounds (default 3) of: the two reference pages (the bare view, the minimal page), a
   quarter of --reference-duration each, by as many people as the mix has; the same mix flat
   out, --duration seconds, with no pauses; the reference pages again, so that they bracket it.

After each mix it checks in the database that every family that submitted has exactly one
submitted journal for the month, one stipend and no correction, that nobody else has one and
that each was submitted by the family's own account, then deletes the month's journals (the
next mix starts with every family). It reports the round of the median ratio of family pages
to the bare view; --write-docs writes the figures into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_site import (
    APP_ROLE,
    HERE,
    PASSWORD,
    STAFF_ACCOUNTS,
    Server,
    analyze,
    create_accounts,
    create_database,
    flush_redis,
    make_plan,
    period_of_plan,
    reset_month,
    seed,
    server_environment,
    setup_django,
    start_server,
    stop_server,
    with_database,
    with_row_security,
)

DOCS = HERE.parent / "docs" / "benchmarks.md"
FAMILY_PEOPLE = 50
STAFF_PEOPLE = STAFF_ACCOUNTS
FAMILY_KINDS = ("family home", "journal", "draft save", "submit")
STAFF_KINDS = ("staff queue", "staff flag")
FAMILY_P95 = 0.050  # at a person's pace
STAFF_P95 = 0.100  # each staff kind, at a person's pace
RATIO = 1 / 16  # family pages flat out, against the bare view
QUICK = {
    "duration": 10,
    "paced_duration": 15,
    "reference_duration": 8,
    "families": 300,
    "rounds": 1,
}


# --- the people (Locust, in a child process) and what a phase measured ----------------------


class Client:
    """The people: Locust users in a child process (benchmarks/load_client.py), since gevent
    patches the standard library of the process it runs in; one JSON line per phase each way."""

    def __init__(self, site: dict[str, Any]) -> None:
        command = [sys.executable, str(HERE / "load_client.py")]
        # The server is an address, nothing to look up: no thread per connection for it.
        env = {**os.environ, "GEVENT_RESOLVER": "block"}
        self.process = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE, env=env
        )
        self.send(site)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def run(self, **command: Any) -> dict[str, Any]:
        assert self.process.stdout is not None
        self.send(command)
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the load client ended (its messages are above)")
        return json.loads(line)

    def close(self) -> None:
        """End the child process: at once if it is in the middle of a phase."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it may have ended already
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Phase:
    """One measured phase: every request's seconds by kind, and what the machine did."""

    name: str
    seconds: float
    samples: dict[str, list[float]]
    errors: list[tuple[str, str]]
    ran_out: bool = False
    submitted: list[int] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    worker: dict[str, list[float]] = field(default_factory=dict)  # seconds in a worker, by kind
    programs: dict[str, float] = field(default_factory=dict)  # CPU seconds of each program
    journals: JournalCheck | None = None  # a mix's, checked in the database after it

    def times(self, kinds: tuple[str, ...] | None, of: dict[str, list[float]]) -> list[float]:
        return [
            s for kind, seconds in of.items() if kinds is None or kind in kinds for s in seconds
        ]

    def count(self, kinds: tuple[str, ...] | None = None) -> int:
        return len(self.times(kinds, self.samples))

    def rps(self, kinds: tuple[str, ...] | None = None) -> float:
        return self.count(kinds) / self.seconds

    def error_count(self, kinds: tuple[str, ...] | None = None) -> int:
        return sum(1 for kind, _ in self.errors if kinds is None or kind in kinds)

    def percentiles(self, kinds: tuple[str, ...] | None = None) -> tuple[float, float, float]:
        return percentiles(self.times(kinds, self.samples))

    def in_worker(self, kinds: tuple[str, ...] | None = None) -> tuple[float, float, float]:
        return percentiles(self.times(kinds, self.worker))


def percentiles(times: list[float]) -> tuple[float, float, float]:
    """Return the 50th, 95th and 99th percentiles."""
    if len(times) < 2:
        return (times[0],) * 3 if times else (float("nan"),) * 3
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def merge(phases: list[Phase]) -> Phase:
    """Join phases of one kind (the bare view measured before and after the mix)."""
    return Phase(
        phases[0].name,
        sum(p.seconds for p in phases),
        joined([p.samples for p in phases]),
        [e for p in phases for e in p.errors],
        worker=joined([p.worker for p in phases]),
        programs={n: sum(p.programs.get(n, 0.0) for p in phases) for n in phases[0].programs},
    )


def joined(by_kind: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for one in by_kind:
        for kind, seconds in one.items():
            out.setdefault(kind, []).extend(seconds)
    return out


def program_ticks(server: int, client: int) -> dict[int, tuple[str, int]]:
    """Return, for every process, its program (the server: gunicorn and its workers; the
    client; PostgreSQL; Redis; the rest) and the CPU ticks it has used (Linux only)."""
    processes: dict[int, tuple[str, int]] = {}
    for pid in (int(name) for name in os.listdir("/proc") if name.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as file:
                stat = file.read()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        parent, ticks = int(fields[1]), int(fields[11]) + int(fields[12])
        names = {"postgres": "PostgreSQL", "redis": "Redis"}
        name = next((n for c, n in names.items() if command.startswith(c)), "the rest")
        if server in (pid, parent):
            name = "server"
        processes[pid] = ("client" if pid == client else name, ticks)
    return processes


def programs_between(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> dict[str, float]:
    """Return the CPU seconds each program used between two readings of program_ticks (a
    process that ended in between is left out; one that started counts from zero)."""
    used: dict[str, float] = {}
    for pid, (name, ticks) in after.items():
        was = before.get(pid)
        since = ticks - was[1] if was is not None and was[0] == name else ticks
        used[name] = used.get(name, 0.0) + since / os.sysconf("SC_CLK_TCK")
    return used


# --- the rounds -----------------------------------------------------------------------------


@dataclass
class Bench:
    """What the phases need: the running server, the people, the families, the month."""

    server: Server
    client: Client
    family_ids: list[int]
    period: date
    args: argparse.Namespace

    def measure(self, name: str, **command: Any) -> Phase:
        """Have the people run one phase; return it with what the server and machine did."""
        pids = self.server.process.pid, self.client.process.pid
        start, before = self.server.log_size(), program_ticks(*pids)
        result = self.client.run(**command)
        programs = programs_between(before, program_ticks(*pids))
        time.sleep(0.5)  # the workers write the last lines of their access log
        worker = self.server.worker_seconds(start, self.server.log_size())
        errors = [tuple(e) for e in result.pop("errors")]
        phase = Phase(name, errors=errors, worker=worker, programs=programs, **result)
        print(
            f"  {name}: {phase.count():,} requests in {phase.seconds:.0f} s, {len(errors)} errors"
        )
        return phase

    def mix(self, name: str, seconds: float, think: float) -> Phase:
        """Measure the families and the staff; check the month's journals, then delete them."""
        phase = self.measure(name, phase="mix", seconds=seconds, think=think)
        phase.journals = check_journals(self.family_ids, phase, self.period)
        reset_month(self.family_ids, self.period)
        return phase

    def references(self) -> list[Phase]:
        seconds = self.args.reference_duration / 4
        return [
            self.measure(f"{kind} (reference)", phase="reference", kind=kind, seconds=seconds)
            for kind in ("hello", "minimal page")
        ]

    def round(self, number: int) -> Round:
        """Measure the mix flat out between the reference pages."""
        before = self.references()
        full = self.mix(f"mix flat out, round {number}", self.args.duration, think=0)
        after = self.references()
        hello, minimal = merge(before[:1] + after[:1]), merge(before[1:] + after[1:])
        this = Round(full, hello, minimal)
        print(f"  round {number}: family pages {one_in(this.ratio)} of the bare view")
        return this


@dataclass
class Round:
    """One round: the mix flat out and the reference pages around it."""

    full: Phase
    hello: Phase
    minimal: Phase

    @property
    def ratio(self) -> float:
        return self.full.rps(FAMILY_KINDS) / self.hello.rps()


@dataclass
class Results:
    """The mix at a person's pace (measured once) and every round flat out."""

    paced: Phase
    rounds: list[Round]

    @property
    def median(self) -> Round:
        """The round of the median ratio (the lower middle one of an even number)."""
        ordered = sorted(self.rounds, key=lambda r: r.ratio)
        return ordered[(len(ordered) - 1) // 2]

    def phases(self) -> list[Phase]:
        return [self.paced, *(p for r in self.rounds for p in (r.full, r.hello, r.minimal))]

    def journals(self) -> JournalCheck:
        mixes = [self.paced, *(r.full for r in self.rounds)]
        return JournalCheck.total([m.journals for m in mixes if m.journals is not None])


# --- the journals, checked in the database --------------------------------------------------


@dataclass
class JournalCheck:
    submitted: int  # families whose two submits were sent
    acknowledged: int  # ... and both answered with the way home
    entries: int  # submitted entries of the month in the database, for the bench families
    lost: int  # families that submitted, without a submitted entry or a stipend
    duplicated: int  # more than one entry, stipend, or a correction made by the second submit
    unexpected: int  # submitted entries of families that did not submit
    crossed: int  # entries submitted by an account that is not the family's

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected or self.crossed)

    @classmethod
    def total(cls, checks: list[JournalCheck]) -> JournalCheck:
        return cls(*(sum(getattr(c, f) for c in checks) for f in cls.__dataclass_fields__))

    def line(self) -> str:
        return (
            f"{self.submitted} families submitted twice at once ({self.acknowledged} with both "
            f"answers right); {self.entries} submitted journals in the database; "
            f"lost {self.lost}, duplicated {self.duplicated}, unexpected {self.unexpected}, "
            f"submitted by another family's account {self.crossed}"
        )


def check_journals(family_ids: list[int], mix: Phase, period: date) -> JournalCheck:
    from django.db import connection
    from django.db.models import Count, F, Q

    from journals.models import EntryStatus, JournalEntry, JournalRevision, Stipend

    connection.close()  # a fresh connection after the server's run
    submitted = set(mix.submitted)
    entries = JournalEntry.objects.filter(family_id__in=family_ids, period=period)
    rows = entries.values("family_id").annotate(
        n=Count("id"), done=Count("id", filter=Q(status=EntryStatus.SUBMITTED))
    )
    done = {r["family_id"] for r in rows if r["done"]}
    stipends = (
        Stipend.objects.filter(family_id__in=family_ids, period=period)
        .values("family_id")
        .annotate(n=Count("id"))
    )
    extra = sum(r["n"] - 1 for r in [*rows, *stipends] if r["n"] > 1)
    corrections = JournalRevision.objects.filter(
        entry__family_id__in=family_ids, entry__period=period
    ).count()
    return JournalCheck(
        submitted=len(submitted),
        acknowledged=len(set(mix.acknowledged)),
        entries=len(done),
        lost=len(submitted - done) + len(done - {s["family_id"] for s in stipends}),
        duplicated=extra + corrections,
        unexpected=len(done - submitted),
        crossed=entries.filter(submitted_by__isnull=False)
        .exclude(submitted_by__memberships__family=F("family"))
        .count(),
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


def row(label: str, phase: Phase, kinds: tuple[str, ...] | None) -> str:
    p50, p95, p99 = phase.percentiles(kinds)
    w50, w95, _ = phase.in_worker(kinds)
    return (
        f"| {label} | {phase.count(kinds):,} | {phase.rps(kinds):,.1f} | {ms(p50)} "
        f"| {ms(p95)} | {ms(p99)} | {phase.error_count(kinds)} | {ms(w50)} / {ms(w95)} |"
    )


def mix_rows(mix: Phase) -> list[str]:
    return [
        *(row(k, mix, (k,)) for k in FAMILY_KINDS),
        row("**family pages**", mix, FAMILY_KINDS),
        *(row(k, mix, (k,)) for k in STAFF_KINDS),
        row("**whole mix**", mix, None),
    ]


def tables(paced: Phase, median: Round) -> list[str]:
    return [
        f"At a person's pace ({paced.seconds:.0f} s):",
        "",
        *TABLE_HEAD,
        *mix_rows(paced),
        "",
        f"Flat out, and the reference pages ({median.full.seconds:.0f} s of the mix):",
        "",
        *TABLE_HEAD,
        *mix_rows(median.full),
        row("minimal page (reference)", median.minimal, None),
        row("bare view (hello)", median.hello, None),
    ]


def one_in(ratio: float) -> str:
    return f"1/{1 / ratio:.1f}" if ratio else "none"


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def verdicts(results: Results) -> list[str]:
    paced, median = results.paced, results.median
    full, hello = median.full, median.hello
    errors = sum(phase.error_count() for phase in results.phases())
    journals = results.journals()
    p95 = paced.percentiles(FAMILY_KINDS)[1]
    staff = [(k, paced.percentiles((k,))[1]) for k in STAFF_KINDS]
    staff_ok = all(p <= STAFF_P95 for _, p in staff)
    family_rps = full.rps(FAMILY_KINDS)
    return [
        f"- errors: {errors} (target 0: {met(errors == 0)})",
        f"- journals: {journals.line()} (target none lost or duplicated: {met(journals.ok)})",
        f"- family pages p95 at a person's pace: {ms(p95)} (target at most {ms(FAMILY_P95)}: "
        f"{met(p95 <= FAMILY_P95)}); flat out, where the latency is the queue for a worker: "
        f"{ms(full.percentiles(FAMILY_KINDS)[1])}",
        "- staff pages p95 at a person's pace: "
        + ", ".join(f"{kind} {ms(p)}" for kind, p in staff)
        + f" (target at most {ms(STAFF_P95)} each: {met(staff_ok)})",
        f"- family pages flat out: {family_rps:,.1f} requests/s against the bare view's "
        f"{hello.rps():,.1f}: **{one_in(median.ratio)}** of it (target at least "
        f"1/{1 / RATIO:g}: {met(median.ratio >= RATIO)}); the whole mix "
        f"{full.rps():,.1f} requests/s, {one_in(full.rps() / hello.rps())}",
        *rounds_line(results),
        f"- the minimal page (reference): {median.minimal.rps():,.1f} requests/s, "
        f"{one_in(median.minimal.rps() / hello.rps())} of the bare view; family pages are "
        f"{one_in(family_rps / median.minimal.rps())} of the minimal page",
    ]


def rounds_line(results: Results) -> list[str]:
    """With more than one round: every round's ratio, and which one the tables show."""
    if len(results.rounds) < 2:
        return []
    each = ", ".join(
        f"{one_in(r.ratio)} ({r.full.rps(FAMILY_KINDS):,.1f} against {r.hello.rps():,.0f})"
        for r in results.rounds
    )
    number = results.rounds.index(results.median) + 1
    meeting = sum(r.ratio >= RATIO for r in results.rounds)
    return [
        f"- rounds flat out, family pages against the bare view, in order: {each}; "
        f"{meeting} of {len(results.rounds)} at least 1/{1 / RATIO:g}; the tables show "
        f"round {number}, the median"
    ]


def conditions(paced: Phase, full: Phase, hello: Phase) -> str:
    """Say how many cores each program used: the client's share, and other programs' load."""

    def share(phase: Phase) -> str:
        order = ("server", "PostgreSQL", "Redis", "client", "the rest")
        used = [(n, phase.programs[n] / phase.seconds) for n in order if n in phase.programs]
        return ", ".join(f"{n} {c:.2f}" for n, c in used)

    return (
        f"Cores used, of {os.cpu_count()}: at a person's pace, {share(paced)}; flat out, "
        f"{share(full)}; the bare view, {share(hello)}."
    )


def describe(args: argparse.Namespace, postgres: str) -> str:
    import django
    import gunicorn

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
    rls = f"; row security on, as role {APP_ROLE}" if args.row_security else ""
    return (
        f"Measured on {datetime.now(tz=UTC).date().isoformat()}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__}, Locust {locust_version()}, {postgres} and Redis on "
        f"the same machine; gunicorn with {args.workers} {kind} workers{rls}; "
        f"{FAMILY_PEOPLE} family and {STAFF_PEOPLE} staff people, {args.families:,} family "
        f"accounts, {args.autosaves} autosaves a visit; at a person's pace, {args.think:g} s "
        f"between two requests of one person on average."
    )


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")  # not imported: gevent would patch this process


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def report(results: Results, crashes: list[str]) -> list[str]:
    median = results.median
    notes = verdicts(results)
    short = [p for p in (results.paced, *(r.full for r in results.rounds)) if p.ran_out]
    if short:
        after = ", ".join(f"{p.name} after {p.seconds:.0f} s" for p in short)
        notes.append(
            f"- the family people ran out of families ({after}); give more --families for "
            "longer mixes"
        )
    if crashes:
        notes.append(f"- the server logged {len(crashes)} errors, first: `{crashes[0][:200]}`")
    errors = sorted({e for phase in results.phases() for e in phase.errors})[:5]
    notes += [f"- error on {kind}: `{error[:200]}`" for kind, error in errors]
    load = conditions(results.paced, median.full, median.hello)
    return [*tables(results.paced, median), "", *notes, "", load]


def write_docs(text: str) -> None:
    section = f"<!-- load:begin -->\n{text}\n<!-- load:end -->"
    current = DOCS.read_text()
    pattern = re.compile(r"<!-- load:begin -->.*<!-- load:end -->", re.DOTALL)
    if pattern.search(current):
        DOCS.write_text(pattern.sub(lambda _: section, current))
    else:
        DOCS.write_text(current.rstrip("\n") + "\n\n## Load\n\n" + section + "\n")


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add = parser.add_argument
    add("--duration", type=float, default=60, help="Seconds of the mix flat out (no pauses).")
    add("--paced-duration", type=float, default=60, help="Seconds of the mix at a person's pace.")
    add("--think", type=float, default=2.0, help="Mean seconds between two requests of a person.")
    add(
        "--reference-duration",
        type=float,
        default=20,
        help="Seconds of the bare view and the minimal page together, half before the mix "
        "flat out and half after.",
    )
    add(
        "--families",
        type=int,
        default=1600,
        help="Family accounts, taken in turn by the 50 family people; each submits once a "
        "round. A mix ends early if they run out.",
    )
    add("--autosaves", type=int, default=4, help="Autosaves in a visit.")
    add("--workers", type=int, default=3, help="gunicorn worker processes (the Dockerfile's 3).")
    add("--threads", type=int, default=1, help="Threads per worker (more than 1: gthread).")
    add(
        "--rounds",
        type=int,
        default=3,
        help="Rounds of the mix flat out, each bracketed by the reference pages; the report "
        "shows the round of the median ratio (the families' journals are deleted between two).",
    )
    add("--months", type=int, default=12, help="Months of seeded journals.")
    add("--database", default="fii_load", help="Database to create (dropped first).")
    add(
        "--row-security",
        action="store_true",
        help=f"Serve with ROW_SECURITY=1, connected as a role the policies hold ({APP_ROLE}).",
    )
    add("--redis-url", default="redis://127.0.0.1:6379/13", help="Cache (flushed first).")
    add("--write-docs", action="store_true", help="Update docs/benchmarks.md.")
    add(
        "--quick",
        action="store_true",
        help="A check that everything works, in about two minutes: "
        + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in QUICK.items())
        + " (options given too win).",
    )
    args = parser.parse_args(argv)
    if args.quick:
        parser.set_defaults(**QUICK)
        args = parser.parse_args(argv)
    if args.families < FAMILY_PEOPLE:
        parser.error(f"--families must be at least {FAMILY_PEOPLE}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fii")
    url = with_database(base, args.database)
    create_database(base, args.database)
    flush_redis(args.redis_url)
    env = server_environment(url, args.redis_url)
    setup_django(env)
    started = time.perf_counter()
    seed(families=args.families + 10, months=args.months)
    accounts = create_accounts(args.families)
    plan, period, postgres = make_plan(args.autosaves), period_of_plan(), postgres_version()
    analyze()
    if args.row_security:
        env = with_row_security(env, url)
    print(f"  database filled in {time.perf_counter() - started:.0f} s")
    family_ids = [family for _, _, family, _ in accounts if family is not None]
    with TemporaryDirectory(prefix="fii-load-") as logs:
        server = start_server(env, args.workers, args.threads, Path(logs))
        host = f"http://127.0.0.1:{server.port}"
        site = {"host": host, "plan": plan.for_people(), "password": PASSWORD}
        client = Client({**site, "accounts": accounts, "people": [FAMILY_PEOPLE, STAFF_PEOPLE]})
        try:
            bench = Bench(server, client, family_ids, period, args)
            login = bench.measure("logging in", phase="login", parallel=2 * args.workers)
            if login.errors:
                raise SystemExit(f"{len(login.errors)} logins failed, first: {login.errors[0]}")
            paced = bench.mix("mix at a person's pace", args.paced_duration, args.think)
            results = Results(paced, [bench.round(n) for n in range(1, args.rounds + 1)])
        finally:
            client.close()
            stop_server(server)
        crashes = server.errors()
    flush_redis(args.redis_url)
    lines = report(results, crashes)
    print("\n".join(["", *lines]))
    if args.write_docs:
        write_docs("\n".join([describe(args, postgres), "", *lines]))


if __name__ == "__main__":
    main()
