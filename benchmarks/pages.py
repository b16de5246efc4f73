"""CPU per request of the pages the load benchmark drives, measured in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fii .venv/bin/python benchmarks/pages.py

The load benchmark (benchmarks/load.py) tells how many requests a second the server answers;
this one tells what one request of each kind costs the Python process, so that a change to a
page can be checked in a minute on a busy machine: it counts CPU time (time.process_time),
not wall time, and reports the median of many requests with the number of SQL queries. It
also gives the mean CPU time of the PostgreSQL server process that answered them, read from
/proc when the server runs on the same machine (in ticks of 10 ms: only the mean of many
requests means anything).

It creates its own database, fii_pages on the server of DATABASE_URL (dropped first; --keep
reuses it), fills it as the load benchmark does (seed_demo, one nightly run, accounts for
families and staff), and sends every request through Django's WSGI handler with the production
settings of the load benchmark (DEBUG off, a SECRET_KEY, persistent connections, REQUIRE_MFA),
carrying the session and CSRF cookies and the headers the reverse proxy adds. The cache is
database 14 of the local Redis (--redis-url), flushed before and after, or local memory when
Redis does not answer. The PostgreSQL server's time is not in the CPU column (it runs in its
own process) but in the last one. Each family visit is the load benchmark's, with one submit
instead of two: home, the month's journal, autosaves, a submit, home again; the month's
journals and stipends of the visited families are deleted between rounds. After the
families, the staff open the queue, a later page of it and one flag, once for every three
families. A first round warms up and is not counted.

--profile KIND prints a pyinstrument profile of that kind of request (or of every kind, with
"every") (pyinstrument is not a
dependency of the project: install it in the virtual environment to use this option); with
PROFILER=cprofile, the standard library's profile sorted by own time instead (PROFILE_SORT=
cumulative, or another pstats key, to change it), and with PROFILE_CALLERS=<pattern> also who
called the functions matching the pattern; PROFILE_OUT=<file> also writes the statistics
there, for pstats or snakeviz; with PROFILER=templates, the time of each template line (its
nodes' render, less the nodes inside them) per request.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # the load benchmark: its database, settings, data and plan

PAGES_DB = "fii_pages"
KINDS = (
    "bare view",
    "bare view, logged in",
    "family home",
    "journal",
    "draft save",
    "submit",
    "staff queue",
    "staff flag",
)
HOST = "127.0.0.1"


class Tab:
    """One browser tab calling the WSGI application directly, with a cookie jar."""

    def __init__(self, app: Any, address: str) -> None:
        self.app = app
        self.address = address
        self.cookies: dict[str, str] = {}

    def environ(self, method: str, path: str, body: bytes = b"") -> dict[str, Any]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": HOST,
            "HTTP_ACCEPT_ENCODING": "gzip",
            "HTTP_X_FORWARDED_FOR": self.address,
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["HTTP_ORIGIN"] = f"https://{HOST}"
        return environ

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        body = b""
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form).encode()
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):  # type: ignore[no-untyped-def]
            answer["status"] = int(status.split()[0])
            answer["headers"] = headers

        chunks = self.app(self.environ(method, path, body), start_response)
        try:
            data = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return answer["status"], data


def server_cpu_seconds() -> float:
    """Return the CPU time of this connection's PostgreSQL process so far (0 elsewhere).

    The kernel counts it in ticks of 10 ms: a mean over many requests is what it can tell.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid  # type: ignore[attr-defined]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server runs on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Tally:
    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.server_cpu: dict[str, list[float]] = defaultdict(list)
        self.queries: dict[str, list[int]] = defaultdict(list)
        self.last_sql: dict[str, list[tuple[str, float]]] = {}
        self.profiler: Any = None
        self.profile_kind = ""

    @contextmanager
    def measure(self, kind: str, record: bool) -> Iterator[None]:
        from django.db import connection

        statements: list[tuple[str, float]] = []

        def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((sql, time.perf_counter() - started))

        profiling = record and self.profiler is not None and self.profile_kind in (kind, "every")
        with connection.execute_wrapper(counter):
            if profiling:
                self.profiler.start()
            server_started = server_cpu_seconds()
            started = time.process_time()
            yield
            spent = time.process_time() - started
            server_spent = server_cpu_seconds() - server_started
            if profiling:
                self.profiler.stop()
        if record:
            self.cpu[kind].append(spent * 1000)
            self.server_cpu[kind].append(server_spent * 1000)
            self.queries[kind].append(len(statements))
            self.last_sql[kind] = statements


def request(
    tally: Tally,
    record: bool,
    kind: str,
    call: Callable[[], tuple[int, bytes]],
    expected: int,
) -> bytes:
    with tally.measure(kind, record):
        status, body = call()
    if status != expected:
        text = gzip.decompress(body) if body.startswith(b"\x1f\x8b") else body
        raise SystemExit(f"{kind}: status {status}, expected {expected}: {text[:600]!r}")
    return body


def log_in(client_class: Any, tab: Tab, email: str) -> None:
    """Log in as the person without the password hasher or TOTP, and give the tab the cookies."""
    from fii.models import User
    from fii.security import SESSION_SECOND_FACTOR

    client = client_class()
    user = User.objects.get(email=email)
    client.force_login(user)
    # As if the session had passed the second factor, which staff need (fii.security).
    session = client.session
    session[SESSION_SECOND_FACTOR] = {"user": str(user.pk), "at": time.time()}
    session.save()
    tab.cookies.update({k: v.value for k, v in client.cookies.items()})
    # The CSRF cookie, as a first page would set it.
    tab.call("GET", "/accounts/login/")


def visit(tally: Tally, record: bool, tab: Tab, plan: Any) -> None:
    home = plan.family_home
    request(tally, record, "family home", lambda: tab.call("GET", home), 200)
    request(tally, record, "journal", lambda: tab.call("GET", plan.journal_path), 200)
    for step in range(plan.autosaves):
        form = plan.draft(step)
        request(
            tally,
            record,
            "draft save",
            lambda form=form: tab.call("POST", plan.autosave_path, form),  # type: ignore[misc]
            200,
        )
    submission = plan.submission()
    request(tally, record, "submit", lambda: tab.call("POST", plan.journal_path, submission), 302)
    request(tally, record, "family home", lambda: tab.call("GET", home), 200)


def browse_queue(tally: Tally, record: bool, tab: Tab, plan: Any, n: int) -> None:
    """What a staff member opens, in the load benchmark's proportions: the queue, a flag."""
    request(tally, record, "staff queue", lambda: tab.call("GET", plan.queue), 200)
    page = f"{plan.queue}?page={n % max(plan.queue_pages, 1) + 1}"
    request(tally, record, "staff queue", lambda: tab.call("GET", page), 200)
    flag = f"{plan.queue}{plan.flag_ids[n % len(plan.flag_ids)]}/"
    request(tally, record, "staff flag", lambda: tab.call("GET", flag), 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=30, help="family accounts visited")
    parser.add_argument("--rounds", type=int, default=3, help="visits of every family")
    parser.add_argument("--autosaves", type=int, default=4)
    parser.add_argument("--bare", type=int, default=300, help="requests of the bare view")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--profile", default="", help='a kind of request to profile ("every": all of them)'
    )
    parser.add_argument("--keep", action="store_true", help="reuse fii_pages as it is")
    parser.add_argument(
        "--sql", action="store_true", help="print the queries of each kind, with their wall time"
    )
    args = parser.parse_args()
    if args.profile and args.profile not in (*KINDS, "every"):
        parser.error(f"--profile: one of {', '.join(KINDS)}, or every")

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (postgres://...)")
    database_url = load.with_database(url, PAGES_DB)
    redis_url = args.redis_url if redis_answers(args.redis_url) else ""
    if not args.keep:
        load.create_database(url, PAGES_DB)
    if redis_url:
        load.flush_redis(redis_url)
    environment = load.server_environment(database_url, redis_url)
    if not redis_url:
        del environment["REDIS_URL"]
    load.setup_django(environment)

    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    from fii.models import User

    if not args.keep:
        load.seed(args.families + 10, 12)
        load.create_accounts(args.families)
        load.analyze()
    families = [
        (u.email, u.memberships.get().family_id)
        for u in User.objects.filter(email__endswith="@load.example", email__startswith="family")
        .order_by("pk")
        .prefetch_related("memberships")[: args.families]
    ]
    plan = load.make_plan(args.autosaves)
    period = load.period_of_plan()
    app = WSGIHandler()

    tally = Tally()
    if args.profile:
        tally.profiler = make_profiler()
        tally.profile_kind = args.profile

    tabs = []
    for n, (email, _family_id) in enumerate(families):
        tab = Tab(app, f"10.2.{n // 250}.{n % 250 + 1}")
        log_in(Client, tab, email)
        tabs.append(tab)
    staff_tabs = []
    for n, email in enumerate(
        User.objects.filter(email__startswith="staff", email__endswith="@load.example")
        .order_by("pk")
        .values_list("email", flat=True)
    ):
        tab = Tab(app, f"10.4.0.{n + 1}")
        log_in(Client, tab, email)
        staff_tabs.append(tab)
    anonymous = Tab(app, "10.3.0.1")
    family_ids = [f for _e, f in families]

    # A round first to warm up (templates compiled, connections open), then the measured ones.
    for round_number in range(args.rounds + 1):
        record = round_number > 0
        load.reset_month(family_ids, period)
        for tab in tabs:
            visit(tally, record, tab, plan)
        for n in range(len(tabs) // 3):
            browse_queue(tally, record, staff_tabs[n % len(staff_tabs)], plan, n)
        for n in range(args.bare // (args.rounds + 1)):
            tab = tabs[n % len(tabs)]
            request(tally, record, "bare view", lambda: anonymous.call("GET", "/bench/hello/"), 200)
            request(
                tally,
                record,
                "bare view, logged in",
                lambda tab=tab: tab.call("GET", "/bench/hello/"),  # type: ignore[misc]
                200,
            )
    load.reset_month(family_ids, period)
    if redis_url:
        load.flush_redis(redis_url)

    print(
        f"{len(tabs)} families, {args.rounds} rounds, {args.autosaves} autosaves a visit; "
        f"cache: {'Redis' if redis_url else 'local memory'}"
    )
    print("| requests | count | CPU ms, median | p90 | queries | PostgreSQL CPU ms, mean |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in KINDS:
        cpu = sorted(tally.cpu[kind])
        queries = sorted(set(tally.queries[kind]))
        shown = "/".join(map(str, queries))
        p90 = cpu[int(len(cpu) * 0.9)]
        server = statistics.mean(tally.server_cpu[kind])
        print(
            f"| {kind} | {len(cpu)} | {statistics.median(cpu):.2f} | {p90:.2f} | {shown} "
            f"| {server:.2f} |"
        )
    if args.sql:
        for kind, statements in tally.last_sql.items():
            print(f"\n{kind}:")
            for sql, seconds in statements:
                print(f"    {seconds * 1000:6.2f} ms  {sql[:150]}")
    if tally.profiler is not None:
        print_profile(tally.profiler)


class TemplateProfiler:
    """Time every template node's render, less its children's: where a page's HTML costs.

    Nodes are told apart by template and line; a line's time is its own nodes' (a {% for %}
    counts its loop, not the nodes inside it, which have lines of their own).
    """

    def __init__(self) -> None:
        self.own: dict[tuple[str, int], float] = defaultdict(float)
        self.calls: dict[tuple[str, int], int] = defaultdict(int)
        self.renders = 0
        self._original: Any = None

    def start(self) -> None:
        from django.template.base import Node

        self.renders += 1
        self._original = Node.render_annotated
        stack: list[float] = []  # the children's time of each node being rendered
        profiler = self

        def timed(node: Any, context: Any) -> Any:
            token = getattr(node, "token", None)
            origin = getattr(node, "origin", None)
            where = (getattr(origin, "template_name", None) or "?", getattr(token, "lineno", 0))
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return profiler._original(node, context)
            finally:
                spent = time.perf_counter() - started
                children = stack.pop()
                profiler.own[where] += spent - children
                profiler.calls[where] += 1
                if stack:
                    stack[-1] += spent

        Node.render_annotated = timed  # type: ignore[method-assign]

    def stop(self) -> None:
        from django.template.base import Node

        Node.render_annotated = self._original  # type: ignore[method-assign]

    def print(self) -> None:
        total = sum(self.own.values())
        print(f"\ntemplates: {total / self.renders * 1000:.3f} ms a request, by line:")
        ranked = sorted(self.own.items(), key=lambda item: -item[1])[:40]
        for (name, line), seconds in ranked:
            calls = self.calls[name, line] / self.renders
            print(f"  {seconds / self.renders * 1000:7.3f} ms {calls:7.1f} calls  {name}:{line}")


def make_profiler() -> Any:
    """Return pyinstrument's profiler, cProfile's (PROFILER=cprofile) or TemplateProfiler's."""
    if os.environ.get("PROFILER") == "templates":
        return TemplateProfiler()
    if os.environ.get("PROFILER") == "cprofile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.start = profiler.enable  # type: ignore[method-assign]
        profiler.stop = profiler.disable  # type: ignore[method-assign]
        return profiler
    from pyinstrument import Profiler

    return Profiler(interval=0.0002)


def print_profile(profiler: Any) -> None:
    if isinstance(profiler, TemplateProfiler):
        profiler.print()
    elif os.environ.get("PROFILER") == "cprofile":
        import pstats

        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
        stats.print_stats(45)
        if os.environ.get("PROFILE_OUT"):
            stats.dump_stats(os.environ["PROFILE_OUT"])
        callers = os.environ.get("PROFILE_CALLERS")
        if callers:
            stats.print_callers(callers)
    else:
        print(profiler.output_text(unicode=True, color=False))


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:  # no Redis: the local-memory cache
        return False


if __name__ == "__main__":
    main()
