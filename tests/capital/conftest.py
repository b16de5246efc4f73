"""Fixtures of the capital tests."""

from __future__ import annotations

import pytest

from capital.models import (
    Disbursement,
    Flag,
    Loan,
    Program,
    ProgramCost,
    ReadinessRule,
    Repayment,
    Review,
)
from fii.models import Organization

CAPITAL_MODELS = (Repayment, Loan, Disbursement, Review, Flag, ProgramCost, ReadinessRule, Program)


def drop_capital(organization: Organization) -> None:
    """Delete every capital row of the organization, children first."""
    for model in CAPITAL_MODELS:
        model.objects.for_org(organization).delete()


@pytest.fixture
def without_world_capital(request):  # type: ignore[no-untyped-def]
    """Start from no programs, flags or ledger in the worlds the test uses.

    The shared worlds carry a program, a flag and a ledger for the isolation test; tests that
    count flags and programs from nothing ask for this.
    """
    for name in ("world_a", "world_b"):
        if name in request.fixturenames:
            drop_capital(request.getfixturevalue(name).org)
