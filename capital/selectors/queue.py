"""The readiness queue: the flags staff filter, sort and page, and their counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, overload

from django.db import router
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from families.models import Family, Group
from fii.models import Organization
from fii.sql import Table, fetch_rows

from ..models import (
    LIVE_STATUSES,
    Flag,
    FlagStatus,
    Program,
)

QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "-score": ("-score", "opened_at", "pk"),
    "score": ("score", "opened_at", "pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
    "program": ("program__name", "-score", "pk"),
}
LIVE = "live"
ANY = "any"


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; every field optional but the sort."""

    program_id: int | None = None
    group_id: int | None = None
    status: str = LIVE
    min_score: float | None = None
    within_days: int | None = None
    sort: str = "-score"


def _status_filter(status: str) -> Q:
    if status == LIVE:
        return Q(status__in=LIVE_STATUSES)
    if status == ANY:
        return Q()
    return Q(status=status)


@cache
def _filter_options_queries() -> tuple[str, str]:
    programs, groups = Table(Program, "p"), Table(Group, "g")

    def names(table: Table[Any], where: str) -> str:
        columns = f"{table.column('id')}, {table.column('name')}"
        return f"SELECT {columns} FROM {table.name} WHERE {where} ORDER BY {table.order()}"  # noqa: S608

    active = f"{groups.column('organization')} = %s AND {groups.column('archived_at')} IS NULL"
    return names(programs, f"{programs.column('organization')} = %s"), names(groups, active)


def queue_filter_options(*, organization: Organization) -> dict[str, list[tuple[int, str]]]:
    """Return the programs and the active groups the queue can be filtered by, (id, name).

    Every queue page offers them, and an organization has hundreds of groups: read by hand
    (fii.sql), without the ORM's query building and rows.
    """
    programs, groups = _filter_options_queries()
    db = router.db_for_read(Program)
    return {
        "programs": [(pk, name) for pk, name in fetch_rows(db, programs, [organization.pk])],
        "groups": [(pk, name) for pk, name in fetch_rows(db, groups, [organization.pk])],
    }


def queue_flags(*, organization: Organization, filters: QueueFilters) -> QuerySet[Flag]:
    """Return the flags the filters ask for, with what a row shows, in the chosen order."""
    flags = (
        Flag.objects.for_org(organization)
        .filter(_status_filter(filters.status))
        .select_related("program", "family", "family__group", "group")
    )
    if filters.program_id is not None:
        flags = flags.filter(program_id=filters.program_id)
    if filters.group_id is not None:
        flags = flags.filter(Q(group_id=filters.group_id) | Q(family__group_id=filters.group_id))
    if filters.min_score is not None:
        flags = flags.filter(score__gte=filters.min_score)
    if filters.within_days is not None:
        flags = flags.filter(opened_at__gte=timezone.now() - timedelta(days=filters.within_days))
    return flags.order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["-score"]))


@dataclass(frozen=True)
class QueueRow:
    """What one row of the queue shows, read as plain values (no model built per flag)."""

    pk: int
    family_name: str | None
    family_group_name: str | None
    group_name: str | None
    program_name: str
    score: float
    status: str
    opened_at: datetime

    @property
    def status_label(self) -> str:
        """Return the status in words, or as stored when it is not one of ours."""
        if self.status not in FlagStatus.values:
            return self.status
        return str(FlagStatus(self.status).label)


QUEUE_ROW_COLUMNS = (
    "pk",
    "family__name",
    "family__group__name",
    "group__name",
    "program__name",
    "score",
    "status",
    "opened_at",
)


# The ORDER BY of each sort, as QUEUE_SORTS has it ("program" sorts by the program's name).
def _order_by(flags: Table[Flag], programs: Table[Program], sort: str) -> str:
    order = []
    for name in QUEUE_SORTS.get(sort, QUEUE_SORTS["-score"]):
        descending, name = name.startswith("-"), name.lstrip("-")
        if name == "program__name":
            column = programs.column("name")
        else:
            column = flags.column("id" if name == "pk" else name)
        order.append(f"{column} DESC" if descending else column)
    return ", ".join(order)


@dataclass(frozen=True)
class _QueueSql:
    count: str
    page: str
    flags: Table[Flag]  # its database, and the page's last column converted as the ORM would


@cache
def _queue_sql(
    status: str, program: bool, group: bool, score: bool, days: bool, sort: str
) -> _QueueSql:
    """The count and a page of the queue for one shape of filters (which ones are given)."""
    flags, programs, families = Table(Flag, "f"), Table(Program, "p"), Table(Family, "fa")
    family_groups, groups, members = Table(Group, "fg"), Table(Group, "g"), Table(Family, "m")
    where = [f"{flags.column('organization')} = %s"]
    if status == LIVE:
        where.append(f"{flags.column('status')} IN ({', '.join(['%s'] * len(LIVE_STATUSES))})")
    elif status != ANY:
        where.append(f"{flags.column('status')} = %s")
    if program:
        where.append(f"{flags.column('program')} = %s")
    if group:  # the group's own flags, or its families' (as the ORM's family__group_id)
        in_group = (
            f"SELECT {members.column('id')} FROM {members.name}"  # noqa: S608
            f" WHERE {members.column('group')} = %s"
        )
        where.append(f"({flags.column('group')} = %s OR {flags.column('family')} IN ({in_group}))")
    if score:
        where.append(f"{flags.column('score')} >= %s")
    if days:
        where.append(f"{flags.column('opened_at')} >= %s")
    condition = " AND ".join(where)
    with_program = (
        f"INNER JOIN {programs.name} ON {programs.column('id')} = {flags.column('program')}"
    )
    order_by = _order_by(flags, programs, sort)
    # A page of ids first, sorted on the flags alone, then the names of those 25 joined.
    ids = (
        f"SELECT {flags.column('id')} FROM {flags.name} {with_program} WHERE {condition}"  # noqa: S608
        f" ORDER BY {order_by} LIMIT %s OFFSET %s"
    )
    columns = ", ".join(
        [
            flags.column("id"),
            families.column("name"),
            family_groups.column("name"),
            groups.column("name"),
            programs.column("name"),
            flags.column("score"),
            flags.column("status"),
            flags.column("opened_at"),
        ]
    )
    page = (
        f"SELECT {columns} FROM {flags.name} {with_program}"  # noqa: S608
        f" LEFT OUTER JOIN {families.name} ON {families.column('id')} = {flags.column('family')}"
        f" LEFT OUTER JOIN {family_groups.name}"
        f" ON {family_groups.column('id')} = {families.column('group')}"
        f" LEFT OUTER JOIN {groups.name} ON {groups.column('id')} = {flags.column('group')}"
        f" WHERE {flags.column('id')} IN ({ids}) ORDER BY {order_by}"
    )
    count = f"SELECT COUNT(*) FROM {flags.name} WHERE {condition}"  # noqa: S608
    return _QueueSql(count, page, flags)


class QueueRows:
    """The queue's rows as values (QueueRow(*values)), in their order, for a Paginator: it
    counts them and asks for one page.

    Every queue page counts the flags and reads 25 of them: written by hand (fii.sql), from the
    same filters as `queue_flags` (a test compares the two in every sort and filter). The count
    reads the flags table alone, and a page is picked on it before the names are joined, so the
    database sorts the flags, not the joins of every live one (an organization has thousands).
    """

    def __init__(self, organization: Organization, filters: QueueFilters) -> None:
        self.filters = filters
        self.sql = _queue_sql(
            filters.status if filters.status in (LIVE, ANY) else "one",
            filters.program_id is not None,
            filters.group_id is not None,
            filters.min_score is not None,
            filters.within_days is not None,
            filters.sort if filters.sort in QUEUE_SORTS else "-score",
        )
        self.params = self._params(organization)

    def _params(self, organization: Organization) -> list[Any]:
        filters, flags = self.filters, self.sql.flags
        params: list[Any] = [organization.pk]
        if filters.status == LIVE:
            params += [str(status) for status in LIVE_STATUSES]
        elif filters.status != ANY:
            params.append(filters.status)
        if filters.program_id is not None:
            params.append(filters.program_id)
        if filters.group_id is not None:
            params += [filters.group_id, filters.group_id]
        if filters.min_score is not None:
            params.append(filters.min_score)
        if filters.within_days is not None:
            since = timezone.now() - timedelta(days=filters.within_days)
            params.append(flags.value("opened_at", since))
        return params

    def count(self) -> int:
        return int(fetch_rows(self.sql.flags.db, self.sql.count, self.params)[0][0])

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        flags = self.sql.flags
        params = [*self.params, max(stop - start, 0), start]
        rows = fetch_rows(flags.db, self.sql.page, params)
        return [(*row[:-1], flags.converted("opened_at", row[-1])) for row in rows]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self[0 : self.count()])


def queue_rows(*, organization: Organization, filters: QueueFilters) -> QueueRows:
    """Return the queue's rows as values, counted and paged by a Paginator."""
    return QueueRows(organization, filters)


@dataclass(frozen=True)
class QueueCounts:
    """How many flags each program has in each status."""

    statuses: list[tuple[str, str]]
    rows: list[tuple[str, int, list[int]]]  # program name, program id, count per status

    @property
    def is_empty(self) -> bool:
        return not self.rows


COUNTED_STATUSES = (
    FlagStatus.OPEN,
    FlagStatus.IN_REVIEW,
    FlagStatus.ASKED,
    FlagStatus.APPROVED,
    FlagStatus.DECLINED,
    FlagStatus.DEFERRED,
)


def queue_counts(*, organization: Organization) -> QueueCounts:
    """Return the flags counted by program and status, expired ones left out (one query)."""
    counts: dict[tuple[str, int], dict[str, int]] = {}
    rows = (
        Flag.objects.for_org(organization)
        .filter(status__in=COUNTED_STATUSES)
        .values_list("program__name", "program_id", "status")
        .annotate(n=Count("pk"))
        .order_by("program__name")
    )
    for name, program_id, status, n in rows:
        counts.setdefault((name, program_id), {})[status] = n
    return QueueCounts(
        statuses=[(s.value, str(s.label)) for s in COUNTED_STATUSES],
        rows=[
            (name, pid, [by_status.get(s, 0) for s in COUNTED_STATUSES])
            for (name, pid), by_status in counts.items()
        ],
    )
