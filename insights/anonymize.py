"""What funders may see: the one module every funder page, chart and export goes through.

A funder table is built as a pandas DataFrame with one row per cell (the columns that name the
cell, the number of families behind it, and its figures), described by a :class:`Table`, and
handed to :func:`publish`, which returns the safe table. docs/anonymization.md explains the rules
in plain words; in short:

1. Only families whose consent to aggregate reporting is in force are counted
   (:func:`reporting_families`).
2. Primary suppression: a cell built on 1 to ``min_cell - 1`` families is hidden (zero is
   shown), and so is a cell where, for any of its amounts (money, hours: every column declared
   as an :class:`Amount`), the two largest contributors hold more than 85% of it (the (2, 85)
   dominance rule, checked on each way of contributing the table declares, for help both the
   givers and the receivers), or a cell the caller marks sensitive.
3. Complementary suppression: a table may have margins (a level such as "all cohorts" that sums
   the others). Every *line* (the cells that add up to one total, and that total) with exactly
   one hidden cell gets a second one, the smallest visible cell, repeated to a fixed point. Then
   an exact audit solves the margin equations: a hidden cell that the published cells still
   determine uniquely gets another complement, until none does.
4. Counts are rounded to the nearest ``round_to`` (5), and a published count of families is
   never below ``min_cell``: near the threshold it is rounded up. Money is rounded to 10.
5. Medians are shown only when the cell is shown and at least ``min_cell`` families have a
   value.
6. Shares and other ratios are computed from published figures only (:meth:`Published.share`,
   :class:`Ratio`), never from exact counts: they tell nothing the published counts do not.

Figures that cover several organizations are published in two stages
(:func:`publish_by_organization`): each organization's cells first, with its own minimum,
exactly as any other funder of that organization sees them; then the "all organizations" cells,
which may only be hidden, never reveal an organization's hidden cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from families.models import Consent, ConsentKind, Family

TOTAL = "__all__"  # the level of a dimension that sums the other levels (a margin)
ROUND_TO = 5
MONEY_STEP = 10.0
DOMINANCE_TOP = 2
DOMINANCE_SHARE = 0.85
# A hidden cell counts as determined when its unit vector lies in the row space of the
# equations restricted to hidden cells, up to this tolerance (entries are 0, 1 and -1).
_AUDIT_TOLERANCE = 1e-8

Key = tuple[Hashable, ...]


class SuppressionError(RuntimeError):
    """No pattern of hidden cells protects the table: locked cells give a hidden one away."""


# --- who is counted ---------------------------------------------------------------------------


def reporting_families(*, organizations: Iterable[Any]) -> QuerySet[Family]:
    """Return the active families of the organizations whose aggregate-reporting consent holds."""
    organizations = list(organizations)
    consenting = (
        Consent.objects.in_force()
        .filter(organization__in=organizations, kind=ConsentKind.AGGREGATE_REPORTING)
        .values("family_id")
    )
    return Family.objects.filter(
        organization__in=organizations, archived_at__isnull=True, pk__in=consenting
    )


def round_to_for(organization: Any) -> int:
    """Return the rounding step of counts for funders: an optional organization setting, or 5."""
    value = getattr(organization, "funder_round_to", None)
    return int(value) if isinstance(value, int) and value >= 1 else ROUND_TO


# --- rounding ---------------------------------------------------------------------------------


def round_count(count: int, *, min_cell: int, round_to: int = ROUND_TO) -> int:
    """Return a shown count of families rounded to ``round_to``, never below ``min_cell``."""
    if count <= 0 or round_to <= 1:
        return max(count, 0)
    rounded = round_to * math.floor(count / round_to + 0.5)
    if rounded < min_cell:
        rounded = round_to * math.ceil(min_cell / round_to)
    return int(rounded)


def round_step(value: float, step: float) -> float:
    """Return the value rounded to a multiple of ``step`` (half away from zero)."""
    if step <= 0:
        return float(value)
    rounded = math.copysign(math.floor(abs(value) / step + 0.5) * step, value)
    return round(rounded, 10) + 0.0


def suppressed_count(count: int, *, min_cell: int, round_to: int = ROUND_TO) -> int | None:
    """Return the count as shown to funders, or None when fewer than ``min_cell`` families."""
    if 0 < count < min_cell:
        return None
    return round_count(count, min_cell=min_cell, round_to=round_to)


def largest(values: Iterable[float], *, top: int = DOMINANCE_TOP) -> list[float]:
    """Return the ``top`` largest positive contributions, largest first."""
    return sorted((float(v) for v in values if v and v > 0), reverse=True)[:top]


def dominated(contributions: Any, total: Any) -> bool:
    """Whether the two largest contributions hold more than 85% of a positive total.

    ``contributions`` lists the largest contributions to the total, one per contributor (more
    are allowed, only the two largest count). A positive total without any contribution is
    taken as dominated: what cannot be checked is not shown.
    """
    amount = _number(total)
    if math.isnan(amount) or amount <= 0:
        return False
    if not isinstance(contributions, list | tuple | np.ndarray) or not len(contributions):
        return True
    return sum(largest(contributions)) > DOMINANCE_SHARE * amount


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Margin:
    """A dimension level (``total``) whose cells are the sum of the cells at ``members``.

    ``members`` None means every other level of the dimension.
    """

    dim: str
    total: Hashable = TOTAL
    members: tuple[Hashable, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class Amount:
    """An additive figure (money, hours), rounded to ``step``, and who contributes to it.

    Each column named in ``contributors`` holds, per cell, the largest contributions to the
    figure (a list, one value per family or group, at least the two largest), seen one way:
    help is contributed by its givers and received by its receivers, two columns. The cell is
    hidden when any of them fails the dominance rule. An empty tuple says no family contributes
    (running costs); there is no default, so a new amount cannot forget its contributors.
    """

    contributors: tuple[str, ...]
    step: float = MONEY_STEP


@dataclass(frozen=True)
class Ratio:
    """A figure of a cell computed from its published figures: sum of ``over`` / ``under``."""

    over: tuple[str, ...]
    under: str
    step: float = 0.01


@dataclass(frozen=True)
class Stat:
    """A median or mean: the column with the number of families behind it, and its rounding."""

    n: str
    step: float = MONEY_STEP


@dataclass(frozen=True)
class Table:
    """A funder table before publication: one row of ``frame`` per cell.

    ``families`` counts the families behind each cell and decides primary suppression; ``counts``
    are other counts (rounded, not held to the minimum); ``amounts`` additive figures with their
    contributors for the dominance rule; ``stats`` medians; ``ratios`` figures computed from the
    published ones; ``sensitive`` a boolean column of cells to hide for a reason found in another
    table. Contributor columns are read, never published.
    """

    name: str
    frame: pd.DataFrame
    dims: tuple[str, ...]
    margins: tuple[Margin, ...] = ()
    families: str = "families"
    counts: tuple[str, ...] = ()
    amounts: Mapping[str, Amount] = field(default_factory=dict)
    stats: Mapping[str, Stat] = field(default_factory=dict)
    ratios: Mapping[str, Ratio] = field(default_factory=dict)
    sensitive: str | None = None

    @property
    def columns(self) -> list[str]:
        """Return the published columns, in order."""
        figures = [*self.counts, *self.amounts, *self.stats, *self.ratios]
        return [*self.dims, self.families, *figures, "suppressed"]

    def keys(self) -> list[Key]:
        return [tuple(row) for row in self.frame[list(self.dims)].itertuples(index=False)]


@dataclass
class Published:
    """A safe table: rows with hidden figures set to None, and which cells are hidden.

    It holds published figures only: nothing exact is kept, so nothing computed from it can
    give an exact figure back.
    """

    name: str
    dims: tuple[str, ...]
    columns: list[str]
    rows: list[dict[str, Any]]
    hidden: dict[Key, bool]
    families: str = "families"
    _by_key: dict[Key, dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {tuple(row[d] for d in self.dims): row for row in self.rows}

    def row(self, key: Key) -> dict[str, Any] | None:
        return self._by_key.get(key)

    def shown(self, key: Key) -> bool:
        return key in self.hidden and not self.hidden[key]

    def share(self, part: Key, whole: Key, *, step: float = 0.01) -> float | None:
        """Return the published count of part over that of whole, rounded; None if either hidden.

        Computed from the published (rounded) counts, so it tells nothing they do not.
        """
        if not (self.shown(part) and self.shown(whole)):
            return None
        numerator = self._by_key[part][self.families]
        return ratio(numerator, self._by_key[whole][self.families], step=step)

    def where(self, **levels: Hashable) -> list[dict[str, Any]]:
        """Return the rows whose dimensions have the given levels."""
        return [r for r in self.rows if all(r[d] == v for d, v in levels.items())]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


# --- lines and suppression (pure: lists in, lists out) -----------------------------------------


@dataclass(frozen=True)
class Line:
    """Cells that add up to a total: ``sum(members) == total`` (indexes into the cell list)."""

    members: tuple[int, ...]
    total: int

    @property
    def cells(self) -> tuple[int, ...]:
        return (*self.members, self.total)


def lines_for(keys: Sequence[Key], dims: Sequence[str], margins: Sequence[Margin]) -> list[Line]:
    """Return every line of the table: one per margin and combination of the other dimensions.

    A line whose total cell is absent is not an equation anyone can use, and is skipped, and so
    is a total without any member cell (the table does not break it down there). Otherwise an
    absent member is a known zero: a table lists every member that is not zero.
    """
    lines = []
    for margin in margins:
        d = list(dims).index(margin.dim)
        groups: dict[Key, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            groups[key[:d] + key[d + 1 :]].append(i)
        for indexes in groups.values():
            totals = [i for i in indexes if keys[i][d] == margin.total]
            if not totals:
                continue
            members = tuple(
                i
                for i in indexes
                if keys[i][d] != margin.total
                and (margin.members is None or keys[i][d] in margin.members)
            )
            if members:
                lines.append(Line(members, totals[0]))
    return lines


def _components(n: int, lines: Sequence[Line]) -> list[list[int]]:
    """Return the indexes of the lines of each connected part of the table."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for line in lines:
        root = find(line.total)
        for j in line.members:
            parent[find(j)] = root
    parts: dict[int, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        parts[find(line.total)].append(index)
    return list(parts.values())


Equation = dict[int, float]


def _row_space_cells(equations: Sequence[Equation]) -> set[int]:
    """Return the cells whose unit vector lies in the row space of the equations (numpy SVD)."""
    unknown = sorted({c for equation in equations for c in equation})
    if not unknown:
        return set()
    column = {c: j for j, c in enumerate(unknown)}
    matrix = np.zeros((len(equations), len(unknown)))
    for row, equation in enumerate(equations):
        for cell, coefficient in equation.items():
            matrix[row, column[cell]] = coefficient
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int(np.sum(singular > max(matrix.shape) * np.finfo(float).eps * singular[0]))
    projection = np.sum(vt[:rank] ** 2, axis=0)
    return {c for c, p in zip(unknown, projection, strict=True) if p > 1 - _AUDIT_TOLERANCE}


def _solve(equations: list[Equation]) -> set[int]:
    """Return the unknowns that the equations pin to one value.

    1. Peel: an unknown that appears in a single equation can absorb any value there, so that
       equation says nothing about the others; set both aside, and repeat.
    2. Solve what is left with linear algebra.
    3. Going back through the peeled pairs, an unknown is pinned when every other unknown of its
       equation is.
    """
    where: dict[int, set[int]] = defaultdict(set)
    for index, equation in enumerate(equations):
        for cell in equation:
            where[cell].add(index)
    alive = set(range(len(equations)))
    peeled: list[tuple[int, int]] = []
    queue = [c for c, found in where.items() if len(found) == 1]
    while queue:
        cell = queue.pop()
        if len(where[cell]) != 1:
            continue
        (index,) = where[cell]
        alive.discard(index)
        peeled.append((cell, index))
        for other in equations[index]:
            where[other].discard(index)
            if other != cell and len(where[other]) == 1:
                queue.append(other)
    pinned = _row_space_cells([equations[i] for i in sorted(alive)])
    for cell, index in reversed(peeled):
        if all(other in pinned for other in equations[index] if other != cell):
            pinned.add(cell)
    return pinned


def determined(hidden: Sequence[bool], lines: Sequence[Line]) -> list[int]:
    """Return the hidden cells that the lines and the shown cells determine uniquely.

    Each line is the equation sum(members) - total = 0; shown cells are known numbers. A hidden
    cell is determined exactly when its unit vector lies in the row space of the equations
    restricted to the hidden cells (whatever the published numbers are).
    """
    out: set[int] = set()
    for part in _components(len(hidden), lines):
        out |= _solve(_equations(hidden, [lines[i] for i in part]))
    return sorted(out)


def _equations(hidden: Sequence[bool], lines: Sequence[Line]) -> list[Equation]:
    """Return the lines as equations in the hidden cells (shown cells are known numbers)."""
    equations = []
    for line in lines:
        equation: Equation = defaultdict(float)
        for c in line.members:
            if hidden[c]:
                equation[c] += 1.0
        if hidden[line.total]:
            equation[line.total] -= 1.0
        if any(equation.values()):
            equations.append({c: v for c, v in equation.items() if v})
    return equations


@dataclass
class _State:
    families: Sequence[int]
    hidden: list[bool]
    free: list[bool]
    lines: Sequence[Line]
    by_cell: dict[int, list[Line]]

    def pick(self, line: Line) -> int | None:
        """Return the visible free cell of the line that is cheapest to hide, if any."""
        members = [c for c in line.members if self.free[c] and not self.hidden[c]]
        if members:
            return min(members, key=lambda c: (self.families[c] == 0, self.families[c], c))
        if self.free[line.total] and not self.hidden[line.total]:
            return line.total
        return None

    def hide(self, cell: int) -> None:
        self.hidden[cell] = True

    def enforce_lines(self) -> None:
        """Give every line with exactly one hidden cell a second one, to a fixed point."""
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                if sum(self.hidden[c] for c in line.cells) != 1:
                    continue
                cell = self.pick(line)
                if cell is not None:
                    self.hide(cell)
                    changed = True

    def protect(self, cell: int) -> bool:
        """Hide one more cell next to a determined one; False when no cell may be hidden."""
        for line in self.by_cell.get(cell, []):
            choice = self.pick(line)
            if choice is not None:
                self.hide(choice)
                return True
        # No free neighbour: widen to the lines of every hidden cell.
        for line in self.lines:
            if any(self.hidden[c] for c in line.cells) and (choice := self.pick(line)) is not None:
                self.hide(choice)
                return True
        return False


def suppress(
    *,
    families: Sequence[int],
    primary: Sequence[bool],
    lines: Sequence[Line],
    locked: Mapping[int, bool] | None = None,
) -> list[bool]:
    """Return which cells to hide: the primary ones, and complements so none can be recovered.

    ``locked`` cells keep the given state (True hidden) and are never chosen as complements:
    they were published elsewhere already.
    """
    locked = locked or {}
    hidden = [bool(locked.get(i, p)) for i, p in enumerate(primary)]
    free = [i not in locked for i in range(len(primary))]
    by_cell: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        for c in line.cells:
            by_cell[c].append(line)
    state = _State(families, hidden, free, lines, by_cell)
    parts = [[lines[i] for i in part] for part in _components(len(hidden), lines)]
    part_of = {c: k for k, part in enumerate(parts) for line in part for c in line.cells}
    # Audit only the parts of the table where a cell was hidden since the last audit.
    dirty, seen = set(range(len(parts))), list(state.hidden)
    while True:
        state.enforce_lines()
        dirty |= {part_of[c] for c, h in enumerate(state.hidden) if h != seen[c] and c in part_of}
        loose = sorted(c for k in dirty for c in _solve(_equations(state.hidden, parts[k])))
        dirty, seen = set(), list(state.hidden)
        if not loose:
            return state.hidden
        for cell in loose:
            if not state.protect(cell):
                raise SuppressionError(f"cell {cell} stays recoverable")


# --- publishing -------------------------------------------------------------------------------


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def ratio(over: Any, under: Any, *, step: float) -> float | None:
    """Return over / under rounded to ``step``; None when either is unknown or under is not > 0."""
    numerator, denominator = _number(over), _number(under)
    if math.isnan(numerator) or math.isnan(denominator) or denominator <= 0:
        return None
    return round_step(numerator / denominator, step)


def _primary(table: Table, min_cell: int) -> list[bool]:
    frame = table.frame
    families = frame[table.families].astype("int64").to_numpy()
    primary = (families > 0) & (families < min_cell)
    for column, amount in table.amounts.items():
        for contributors in amount.contributors:
            pairs = zip(frame[contributors], frame[column], strict=True)
            primary |= np.array([dominated(c, total) for c, total in pairs], dtype=bool)
    if table.sensitive:
        primary |= frame[table.sensitive].fillna(False).astype(bool).to_numpy()
    return [bool(p) for p in primary]


def _row(
    table: Table, record: dict[str, Any], hidden: bool, min_cell: int, round_to: int
) -> dict[str, Any]:
    out: dict[str, Any] = {d: record[d] for d in table.dims}
    n = int(record[table.families])
    out[table.families] = None if hidden else round_count(n, min_cell=min_cell, round_to=round_to)
    for column in table.counts:
        count = int(record[column])
        out[column] = None if hidden else int(round_step(count, round_to))
    for column, amount in table.amounts.items():
        value = _number(record[column])
        out[column] = None if hidden or math.isnan(value) else round_step(value, amount.step)
    for column, stat in table.stats.items():
        value, behind = _number(record[column]), int(record[stat.n] or 0)
        ok = not hidden and behind >= min_cell and not math.isnan(value)
        out[column] = round_step(value, stat.step) if ok else None
    for column, spec in table.ratios.items():
        parts = [out[c] for c in spec.over]
        over = None if any(p is None for p in parts) else sum(parts)
        out[column] = ratio(over, out[spec.under], step=spec.step)
    out["suppressed"] = hidden
    return out


def publish(
    table: Table,
    *,
    min_cell: int,
    round_to: int = ROUND_TO,
    locked: Mapping[Key, bool] | None = None,
) -> Published:
    """Return the safe version of a table: suppressed, complemented, audited and rounded."""
    keys = table.keys()
    if len(set(keys)) != len(keys):
        raise ValueError(f"table {table.name}: two rows name the same cell")
    index = {key: i for i, key in enumerate(keys)}
    locks = {index[k]: v for k, v in (locked or {}).items() if k in index}
    hidden = suppress(
        families=table.frame[table.families].astype("int64").tolist(),
        primary=_primary(table, min_cell),
        lines=lines_for(keys, table.dims, table.margins),
        locked=locks,
    )
    rows = [
        _row(table, record, h, min_cell, round_to)
        for record, h in zip(table.frame.to_dict("records"), hidden, strict=True)
    ]
    return Published(
        table.name,
        table.dims,
        table.columns,
        rows,
        dict(zip(keys, hidden, strict=True)),
        table.families,
    )


@dataclass(frozen=True)
class Rules:
    """An organization's rules for funders: its minimum cell size and rounding step."""

    min_cell: int
    round_to: int = ROUND_TO


def publish_by_organization(
    table: Table,
    *,
    rules: Mapping[Hashable, Rules],
    dim: str = "organization",
    locked: Mapping[Key, bool] | None = None,
) -> Published:
    """Publish each organization's cells on their own, then the all-organizations cells.

    The organizations summed into the all-organizations level are the members of the table's
    margin on ``dim``. Their cells are locked as the first stage published them, so any funder of
    an organization sees the same cells, and the totals can only be hidden, not reveal.
    """
    locked = dict(locked or {})
    d = table.dims.index(dim)
    column = table.frame[dim]
    rows: list[dict[str, Any]] = []
    hidden: dict[Key, bool] = {}
    for org, rule in rules.items():
        part = replace(table, frame=table.frame[column == org])
        published = publish(part, min_cell=rule.min_cell, round_to=rule.round_to, locked=locked)
        rows += published.rows
        hidden.update(published.hidden)
    margin = next((m for m in table.margins if m.dim == dim), None)
    pooled_frame = table.frame[column == (margin.total if margin else TOTAL)]
    if margin is not None and len(pooled_frame):
        members = list(margin.members) if margin.members is not None else list(rules)
        together = table.frame[column.isin([*members, margin.total])]
        stage_one = {k: v for k, v in hidden.items() if k[d] in members}
        chosen = [rules[m] for m in members if m in rules] or list(rules.values())
        published = publish(
            replace(table, frame=together),
            min_cell=max(r.min_cell for r in chosen),
            round_to=max(r.round_to for r in chosen),
            locked={**locked, **stage_one},
        )
        rows += [r for r in published.rows if r[dim] == margin.total]
        hidden.update({k: h for k, h in published.hidden.items() if k[d] == margin.total})
    return Published(table.name, table.dims, table.columns, rows, hidden, table.families)
