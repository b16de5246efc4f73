"""The readiness queue: the flags staff filter, sort and page, and their counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, overload

from django.db import router
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone

from families.models import Group
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


class QueueRows:
    """The flags as the values of their queue rows (QueueRow(*values)), in their order, for a
    Paginator: it counts them and asks for one page.

    Both are cheaper than the ORM's rows of the whole queue: the count reads the flags table
    alone (no join of the names), and a page is picked on the flags table before the names are
    joined, so the database sorts the flags, not the joins of every live one (an organization
    has thousands).
    """

    def __init__(self, flags: QuerySet[Flag]) -> None:
        self.flags = flags

    def count(self) -> int:
        return self.flags.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        page = self.flags.select_related(None).values("pk")[index]
        rows = self.flags.filter(pk__in=Subquery(page)).values_list(*QUEUE_ROW_COLUMNS)
        return list(rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.flags.values_list(*QUEUE_ROW_COLUMNS))


def queue_rows(flags: QuerySet[Flag]) -> QueueRows:
    """Return the flags as the values of their queue rows, counted and paged by a Paginator."""
    return QueueRows(flags)


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
