"""The load benchmark's people, on Locust; benchmarks/load.py runs this as a child process.

It reads one line of JSON that describes the site (the server's address, the plan, the accounts),
then one line per phase to run (log everyone in, a reference page, the mix), and answers each
with one line: the phase's seconds, every request's seconds by kind, the errors, the families
that submitted. Locust runs the people as gevent greenlets of this one process; the benchmark's
own database work stays in the parent, out of reach of the standard library gevent patches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import random
import re
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from locust import User, task
from locust.contrib.fasthttp import FastHttpSession, ResponseContextManager
from locust.env import Environment
from locust.event import EventHook
from locust.exception import StopUser

REQUESTS = EventHook()  # every request of every browser; each phase listens while it runs
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TWO_FACTOR = "/accounts/2fa/authenticate/"
REFERENCE_PAGES = {"hello": ("/bench/hello/", b"hello"), "minimal page": ("/bench/minimal/", b"<!")}

Check = Callable[[ResponseContextManager], str]


@dataclass(frozen=True)
class Plan:
    """The paths and forms the people use, as benchmarks/load.py looked them up."""

    home: str  # a family's
    journal: str  # the month's journal
    autosave: str
    drafts: list[dict[str, str]]  # the form as each autosave posts it, with more answers
    submission: dict[str, str]
    queue: str
    queue_pages: int
    flag_ids: list[int]
    program_ids: list[int]


class Browser:
    """One person's browser behind the reverse proxy: its own cookies, connections and address.

    Every request carries what the proxy in front of production adds (the client's address, and
    that it came over HTTPS) and what a browser sends (gzip; on a form, Origin and the CSRF
    token). No redirect is followed: each request is measured and checked on its own.
    """

    def __init__(self, host: str, address: str) -> None:
        self.session = FastHttpSession(
            host,
            request_event=REQUESTS,
            user=None,
            max_redirects=0,
            max_retries=0,
            network_timeout=60,  # FastHttpUser's; a login waits for the password hasher
            connection_timeout=60,
        )
        # The proxy ends TLS: the browser's https is our http, its secure cookies go on it.
        self.session.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        self.origin = "https://" + urlsplit(host).netloc
        self.headers = {
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip",
        }

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.session.cookiejar if c.name == name), "")

    def get(self, kind: str, path: str, **expect: Any) -> ResponseContextManager | None:
        return self.send(kind, "GET", path, None, **expect)

    def post(
        self, kind: str, path: str, form: dict[str, str], token: str = "", **expect: Any
    ) -> ResponseContextManager | None:
        form = {"csrfmiddlewaretoken": token or self.cookie("csrftoken"), **form}
        return self.send(kind, "POST", path, form, **expect)

    def send(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict[str, str] | None,
        status: int = 200,
        location: str | None = None,
        check: Check | None = None,
        headers: dict[str, str] | None = None,
    ) -> ResponseContextManager | None:
        """Make one request, recorded as `kind`; return it if it is what a browser expects."""
        sent = {**self.headers, "X-Load-Kind": kind, **(headers or {})}  # for the access log
        if form is not None:
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
        body = urlencode(form) if form is not None else None
        with self.session.request(
            method, path, name=kind, data=body, headers=sent, catch_response=True
        ) as response:
            problem = trouble(response, status, location, check)
            if problem:
                response.failure(problem)
                return None
            response.success()
            return response


def trouble(
    response: ResponseContextManager, status: int, location: str | None, check: Check | None
) -> str:
    """Say what is wrong with a response, or nothing."""
    if response.status_code != status:
        error = getattr(response, "error", None) or ""
        return f"{response.status_code} instead of {status} {error}".strip()
    went = response.headers.get("location") if response.headers else None
    if location is not None and went != location:
        return f"redirected to {went} instead of {location}"
    return check(response) if check else ""


def starts_with(start: bytes) -> Check:
    return lambda r: "" if r.content.startswith(start) else f"answered {r.content[:80]!r}"


def saved(response: ResponseContextManager) -> str:
    try:
        if response.json().get("saved") is True:
            return ""
    except ValueError:
        pass
    return f"answered {response.content[:80]!r}"


def form_token(page: ResponseContextManager) -> str:
    found = CSRF_INPUT.search(page.content or b"")
    return found.group(1).decode() if found else ""


def totp(secret: str) -> str:
    """Return the code an authenticator app shows now (RFC 6238 as allauth: SHA-1, 30 s, 6)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


@dataclass
class Account:
    """A family's or a staff member's account, and the browser it is logged in with."""

    email: str
    address: str
    family_id: int | None
    secret: str | None  # a staff member's TOTP secret
    browser: Browser


def log_in(account: Account, password: str, plan: Plan) -> None:
    """Log in through allauth's forms (staff: then the TOTP form), and open the first pages."""
    browser = account.browser
    form = {"login": account.email, "password": password}
    after = TWO_FACTOR if account.secret else None
    if not post_form(browser, "/accounts/login/", form, after):
        return
    if account.secret and not post_form(browser, TWO_FACTOR, {"code": totp(account.secret)}):
        return
    if not browser.cookie("sessionid"):
        REQUESTS.fire(name="login", response_time=0, exception=f"no session for {account.email}")
    elif account.family_id is None:  # open each kind of page once: every worker warms up
        browser.get("staff queue", plan.queue)
        browser.get("staff flag", f"{plan.queue}{random.choice(plan.flag_ids)}/")
    else:
        browser.get("family home", plan.home)
        browser.get("journal", plan.journal)


def post_form(browser: Browser, path: str, form: dict[str, str], then: str | None = None) -> bool:
    """Open a form and send it with the CSRF token it holds; it must answer with a redirect."""
    page = browser.get("login", path, check=has_form)
    if page is None:
        return False
    sent = browser.post("login", path, form, form_token(page), status=302, location=then)
    return sent is not None


def has_form(page: ResponseContextManager) -> str:
    return "" if form_token(page) else "no CSRF token in the form"


@dataclass
class Tally:
    """What a phase measured: each request's seconds by kind, the errors, the submits."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)  # families whose two submits were sent
    acknowledged: list[int] = field(default_factory=list)  # ... and both answered rightly
    ran_out: bool = False

    def record(self, name: str, response_time: float, exception: Any, **_: Any) -> None:
        self.samples.setdefault(name, []).append(response_time / 1000)
        if exception:
            self.errors.append((name, str(exception)))


class Site:
    """The people's accounts and browsers, and what the phase running now needs."""

    def __init__(
        self, host: str, plan: dict[str, Any], password: str, accounts: list, people: list[int]
    ) -> None:
        self.host, self.plan, self.password = host, Plan(**plan), password
        FamilyUser.fixed_count, StaffUser.fixed_count = people
        ReferenceUser.fixed_count = sum(people)
        self.accounts = [
            Account(email, address, family_id, secret, Browser(host, address))
            for email, address, family_id, secret in accounts
        ]
        self.staff = [a for a in self.accounts if a.family_id is None]
        self.waiting: deque[Account] = deque()  # logins to do, or families not used yet
        self.turned_away = 0  # people that found `waiting` empty
        self.think = 0.0
        self.stopping = False  # the phase is over: each person stops at its next pause
        self.tally = Tally()

    def take(self) -> Account | None:
        if self.waiting:
            return self.waiting.popleft()
        self.turned_away += 1
        return None

    def run(self, users: list[type[Person]], seconds: float, think: float = 0) -> dict[str, Any]:
        """Run the users for `seconds`, or until those that take turns found none left."""
        self.tally, self.turned_away, self.think, self.stopping = Tally(), 0, think, False
        REQUESTS.add_listener(self.tally.record)
        runner = Environment(user_classes=list(users), host=self.host).create_local_runner()
        people = sum(user.fixed_count for user in users)
        started = time.perf_counter()
        runner.start(people, spawn_rate=people)
        waiting_for = sum(u.fixed_count for u in users if u.takes_turns)
        while time.perf_counter() - started < seconds:
            if waiting_for and self.turned_away >= waiting_for:
                self.tally.ran_out = True
                break
            gevent.sleep(0.1)
        self.stopping = True
        while runner.user_count:  # each person finishes what it is doing (a double submit too)
            gevent.sleep(0.05)
        runner.quit()
        for crash in runner.exceptions.values():  # a person's script failed, not a request
            self.tally.errors += [("client", crash["msg"])] * crash["count"]
        REQUESTS.remove_listener(self.tally.record)
        return {"seconds": time.perf_counter() - started, **asdict(self.tally)}

    def login(self, parallel: int) -> dict[str, Any]:
        self.waiting = deque(self.accounts)
        LoginUser.fixed_count = parallel
        return self.run([LoginUser], seconds=24 * 3600)

    def reference(self, kind: str, seconds: float) -> dict[str, Any]:
        ReferenceUser.path, ReferenceUser.opening = REFERENCE_PAGES[kind]
        ReferenceUser.kind = kind
        return self.run([ReferenceUser], seconds)

    def mix(self, seconds: float, think: float) -> dict[str, Any]:
        """The family people, with every family to visit, and the staff."""
        self.waiting = deque(a for a in self.accounts if a.family_id is not None)
        StaffUser.browsers = deque(a.browser for a in self.staff)
        return self.run([FamilyUser, StaffUser], seconds, think)


class Person(User):
    """Someone on the site. People pause themselves, and once the phase is over they stop at
    their next pause: never in the middle of a visit's request or of a double submit (Locust's
    own stop can land in the request that follows its wait)."""

    abstract = True
    site: Site
    takes_turns = False  # takes accounts from `site.waiting` until none is left

    def pause(self) -> None:
        """Wait as someone reading or typing: `site.think` seconds on average, half to one and
        a half times it."""
        gevent.sleep(self.site.think * random.uniform(0.5, 1.5))
        if self.site.stopping:
            raise StopUser


class LoginUser(Person):
    """Logs the accounts in, one after another."""

    takes_turns = True

    @task
    def next_account(self) -> None:
        account = self.site.take()
        if account is None:
            raise StopUser
        log_in(account, self.site.password, self.site.plan)


class FamilyUser(Person):
    """Takes the next family not used yet and visits as it: its home, the month's journal,
    autosaves while typing, a submit sent twice at once (a double tap), home again."""

    takes_turns = True

    @task
    def next_family(self) -> None:
        self.pause()  # the first time: people arrive one by one
        family = self.site.take()
        if family is None:
            raise StopUser
        self.visit(family)

    def visit(self, family: Account) -> None:
        browser, plan, tally = family.browser, self.site.plan, self.site.tally
        steps = [
            lambda: browser.get("family home", plan.home),
            lambda: browser.get("journal", plan.journal),
            *(lambda draft=draft: autosave(browser, plan, draft) for draft in plan.drafts),
        ]
        for step in steps:
            if step() is None:
                return
            self.pause()
        assert family.family_id is not None
        tally.submitted.append(family.family_id)
        if double_submit(browser, plan):
            tally.acknowledged.append(family.family_id)
        self.pause()
        browser.get("family home", plan.home)


def autosave(browser: Browser, plan: Plan, draft: dict[str, str]) -> ResponseContextManager | None:
    """Post the form as journal.js does while the family types."""
    headers = {"X-Requested-With": "fetch", "Accept": "application/json"}
    return browser.post("draft save", plan.autosave, draft, check=saved, headers=headers)


def double_submit(browser: Browser, plan: Plan) -> bool:
    """Send the submit twice at once on two connections; both must be sent home."""
    twins = [
        gevent.spawn(
            browser.post,
            "submit",
            plan.journal,
            plan.submission,
            status=302,
            location=plan.home,
        )
        for _ in range(2)
    ]
    gevent.joinall(twins)
    return all(twin.value is not None for twin in twins)


class StaffUser(Person):
    """Browses the readiness queue: its first page, a later page, a program's flags, a flag."""

    browsers: deque[Browser]  # the staff's logged-in browsers, one for each StaffUser

    def on_start(self) -> None:
        self.browser = self.browsers.popleft()

    @task
    def browse(self) -> None:
        self.pause()
        self.open_page()

    def open_page(self) -> None:
        plan, choice = self.site.plan, random.random()
        if choice < 0.4:
            self.browser.get("staff queue", plan.queue)
        elif choice < 0.6:
            page = random.randint(2, max(plan.queue_pages, 2))
            self.browser.get("staff queue", f"{plan.queue}?page={page}")
        elif choice < 0.7 and plan.program_ids:
            self.browser.get(
                "staff queue", f"{plan.queue}?program={random.choice(plan.program_ids)}"
            )
        else:
            self.browser.get("staff flag", f"{plan.queue}{random.choice(plan.flag_ids)}/")


class ReferenceUser(Person):
    """Asks for one reference page again and again, anonymously, with no pause."""

    kind, path, opening = "hello", "", b""  # the page's answer starts with `opening`
    addresses = itertools.count()

    def on_start(self) -> None:
        n = next(self.addresses)
        self.browser = Browser(str(self.host), f"10.3.{n // 250}.{n % 250 + 1}")

    @task
    def ask(self) -> None:
        self.pause()
        self.browser.get(self.kind, self.path, check=starts_with(self.opening))


def main() -> None:
    replies, sys.stdout = sys.stdout, sys.stderr  # only the replies go to the parent's pipe
    Person.site = site = Site(**json.loads(sys.stdin.readline()))
    phases: dict[str, Callable[..., dict[str, Any]]] = {
        "login": site.login,
        "reference": site.reference,
        "mix": site.mix,
    }
    for line in sys.stdin:
        command = json.loads(line)
        result = phases[command.pop("phase")](**command)
        replies.write(json.dumps(result) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
