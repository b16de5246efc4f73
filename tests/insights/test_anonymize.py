"""insights.anonymize: suppression, complements, rounding, dominance, consent; and an attacker.

The property tests build random count tables with margins, publish them, and then try to get
every hidden cell back from what was published, with two methods written here independently of
the module: the simple one (a hidden cell alone in a row or column whose total is shown), and
exact linear algebra over the rationals (the row and column equations, solved with fractions).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pandas as pd
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from families.models import ConsentKind
from insights import providers
from insights.anonymize import (
    TOTAL,
    Amount,
    Margin,
    Ratio,
    Rules,
    Stat,
    SuppressionError,
    Table,
    determined,
    dominated,
    lines_for,
    publish,
    publish_by_organization,
    reporting_families,
    round_count,
    suppress,
    suppressed_count,
)
from tests import factories as f

# --- helpers ----------------------------------------------------------------------------------


def grid_table(values: list[list[int]]) -> Table:
    """A count table with row, column and grand totals, as the funder tables have."""
    n_rows, n_cols = len(values), len(values[0])
    rows = [
        {"r": r, "c": c, "families": values[r][c]} for r in range(n_rows) for c in range(n_cols)
    ]
    rows += [{"r": r, "c": TOTAL, "families": sum(values[r])} for r in range(n_rows)]
    rows += [
        {"r": TOTAL, "c": c, "families": sum(values[r][c] for r in range(n_rows))}
        for c in range(n_cols)
    ]
    rows.append({"r": TOTAL, "c": TOTAL, "families": sum(map(sum, values))})
    return Table("grid", pd.DataFrame(rows), ("r", "c"), (Margin("r"), Margin("c")))


def hidden_grid(values: list[list[int]], min_cell: int) -> dict[tuple, bool]:
    return publish(grid_table(values), min_cell=min_cell).hidden


def grid_lines(n_rows: int, n_cols: int) -> list[tuple[list[tuple], tuple]]:
    """Every row and column equation of a table with margins: (members, total)."""
    lines = [([(r, c) for c in range(n_cols)], (r, TOTAL)) for r in [*range(n_rows), TOTAL]]
    lines += [([(r, c) for r in range(n_rows)], (TOTAL, c)) for c in [*range(n_cols), TOTAL]]
    return lines


def rank(matrix: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over the rationals: no rounding error at all."""
    rows = [row[:] for row in matrix if any(row)]
    rank_, width = 0, len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((i for i in range(rank_, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for i in range(len(rows)):
            if i != rank_ and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank_][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank_], strict=True)]
        rank_ += 1
    return rank_


def exactly_recoverable(hidden: dict[tuple, bool], lines) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Return the hidden cells the published cells and the equations pin to one value."""
    unknown = sorted((k for k, h in hidden.items() if h), key=str)
    if not unknown:
        return []
    column = {k: j for j, k in enumerate(unknown)}
    matrix = []
    for members, total in lines:
        row = [Fraction(0)] * len(unknown)
        for cell in members:
            if hidden.get(cell):
                row[column[cell]] += 1
        if hidden.get(total):
            row[column[total]] -= 1
        matrix.append(row)
    base = rank(matrix)
    found = []
    for cell, j in column.items():
        unit = [Fraction(int(i == j)) for i in range(len(unknown))]
        if rank([*matrix, unit]) == base:
            found.append(cell)
    return found


def alone_in_a_line(hidden: dict[tuple, bool], lines) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The simple attack: a hidden cell that is the only hidden one of a line with all else shown."""
    found = []
    for members, total in lines:
        cells = [*members, total]
        secret = [c for c in cells if hidden.get(c)]
        if len(secret) == 1:
            found.append(secret[0])
    return found


# --- rounding and small helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (11, 15), (12, 15), (13, 15), (17, 15), (18, 20), (22, 20), (23, 25), (30, 30)],
)
def test_it_rounds_counts_to_five_and_never_below_the_minimum(count, shown):
    assert round_count(count, min_cell=11, round_to=5) == shown


def test_it_rounds_nothing_when_asked_for_steps_of_one():
    assert round_count(12, min_cell=11, round_to=1) == 12


def test_suppressed_count_hides_one_to_ten_and_shows_zero():
    assert [suppressed_count(n, min_cell=11) for n in (0, 1, 10, 11, 14)] == [0, None, None, 15, 15]


def test_two_contributors_dominate_above_85_percent_of_the_total():
    assert dominated([80, 10, 5, 5], 100.0)  # 90%
    assert not dominated([80, 5, 5, 5, 5], 100.0)  # 85% is allowed
    assert not dominated([], 0.0)  # nothing to tell
    assert not dominated([], float("nan"))  # not shown anyway
    assert dominated([], 50.0)  # a positive total with no contributors cannot be checked


# --- primary suppression ----------------------------------------------------------------------


def test_it_hides_a_cell_below_the_minimum_and_shows_zero():
    table = Table("t", pd.DataFrame({"k": ["a", "b", "c"], "families": [4, 0, 30]}), ("k",))
    published = publish(table, min_cell=11)
    assert [r["families"] for r in published.rows] == [None, 0, 30]
    assert [r["suppressed"] for r in published.rows] == [True, False, False]


def test_it_shows_a_median_only_with_enough_families_behind_it():
    frame = pd.DataFrame(
        {
            "k": ["a", "b"],
            "families": [30, 30],
            "median": [2104.0, 1999.0],
            "n_median": [30, 6],
        }
    )
    table = Table("t", frame, ("k",), stats={"median": Stat("n_median")})
    rows = publish(table, min_cell=11).rows
    assert rows[0]["median"] == 2100.0  # rounded to 10
    assert rows[1]["median"] is None


def test_it_hides_money_that_two_recipients_dominate():
    frame = pd.DataFrame(
        {
            "k": ["a", "b"],
            "families": [20, 20],
            "paid": [9000.0, 9000.0],
            "top": [[7000.0, 1100.0], [1500.0, 1200.0]],
        }
    )
    table = Table("t", frame, ("k",), amounts={"paid": Amount(contributors=("top",))})
    rows = publish(table, min_cell=11).rows
    assert rows[0]["paid"] is None and rows[0]["suppressed"]
    assert rows[1]["paid"] == 9000.0


def test_every_amount_is_held_to_the_rule_on_each_of_its_contributors():
    frame = pd.DataFrame(
        {
            "k": ["giving", "receiving", "neither"],
            "families": [20, 20, 20],
            "hours": [100.0, 100.0, 100.0],
            "by_giver": [[90.0, 5.0], [10.0, 10.0], [10.0, 10.0]],
            "by_receiver": [[10.0, 10.0], [95.0, 1.0], [10.0, 10.0]],
            "arrears": [0.0, 0.0, 600.0],
            "top_arrears": [[], [], [600.0]],
        }
    )
    amounts = {
        "hours": Amount(contributors=("by_giver", "by_receiver")),
        "arrears": Amount(contributors=("top_arrears",)),
    }
    rows = publish(Table("t", frame, ("k",), amounts=amounts), min_cell=11).rows
    assert [r["suppressed"] for r in rows] == [True, True, True]
    assert "by_giver" not in rows[0] and "top_arrears" not in rows[0]


def test_ratios_are_computed_from_the_published_figures():
    frame = pd.DataFrame(
        {"k": ["a", "b"], "families": [37, 4], "paid": [2404.0, 100.0], "spent": [3704.0, 300.0]}
    )
    money = Amount(contributors=())
    table = Table(
        "t",
        frame,
        ("k",),
        amounts={"paid": money, "spent": money},
        ratios={"share": Ratio(("paid",), "spent"), "per_family": Ratio(("spent",), "families")},
    )
    rows = publish(table, min_cell=11).rows
    assert rows[0]["share"] == 0.65  # 2400 / 3700, not 2404 / 3704
    assert rows[0]["per_family"] == 105.71  # 3700 / 35, not 3704 / 37
    assert rows[1]["share"] is None  # hidden with its cell


def test_a_share_is_the_published_part_over_the_published_whole():
    frame = pd.DataFrame({"k": ["all", "yes", "no"], "families": [37, 24, 13]})
    table = Table("t", frame, ("k",), (Margin("k", "all"),))
    published = publish(table, min_cell=11)
    assert published.share(("yes",), ("all",)) == 0.71  # 25 / 35; exactly 24 / 37 is 0.65
    assert published.share(("no",), ("all",)) == 0.43  # 15 / 35


def test_it_hides_a_cell_marked_sensitive():
    frame = pd.DataFrame({"k": ["a"], "families": [40], "hold": [True]})
    rows = publish(Table("t", frame, ("k",), sensitive="hold"), min_cell=11).rows
    assert rows[0]["families"] is None


def test_it_refuses_two_rows_for_one_cell():
    frame = pd.DataFrame({"k": ["a", "a"], "families": [20, 20]})
    with pytest.raises(ValueError, match="same cell"):
        publish(Table("t", frame, ("k",)), min_cell=11)


# --- complementary suppression ----------------------------------------------------------------


def test_a_single_small_cell_takes_a_second_one_in_its_row_and_column():
    hidden = hidden_grid([[3, 20, 30], [25, 40, 50], [60, 12, 70]], 11)
    assert hidden[(0, 0)]
    assert sum(hidden[(0, c)] for c in range(3)) >= 2 or hidden[(0, TOTAL)]
    assert sum(hidden[(r, 0)] for r in range(3)) >= 2 or hidden[(TOTAL, 0)]
    assert exactly_recoverable(hidden, grid_lines(3, 3)) == []


def test_it_hides_the_smallest_visible_cells_as_complements():
    hidden = hidden_grid([[3, 20, 30], [25, 40, 50], [60, 12, 70]], 11)
    # The cheapest rectangle around (0, 0): the 12 is hidden only if it helps.
    assert hidden[(0, 1)] and hidden[(1, 0)] and hidden[(1, 1)]
    assert not hidden[(TOTAL, TOTAL)]


def test_a_total_alone_in_its_line_is_protected_too():
    lines = lines_for([("a",), ("b",), (TOTAL,)], ("k",), [Margin("k")])
    hidden = suppress(families=[20, 30, 50], primary=[False, False, True], lines=lines)
    assert sum(hidden) >= 2


def test_it_never_picks_a_locked_cell_and_says_so_when_nothing_protects():
    lines = lines_for([("a",), ("b",), (TOTAL,)], ("k",), [Margin("k")])
    hidden = suppress(
        families=[4, 30, 34], primary=[True, False, False], lines=lines, locked={1: False}
    )
    assert hidden == [True, False, True]
    with pytest.raises(SuppressionError):
        suppress(
            families=[4, 30, 34],
            primary=[True, False, False],
            lines=lines,
            locked={1: False, 2: False},
        )


def test_the_audit_finds_a_bridge_between_two_rectangles():
    # Two hidden rectangles joined by one hidden cell: every line has two hidden cells, yet the
    # joining cell is the difference of two sums of shown totals.
    keys = [(r, c) for r in [*range(4), TOTAL] for c in [*range(4), TOTAL]]
    lines = lines_for(keys, ("r", "c"), [Margin("r"), Margin("c")])
    secret = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    hidden = [k in secret for k in keys]
    found = {keys[i] for i in determined(hidden, lines)}
    assert found == {(1, 2)}


# --- two stages: each organization, then all organizations ------------------------------------


def org_table(counts: dict[str, list[int]], included: tuple[str, ...]) -> Table:
    rows = []
    for org, values in counts.items():
        for c, v in enumerate(values):
            rows.append({"organization": org, "c": c, "families": v})
        rows.append({"organization": org, "c": TOTAL, "families": sum(values)})
    width = len(next(iter(counts.values())))
    for c in [*range(width), TOTAL]:
        total = sum((sum(v) if c == TOTAL else v[c]) for o, v in counts.items() if o in included)
        rows.append({"organization": TOTAL, "c": c, "families": total})
    return Table(
        "orgs",
        pd.DataFrame(rows),
        ("organization", "c"),
        (Margin("organization", TOTAL, included), Margin("c")),
    )


def test_an_organization_looks_the_same_to_every_funder():
    x = {"x": [4, 30, 40]}
    alone = publish_by_organization(org_table(x, ("x",)), rules={"x": Rules(11)})
    together = publish_by_organization(
        org_table({**x, "y": [20, 3, 50]}, ("x", "y")),
        rules={"x": Rules(11), "y": Rules(11)},
    )
    assert [r for r in together.rows if r["organization"] == "x"] == [
        r for r in alone.rows if r["organization"] == "x"
    ]


def test_all_organizations_never_reveal_a_cell_hidden_for_one():
    counts = {"x": [4, 30, 40], "y": [20, 25, 50]}
    published = publish_by_organization(
        org_table(counts, ("x", "y")), rules={"x": Rules(11), "y": Rules(11)}
    )
    hidden = published.hidden
    lines = [([("x", c), ("y", c)], (TOTAL, c)) for c in [*range(3), TOTAL]]
    lines += [([(org, c) for c in range(3)], (org, TOTAL)) for org in ("x", "y", TOTAL)]
    assert hidden[("x", 0)]
    assert exactly_recoverable(hidden, lines) == []


def test_an_organization_with_a_stricter_minimum_keeps_it():
    published = publish_by_organization(
        org_table({"x": [15, 30, 40]}, ("x",)), rules={"x": Rules(20)}
    )
    assert published.hidden[("x", 0)]


# --- the attacker, on random tables -----------------------------------------------------------

small_or_large = st.one_of(st.integers(0, 12), st.integers(0, 60))


@st.composite
def count_tables(draw):  # type: ignore[no-untyped-def]
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 5))
    values = [[draw(small_or_large) for _ in range(n_cols)] for _ in range(n_rows)]
    return values, draw(st.sampled_from([3, 5, 11]))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_no_hidden_cell_can_be_recovered_from_the_published_totals(case):
    values, min_cell = case
    published = publish(grid_table(values), min_cell=min_cell)
    hidden = published.hidden
    lines = grid_lines(len(values), len(values[0]))
    assert alone_in_a_line(hidden, lines) == []
    assert exactly_recoverable(hidden, lines) == []
    for row in published.rows:
        assert row["families"] is None or row["families"] == 0 or row["families"] >= min_cell
    # Every cell below the minimum is hidden.
    for r, c in itertools.product(range(len(values)), range(len(values[0]))):
        if 0 < values[r][c] < min_cell:
            assert hidden[(r, c)]


@st.composite
def cubes(draw):  # type: ignore[no-untyped-def]
    shape = [draw(st.integers(1, 3)) for _ in range(3)]
    cells = {k: draw(small_or_large) for k in itertools.product(*(range(n) for n in shape))}
    return shape, cells


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cubes())
def test_three_way_tables_with_every_margin_keep_their_secrets(case):
    shape, cells = case
    levels = [[*range(n), TOTAL] for n in shape]
    rows = []
    for key in itertools.product(*levels):
        total = sum(
            v for k, v in cells.items() if all(a in (TOTAL, b) for a, b in zip(key, k, strict=True))
        )
        rows.append({"a": key[0], "b": key[1], "c": key[2], "families": total})
    table = Table(
        "cube", pd.DataFrame(rows), ("a", "b", "c"), (Margin("a"), Margin("b"), Margin("c"))
    )
    hidden = publish(table, min_cell=11).hidden
    lines = []
    for d in range(3):
        others = [levels[i] for i in range(3) if i != d]
        for rest in itertools.product(*others):

            def cell(x, rest=rest, d=d):  # type: ignore[no-untyped-def]
                key = list(rest)
                key.insert(d, x)
                return tuple(key)

            lines.append(([cell(x) for x in range(shape[d])], cell(TOTAL)))
    assert exactly_recoverable(hidden, lines) == []


# --- who is counted ---------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_only_families_with_reporting_consent_in_force_are_counted():
    group = f.GroupFactory()
    org = group.organization
    counted, revoked, other_kind, archived = (f.FamilyFactory(group=group) for _ in range(4))
    f.FamilyFactory(group=group)  # no consent at all
    for family in (counted, revoked, archived):
        f.ConsentFactory(family=family, kind=ConsentKind.AGGREGATE_REPORTING)
    f.ConsentFactory(family=other_kind, kind=ConsentKind.STORY_SHARING)
    revoked.consents.update(revoked_at=timezone.now())
    archived.archived_at = timezone.now()
    archived.save()
    assert list(reporting_families(organizations=[org])) == [counted]


@pytestmark_db
def test_capital_registers_its_figures_for_the_funder_pages():
    org = f.OrganizationFactory()
    rows = providers.capital_figures(organizations=[org])
    assert rows and rows[-1]["program_id"] is None
    assert set(providers.CAPITAL_FIELDS) <= set(rows[-1])


def test_without_a_provider_there_are_no_capital_figures(monkeypatch):
    monkeypatch.setattr(providers, "_providers", {})
    assert providers.capital_figures(organizations=[object()]) == []
