"""The readiness queue: the flags staff filter, sort and page, and their counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from families.models import Group
from fii.models import Organization

from ..models import Flag, FlagQuerySet, FlagStatus, Program

QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "-score": ("-score", "opened_at", "pk"),
    "score": ("score", "opened_at", "pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
    "program": ("program__name", "-score", "pk"),
}
LIVE = "live"
ANY = "any"

# What a row of the queue shows.
ROW_FIELDS = (
    "score",
    "status",
    "opened_at",
    "program__name",
    "family__name",
    "family__group__name",
    "group__name",
)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; every field optional but the sort."""

    program_id: int | None = None
    group_id: int | None = None
    status: str = LIVE
    min_score: float | None = None
    within_days: int | None = None
    sort: str = "-score"


def _in_status(flags: FlagQuerySet, status: str) -> FlagQuerySet:
    if status == LIVE:
        return flags.live()
    if status == ANY:
        return flags
    return flags.filter(status=status)


def queue_filter_options(*, organization: Organization) -> dict[str, list[tuple[int, str]]]:
    """Return the programs and the active groups the queue can be filtered by, (id, name)."""
    programs = Program.objects.for_org(organization).values_list("pk", "name")
    groups = Group.objects.for_org(organization).active().values_list("pk", "name")
    return {"programs": list(programs), "groups": list(groups)}


def queue_flags(*, organization: Organization, filters: QueueFilters) -> FlagQuerySet:
    """Return the flags the filters ask for, with their program and subject, in the chosen order."""
    flags = _in_status(Flag.objects.for_org(organization).with_subject(), filters.status)
    if filters.program_id is not None:
        flags = flags.filter(program_id=filters.program_id)
    if filters.group_id is not None:
        flags = flags.in_group(filters.group_id)
    if filters.min_score is not None:
        flags = flags.filter(score__gte=filters.min_score)
    if filters.within_days is not None:
        flags = flags.filter(opened_at__gte=timezone.now() - timedelta(days=filters.within_days))
    return flags.order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["-score"]))


def queue_rows(*, organization: Organization, filters: QueueFilters) -> FlagQuerySet:
    """Return the queue's flags with only the columns a row of the page shows."""
    return queue_flags(organization=organization, filters=filters).only(*ROW_FIELDS)


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
