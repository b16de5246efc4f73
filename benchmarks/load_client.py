"""The load benchmark's client: browsers made of http.client, the people's scripts, the figures.

Light on purpose, since it shares the machine's cores with the server: no HTML is parsed
(the CSRF token comes from its cookie, as the journal's autosave script does), bodies are read
and dropped, and every person is one thread of one process.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import random
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

FAMILY_KINDS = ("family home", "journal", "draft save", "submit")
STAFF_KINDS = ("staff queue", "staff flag")
HELLO = "hello"
MINIMAL = "minimal page"


# --- one browser ----------------------------------------------------------------------------


class Jar:
    """Cookies of one person, shared by the tabs that person has open."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def update(self, headers: list[str]) -> None:
        for raw in headers:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(raw)
            with self.lock:
                for name, morsel in parsed.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


@dataclass
class Response:
    status: int
    location: str
    body: bytes
    seconds: float


class ClientError(Exception):
    """A response that a person's browser would not have expected."""


class Browser:
    """One tab: a connection to the server, kept while the server keeps it, and a jar.

    Every request carries what the reverse proxy in front of production adds (the client's
    address, and that the request came over HTTPS) and what a browser sends (gzip, Origin).
    """

    def __init__(self, server: tuple[str, int], address: str, jar: Jar | None = None) -> None:
        self.host, self.port = server
        self.jar = jar or Jar()
        self.origin = f"https://{self.host}:{self.port}"
        self.base = {
            "Host": f"{self.host}:{self.port}",
            "Accept-Encoding": "gzip",
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
        }
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        send = {**self.base, **(headers or {})}
        cookies = self.jar.header()
        if cookies:
            send["Cookie"] = cookies
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.jar.cookies.get("csrftoken", ""), **form}
            body = urlencode(form).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
            send["Origin"] = self.origin
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=send)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        seconds = time.perf_counter() - started
        if response.will_close:
            self.conn.close()
        self.jar.update(response.msg.get_all("Set-Cookie") or [])
        return Response(response.status, response.getheader("Location", ""), data, seconds)

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict[str, str], **headers: str) -> Response:
        return self.request("POST", path, form=form, headers=headers)

    def close(self) -> None:
        self.conn.close()


def expect(response: Response, status: int, location: str | None = None) -> None:
    if response.status != status:
        raise ClientError(f"{response.status} instead of {status} {response.location}".strip())
    if location is not None and response.location != location:
        raise ClientError(f"redirected to {response.location} instead of {location}")


def log_in(
    browser: Browser, email: str, password: str, code: Callable[[], str] | None = None
) -> None:
    """Log in through allauth's forms, with the TOTP step when the account has one."""
    expect(browser.get("/accounts/login/"), 200)
    response = browser.post("/accounts/login/", {"login": email, "password": password})
    if code is not None:
        expect(response, 302, "/accounts/2fa/authenticate/")
        expect(browser.get(response.location), 200)
        response = browser.post(response.location, {"code": code()})
    expect(response, 302)
    if "sessionid" not in browser.jar.cookies:
        raise ClientError(f"no session after logging in as {email}")


# --- what the people do ---------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Everything the scripts need to know about the site, looked up by the benchmark."""

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


@dataclass
class Sample:
    kind: str
    seconds: float
    error: str = ""


@dataclass
class Family:
    family_id: int
    email: str
    address: str
    browser: Browser | None = None


class FamilyPool:
    """The family accounts not used yet, shared by every family thread of every phase."""

    def __init__(self, families: Iterable[Family]) -> None:
        self._families = deque(families)
        self._lock = threading.Lock()

    def take(self) -> Family | None:
        with self._lock:
            return self._families.popleft() if self._families else None


@dataclass
class Person:
    """One of the concurrent people: its samples, and the families it acted for.

    `think` is the mean pause between two of its requests, in seconds (0: none, the next
    request goes as soon as the last is answered); each pause is drawn between half and one
    and a half times it.
    """

    name: str
    acts_for_families: bool = False
    think: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)  # families that sent their two submits
    acknowledged: list[int] = field(default_factory=list)  # ... and were told it was saved
    ran_out: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(self.name)

    def pause(self, stop: threading.Event) -> bool:
        """Wait as a person reads or types; return False if the phase ended meanwhile."""
        if self.think:
            stop.wait(self.think * self.rng.uniform(0.5, 1.5))
        return not stop.is_set()

    def timed(self, kind: str, call: Callable[[], Response], check: Callable[[Response], None]):  # type: ignore[no-untyped-def]
        """Make one request, check it, and keep its latency or its error."""
        started = time.perf_counter()
        try:
            response = call()
            check(response)
        except ClientError as exc:
            self.samples.append(Sample(kind, response.seconds, str(exc)))
            return None
        except (OSError, http.client.HTTPException) as exc:
            seconds = time.perf_counter() - started
            self.samples.append(Sample(kind, seconds, f"{type(exc).__name__}: {exc}"))
            return None
        self.samples.append(Sample(kind, response.seconds))
        return response


def family_visit(person: Person, family: Family, plan: Plan, stop: threading.Event) -> None:
    """Open home and the month's journal, type (autosaves), submit twice at once, go home."""
    browser = family.browser
    assert browser is not None
    steps: list[tuple[str, Callable[[], Response], Callable[[Response], None]]] = [
        ("family home", lambda: browser.get(plan.family_home), lambda r: expect(r, 200)),
        ("journal", lambda: browser.get(plan.journal_path), lambda r: expect(r, 200)),
    ]
    steps += [
        ("draft save", lambda step=step: autosave(browser, plan, step), _saved)  # type: ignore[misc]
        for step in range(plan.autosaves)
    ]
    for kind, call, check in steps:
        if stop.is_set() or person.timed(kind, call, check) is None:
            return
        if not person.pause(stop):
            return
    person.submitted.append(family.family_id)
    if double_submit(person, family, plan):
        person.acknowledged.append(family.family_id)
    if not person.pause(stop):
        return
    person.timed("family home", lambda: browser.get(plan.family_home), lambda r: expect(r, 200))


def autosave(browser: Browser, plan: Plan, step: int) -> Response:
    """Post the form as journal.js does while the family types."""
    headers = {"X-Requested-With": "fetch", "Accept": "application/json"}
    return browser.post(plan.autosave_path, plan.draft(step), **headers)


def _saved(response: Response) -> None:
    expect(response, 200)
    if json.loads(response.body).get("saved") is not True:
        raise ClientError(f"autosave answered {response.body[:100]!r}")


def double_submit(person: Person, family: Family, plan: Plan) -> bool:
    """Send the submit twice at once, as a double tap would from two tabs; both must land home."""
    assert family.browser is not None
    twin = Browser((family.browser.host, family.browser.port), family.address, family.browser.jar)
    other = Person(person.name + " twin")
    both = threading.Barrier(2)

    def send(who: Person, browser: Browser) -> None:
        both.wait()
        who.timed(
            "submit",
            lambda: browser.post(plan.journal_path, plan.submission()),
            lambda r: expect(r, 302, plan.family_home),
        )

    thread = threading.Thread(target=send, args=(other, twin))
    thread.start()
    send(person, family.browser)
    thread.join()
    twin.close()
    person.samples.extend(other.samples)
    return all(not s.error for s in person.samples[-2:])


def family_loop(person: Person, pool: FamilyPool, plan: Plan, stop: threading.Event) -> None:
    person.pause(stop)  # people arrive one by one, not all in the same millisecond
    while not stop.is_set():
        family = pool.take()
        if family is None:
            person.ran_out = True
            return
        family_visit(person, family, plan, stop)
        person.pause(stop)


def ok(response: Response) -> None:
    expect(response, 200)


def staff_page(plan: Plan, rng: random.Random) -> tuple[str, str]:
    """Pick what a staff member opens next: the queue, a later page, a program's flags, a flag."""
    choice = rng.random()
    if choice < 0.4:
        return "staff queue", plan.queue
    if choice < 0.6:
        return "staff queue", f"{plan.queue}?page={rng.randint(2, max(plan.queue_pages, 2))}"
    if choice < 0.7 and plan.program_ids:
        return "staff queue", f"{plan.queue}?program={rng.choice(plan.program_ids)}"
    return "staff flag", f"{plan.queue}{rng.choice(plan.flag_ids)}/"


def staff_loop(person: Person, browser: Browser, plan: Plan, stop: threading.Event) -> None:
    """Browse the readiness queue: pages, a program's flags, and a flag's evidence."""
    person.pause(stop)
    while not stop.is_set():
        kind, path = staff_page(plan, person.rng)
        person.timed(kind, functools.partial(browser.get, path), ok)
        person.pause(stop)


# The reference pages of benchmarks/load_urls.py: their path and the start of their answer.
REFERENCE_PAGES = {HELLO: ("/bench/hello/", b"hello"), MINIMAL: ("/bench/minimal/", b"<!doctype")}


def reference_loop(kind: str, person: Person, browser: Browser, stop: threading.Event) -> None:
    """Ask for one of the reference pages again and again, anonymously."""
    path, start = REFERENCE_PAGES[kind]

    def check(response: Response) -> None:
        expect(response, 200)
        if not response.body.startswith(start):
            raise ClientError(f"{kind} answered {response.body[:100]!r}")

    while not stop.is_set():
        person.timed(kind, lambda: browser.get(path), check)


# --- a measured phase -----------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float
    samples: list[Sample]
    client_cpu: float  # seconds of CPU this process used
    machine_busy: float | None  # share of all cores busy, from /proc/stat
    ran_out: int = 0
    worker: dict[str, list[float]] = field(default_factory=dict)  # seconds in a worker, by kind
    programs: dict[str, float] = field(default_factory=dict)  # CPU seconds of each program

    def count(self, kinds: tuple[str, ...] | None = None) -> int:
        return sum(1 for s in self.samples if kinds is None or s.kind in kinds)

    def rps(self, kinds: tuple[str, ...] | None = None) -> float:
        return self.count(kinds) / self.seconds

    def errors(self, kinds: tuple[str, ...] | None = None) -> list[Sample]:
        return [s for s in self.samples if s.error and (kinds is None or s.kind in kinds)]

    def percentiles(self, kinds: tuple[str, ...] | None = None) -> tuple[float, float, float]:
        return percentiles([s.seconds for s in self.samples if kinds is None or s.kind in kinds])

    def in_worker(self, kinds: tuple[str, ...] | None = None) -> tuple[float, float, float]:
        """Return the percentiles of the time spent in a worker, from the server's log."""
        chosen = [v for k, vs in self.worker.items() if kinds is None or k in kinds for v in vs]
        return percentiles(chosen)


def percentiles(times: list[float]) -> tuple[float, float, float]:
    """Return the 50th, 95th and 99th percentiles."""
    if len(times) < 2:
        return (times[0],) * 3 if times else (float("nan"),) * 3
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def cpu_ticks() -> tuple[int, int] | None:
    """Return the busy and total time of all cores so far, in ticks (Linux only)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def program_ticks(server_pid: int) -> dict[int, tuple[str, int]]:
    """Return, for every process, its program and the CPU time (user and system, in ticks)
    it has used so far (Linux only; empty elsewhere). The programs: the server (gunicorn and
    its workers), PostgreSQL, Redis, this client and the rest."""
    processes: dict[int, tuple[str, int]] = {}
    me = os.getpid()
    try:
        entries = [e for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return processes
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "stat")) as file:
                stat = file.read()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent, ticks = int(entry.name), int(fields[1]), int(fields[11]) + int(fields[12])
        if server_pid in (pid, parent):
            name = "server"
        elif pid == me:
            name = "client"
        elif command.startswith("postgres"):
            name = "PostgreSQL"
        elif command.startswith("redis"):
            name = "Redis"
        else:
            name = "the rest"
        processes[pid] = (name, ticks)
    return processes


def programs_between(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> dict[str, float]:
    """Return the CPU seconds each program used between two readings of program_ticks (a
    process that ended in between is left out; one that started counts from zero)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid, (name, ticks) in after.items():
        was = before.get(pid)
        since = ticks - was[1] if was is not None and was[0] == name else ticks
        used[name] = used.get(name, 0.0) + since / tick
    return used


def run_phase(
    name: str,
    people: list[tuple[Person, Callable[[threading.Event], None]]],
    seconds: float,
    progress: Callable[[float, int, int], None],
) -> Phase:
    """Run every person's loop in its own thread for `seconds`; return what they measured."""
    stop = threading.Event()
    families = [person for person, _ in people if person.acts_for_families]
    threads = [threading.Thread(target=loop, args=(stop,), daemon=True) for _, loop in people]
    ticks, cpu = cpu_ticks(), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while (elapsed := time.perf_counter() - started) < seconds:
        if families and all(person.ran_out for person in families):
            break
        time.sleep(min(1.0, seconds - elapsed))
        done = sum(len(p.samples) for p, _ in people)
        errors = sum(1 for p, _ in people for s in p.samples if s.error)
        progress(min(time.perf_counter() - started, seconds), done, errors)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    busy = None
    after = cpu_ticks()
    if ticks and after and after[1] > ticks[1]:
        busy = (after[0] - ticks[0]) / (after[1] - ticks[1])
    samples = [s for person, _ in people for s in person.samples]
    ran_out = sum(1 for person, _ in people if person.ran_out)
    return Phase(name, elapsed, samples, time.process_time() - cpu, busy, ran_out)


def merge(name: str, phases: list[Phase]) -> Phase:
    """Join phases of the same kind (the bare view measured before and after the mix)."""
    busy = [p.machine_busy for p in phases if p.machine_busy is not None]
    worker: dict[str, list[float]] = {}
    for phase in phases:
        for kind, seconds in phase.worker.items():
            worker.setdefault(kind, []).extend(seconds)
    return Phase(
        name,
        sum(p.seconds for p in phases),
        [s for p in phases for s in p.samples],
        sum(p.client_cpu for p in phases),
        sum(busy) / len(busy) if busy else None,
        worker=worker,
        programs={
            name: sum(p.programs.get(name, 0.0) for p in phases)
            for name in {name for p in phases for name in p.programs}
        },
    )
