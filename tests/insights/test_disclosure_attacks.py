"""Attacks on what funders see: shares turned back into counts, and money one family holds.

Each test plays the attacker against the real publication code and states what it learns.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Hashable
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from django.utils import timezone
from freezegun import freeze_time

from capital.models import Disbursement, DisbursementStatus, Loan, Program, ProgramKind, Repayment
from insights.anonymize import TOTAL, Margin, Published, Table, publish, suppressed_count
from insights.funder import funder_tables
from journals.models import HelpExchange, HelpKind
from tests import factories as f
from tests.insights_views.conftest import count_for_funders

MIN_CELL = 11
ALL, ABOVE, BELOW, REACHED, NOT_REACHED = "all", "above", "below", "reached", "not_reached"
STATUSES = (ALL, ABOVE, BELOW, REACHED, NOT_REACHED)
Exact = tuple[int, int, int]

# --- shares turned back into counts -----------------------------------------------------------


def status_row(n: int, above: int, reached: int) -> Published:
    """Publish one cell of families split two ways, as the trajectories table does."""
    counts = (n, above, n - above, reached, n - reached)
    frame = pd.DataFrame(
        [("cell", s, c) for s, c in zip(STATUSES, counts, strict=True)],
        columns=["cell", "status", "families"],
    )
    table = Table(
        "row",
        frame,
        ("cell", "status"),
        (Margin("status", ALL, (ABOVE, BELOW)), Margin("status", ALL, (REACHED, NOT_REACHED))),
    )
    return publish(table, min_cell=MIN_CELL)


def seen(n: int, above: int, reached: int) -> tuple[Any, ...]:
    """Everything a funder reads about the row: counts or gaps, and the two shares."""
    published = status_row(n, above, reached)
    counts = tuple(published.row(("cell", s))["families"] for s in STATUSES)  # type: ignore[index]
    shares = (
        published.share(("cell", ABOVE), ("cell", ALL)),
        published.share(("cell", REACHED), ("cell", ALL)),
    )
    return counts + shares


def consistent_rows(target: tuple[Any, ...]) -> tuple[list[Exact], list[Exact]]:
    """Return the exact (n, above, reached) whose counts round to ``target``'s, and of those
    the ones whose published row is exactly ``target``, shares included.

    The search covers n from 20 to 50 (a shown 35 can only come from 33 to 37). The first list
    is a sieve: a shown count is always the exact one as shown alone (hidden below 11, rounded).
    """
    shown = dict(zip(STATUSES, target[:5], strict=True))
    sieved, out = [], []
    for n in range(20, 51):
        for above, reached in itertools.product(range(n + 1), repeat=2):
            exact = dict(zip(STATUSES, (n, above, n - above, reached, n - reached), strict=True))
            if any(
                shown[s] is not None and suppressed_count(exact[s], min_cell=MIN_CELL) != shown[s]
                for s in STATUSES
            ):
                continue
            sieved.append((n, above, reached))
            if seen(n, above, reached) == target:
                out.append((n, above, reached))
    return sieved, out


def test_the_shares_of_a_row_fit_many_exact_counts():
    """The issue's row: 37 families, 24 above the poverty line, 17 who reached a goal.

    Asserted: (1) the published shares are the published counts divided (35, 25, 15: 0.71 and
    0.43); (2) the exact rows that publish exactly this are all those whose counts round to the
    published counts, so the shares tell nothing more; (3) they are many: four values of n,
    at least four of each split.
    """
    target = seen(37, 24, 17)
    sieved, found = consistent_rows(target)
    assert (37, 24, 17) in found
    assert len(found) > 1, f"the published row {target} gives the exact counts away: {found}"
    assert target == (35, 25, 15, 15, 20, 0.71, 0.43)
    assert found == sieved
    assert {n for n, _, _ in found} == {34, 35, 36, 37}  # 33 leaves too few below the line
    assert len({a for _, a, _ in found}) >= 4 and len({r for _, _, r in found}) >= 4


def test_an_attacker_who_knows_every_other_family_learns_nothing_of_the_last_one():
    """The family in question is one of 37; the attacker knows the other 36 exactly.

    Whether it is above the poverty line or not, and has reached a goal or not, the funder
    reads the same row: the attacker's guess about it stays its guess before reading (its
    prior). This holds here because 23 and 24 (16 and 17) round alike; at a rounding boundary
    (22 and 23) rounding alone does not hide one family from so strong an attacker, which is
    what the differential privacy of a later release is for.
    """
    others_above, others_reached = 23, 16
    worlds = {
        (above, reached): seen(37, others_above + above, others_reached + reached)
        for above, reached in itertools.product((0, 1), repeat=2)
    }
    assert len(set(worlds.values())) == 1, f"the family's status shows: {worlds}"


@pytest.mark.parametrize("n", range(20, 46))
def test_shares_change_only_when_the_published_counts_do(n):
    """A family changing status moves a share only if it moves a published count."""
    for above in range(n):
        before, after = seen(n, above, 0), seen(n, above + 1, 0)
        if before[:5] == after[:5]:
            assert before == after, (n, above)


# --- money one family holds -------------------------------------------------------------------


def lines_of(published: Published, dim: str, total: Hashable) -> list[list[tuple]]:
    """Return the cells that add up along ``dim`` to a total, one list per line."""
    d = published.dims.index(dim)
    groups: dict[tuple, list[tuple]] = {}
    for key in published.hidden:
        groups.setdefault(key[:d] + key[d + 1 :], []).append(key)
    return [
        cells for cells in groups.values() if len(cells) > 1 and any(k[d] == total for k in cells)
    ]


def assert_hidden_and_not_recoverable(published: Published, cells: list[tuple]) -> None:
    """Each cell is hidden, and no line through it has it as its only hidden cell."""
    for cell in cells:
        assert published.hidden[cell], f"{cell} is shown"
        for dim in published.dims:
            for line in lines_of(published, dim, TOTAL):
                if cell in line:
                    assert sum(published.hidden[c] for c in line) >= 2, (cell, line)


@pytest.fixture
def fifteen_families(db):  # type: ignore[no-untyped-def]
    org = f.OrganizationFactory(slug="fifteen", timezone="UTC")
    group = f.GroupFactory(organization=org)
    families = [f.FamilyFactory(group=group) for _ in range(15)]
    count_for_funders(*families)
    return org, families


@freeze_time("2024-07-20 12:00")
def test_one_defaulting_family_among_fifteen_keeps_its_arrears_hidden(fifteen_families):
    org, families = fifteen_families
    loans = Program.objects.create(organization=org, name="Loans", kind=ProgramKind.BUSINESS_LOAN)
    grants = Program.objects.create(organization=org, name="Grants", kind=ProgramKind.GRANT)
    for family in families:
        loan = Loan.objects.create(
            organization=org,
            program=loans,
            family=family,
            principal=Decimal("1200"),
            term_months=12,
            start_on=dt.date(2024, 1, 1),
        )
        if family != families[0]:  # the first family pays nothing: 600 in arrears
            Repayment.objects.create(
                organization=org, loan=loan, amount=Decimal("600"), paid_on=dt.date(2024, 7, 1)
            )
        Disbursement.objects.create(
            organization=org,
            program=grants,
            family=family,
            amount=Decimal("500"),
            due_on=dt.date(2024, 6, 1),
            status=DisbursementStatus.PAID,
            paid_on=dt.date(2024, 6, 2),
        )
    tables = funder_tables(organizations=[org]).tables
    capital = tables["capital"]
    holding = [(org.slug, loans.pk), (org.slug, TOTAL), (TOTAL, TOTAL)]
    assert [capital.row(k)["arrears"] for k in holding] == [None, None, None]  # type: ignore[index]
    assert_hidden_and_not_recoverable(capital, holding)
    assert capital.row((org.slug, grants.pk))["paid"] == 7500.0  # type: ignore[index]
    # Capital paid in the cost table is hidden with it.
    assert tables["costs"].row((org.slug,))["capital_paid"] is None  # type: ignore[index]


@freeze_time("2024-07-20 12:00")
def test_help_that_one_family_receives_is_hidden(fifteen_families):
    org, families = fifteen_families
    receiver, givers = families[0], families[1:13]
    for giver in givers:
        HelpExchange.objects.create(
            organization=org,
            giver=giver,
            receiver=receiver,
            recorded_by=giver,
            period=dt.date(2024, 6, 1),
            kind=HelpKind.CHILDCARE,
            hours=3.0,
            amount=20.0,
            confirmed_at=timezone.now(),
        )
    mutuality = funder_tables(organizations=[org]).tables["mutuality"]
    holding = [
        (org.slug, HelpKind.CHILDCARE),
        (org.slug, TOTAL),
        (TOTAL, HelpKind.CHILDCARE),
        (TOTAL, TOTAL),
    ]
    for key in holding:
        row = mutuality.row(key)
        assert row is not None and row["hours"] is None and row["value"] is None, key
    assert_hidden_and_not_recoverable(mutuality, holding)
