"""Fuzz every API operation from its OpenAPI schema, as a family, a staff member and a funder.

The schema is loaded from the WSGI application in-process, so the calls share the test's
database transaction. Each persona of organization A sends generated requests to every
operation, with the path pointing at A's objects, at B's objects through A's slug, at B's
slug, and at generated ids; B's data carries a marker that no response may contain.
Checks: no server error, status codes, content types and bodies as the schema says, and no
marker of B.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fii.wsgi import application
from journals.models import EntryStatus
from journals.periods import month_start
from journals.services import open_periods
from tests import factories as f
from tests.api.conftest import token_for
from tests.conftest import World, build_world

pytestmark = pytest.mark.django_db

MARKER_B = "MARKER-B-5c1d"
# Examples per operation and persona: the main target (A's objects) gets the most; the others
# (another family's or organization's objects, generated ids) fewer: 2,500 requests, about
# 25-35 s of CPU for the three personas.
MAIN_EXAMPLES = 20
OTHER_EXAMPLES = 5
# Objects the paths name: the first of each pool is the main target, the second the other.
POOLS = {
    "entry_id": ("draft", "entry"),
    "goal_id": ("goal", "goal"),
    "help_id": ("to_confirm", "help"),
    "family_id": ("family", "neighbour"),
    "group_id": ("group", "group"),
    "flag_id": ("flag", "flag"),
}
VALID_ANSWERS = {
    "income_wages": 2400,
    "income_business": 0,
    "income_benefits": 150,
    "income_other": 0,
    "savings_balance": 350,
    "savings_deposited": 50,
    "debt_total": 3900,
    "debt_payments": 100,
    "debt_high_interest": 0,
    "debt_overdue_bills": 0,
}


def no_marker_of_organization_b(ctx: Any, response: Any, case: Any) -> None:
    """Fail when a response carries anything of organization B."""
    if MARKER_B in response.text:
        raise AssertionError(f"{case.operation.label} answered with data of organization B")


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    no_marker_of_organization_b,
]


def with_targets(world: World) -> World:
    """Add a draft of this month and help waiting for the family's confirmation."""
    family, neighbour = world.objects["family"], world.objects["neighbour"]
    this_month = month_start(world.org.today())
    world.objects["draft"] = f.JournalEntryFactory(
        family=family, period=this_month, status=EntryStatus.DRAFT, submitted_at=None
    )
    world.objects["to_confirm"] = f.HelpExchangeFactory(
        giver=neighbour, receiver=family, recorded_by=neighbour, period=this_month
    )
    return world


@pytest.fixture
def worlds(world_a: World) -> tuple[World, World]:
    """Return A and B, each with targets to write to; B's data carries the marker."""
    return with_targets(world_a), with_targets(build_world("beta", text=MARKER_B))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():  # type: ignore[no-untyped-def]
    # As Django's test client does: the WSGI handler would otherwise close the connection that
    # holds the test's transaction at the end of each request (PostgreSQL loses everything).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttling_while_fuzzing(settings):  # type: ignore[no-untyped-def]
    rates = {"user": "1000000/min", "anon": "1000000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _ids(world: World, which: int) -> dict[str, int]:
    return {key: world.objects[names[which]].pk for key, names in POOLS.items()}  # type: ignore[attr-defined]


def path_variants(a: World, b: World) -> list[tuple[dict[str, Any], int]]:
    """Return the paths to try, each with its number of examples."""
    own = {"org_slug": a.org.slug, "funder_slug": a.funder.slug}
    theirs = {"org_slug": b.org.slug, "funder_slug": b.funder.slug}
    return [
        ({**own, **_ids(a, 0)}, MAIN_EXAMPLES),
        ({**own, **_ids(a, 1)}, OTHER_EXAMPLES),
        ({**own, **_ids(b, 0)}, OTHER_EXAMPLES),
        ({**theirs, **_ids(b, 0)}, OTHER_EXAMPLES),
        (own, OTHER_EXAMPLES),  # ids as generated
    ]


def body_hints(a: World, b: World) -> dict[str, list[Any]]:
    """Return body values that pass validation, so that generated requests also go deep."""
    family = a.objects["family"]
    months = open_periods(organization=a.org, family=family, today=a.org.today())  # type: ignore[arg-type]
    return {
        "period": [f"{m:%Y-%m}" for m in months],
        "other": [None, a.objects["neighbour"].pk, b.objects["family"].pk],  # type: ignore[attr-defined]
        "values": [VALID_ANSWERS],
    }


def fuzz_operation(
    operation: Any, path: dict[str, Any], examples: int, headers: dict[str, str], hints: Any
) -> None:
    """Send generated requests to one operation and run every check on the answers."""
    names = set(re.findall(r"\{(\w+)\}", operation.path))
    fixed = {name: value for name, value in path.items() if name in names}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=fixed), data=st.data())
    def run(case: Any, data: Any) -> None:
        if isinstance(case.body, dict):
            for key, options in hints.items():
                # The hint comes first, so Hypothesis tries it first and the raw value too.
                if key in case.body:
                    case.body[key] = data.draw(st.sampled_from([*options, case.body[key]]))
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def fuzz_as(user: Any, a: World, b: World) -> list[str]:
    """Fuzz every operation as one user; return the operations that failed, with why."""
    # The WSGI transport does not unzip; GZipMiddleware would compress long answers.
    headers = {"Authorization": f"Bearer {token_for(user)}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    hints = body_hints(a, b)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 21
    failures = []
    for operation in operations:
        for path, examples in path_variants(a, b):
            try:
                fuzz_operation(operation, path, examples, headers, hints)
            except Exception as exc:  # collect every operation's failure, not just the first
                failures.append(f"{operation.label} {path}: {exc}")
    return failures


@pytest.mark.parametrize("persona", ["family_user", "staff_user", "funder_user"])
def test_the_api_holds_under_fuzzing(worlds, persona):  # type: ignore[no-untyped-def]
    a, b = worlds
    failures = fuzz_as(getattr(a, persona), a, b)
    assert failures == [], "\n\n".join(failures)
