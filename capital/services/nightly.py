"""The nightly run's side of capital: flags opened, refreshed and expired from snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from families.models import Family, Group
from fii.models import Organization
from insights.models import AggregationRun

from ..metrics import Subject
from ..models import LIVE_STATUSES, Flag, FlagStatus, Program
from ..rules import evaluate


@dataclass
class FlagChanges:
    """What evaluating the programs asks of the flags table."""

    create: list[Flag] = field(default_factory=list)
    refresh: list[Flag] = field(default_factory=list)
    expire: list[int] = field(default_factory=list)
    in_review: int = 0


def _subject_field(program: Program) -> str:
    return "family" if program.subject == Subject.FAMILY else "group"


def _eligible_ids(*, organization: Organization) -> dict[str, set[int]]:
    """Return the ids of the organization's active families and groups."""
    # The frames come from snapshots, but a flag must never point outside the organization
    # nor at an archived household.
    return {
        Subject.FAMILY: set(
            Family.objects.for_org(organization).active().values_list("pk", flat=True)
        ),
        Subject.GROUP: set(
            Group.objects.for_org(organization).active().values_list("pk", flat=True)
        ),
    }


# An approved subject is not flagged again for the same program for this long.
REFLAG_AFTER_APPROVAL = timedelta(days=365)


@dataclass
class CurrentFlags:
    """The live flags by program id, then subject id; and the subjects not to flag again yet."""

    live: dict[int, dict[int, Flag]] = field(default_factory=dict)
    resting: dict[int, set[int]] = field(default_factory=dict)


def _current_flags(*, organization: Organization, now: Any) -> CurrentFlags:
    """Return the live flags, and the subjects deferred or recently approved, in one query."""
    resting = Q(status=FlagStatus.DEFERRED, deferred_until__gt=organization.today()) | Q(
        status=FlagStatus.APPROVED, closed_at__gt=now - REFLAG_AFTER_APPROVAL
    )
    out = CurrentFlags()
    flags = Flag.objects.for_org(organization).filter(Q(status__in=LIVE_STATUSES) | resting)
    for flag in flags.select_for_update():
        subject_id: int = flag.subject_id  # type: ignore[assignment]
        if flag.is_live:
            out.live.setdefault(flag.program_id, {})[subject_id] = flag
        else:
            out.resting.setdefault(flag.program_id, set()).add(subject_id)
    return out


def _qualifying(result: pd.DataFrame, id_column: str, eligible: set[int]) -> dict[int, Any]:
    """Return {subject id: (score, evidence)} for the rows that meet every criterion."""
    held = result[result["all_met"]]
    ids = pd.to_numeric(held[id_column], errors="coerce")
    return {
        int(i): (float(score), evidence)
        for i, score, evidence in zip(ids, held["score"], held["evidence"], strict=True)
        if pd.notna(i) and int(i) in eligible
    }


def _plan(
    changes: FlagChanges,
    *,
    program: Program,
    qualifying: dict[int, Any],
    current: dict[int, Flag],
    resting: set[int],
    run_id: int | None,
    now: Any,
) -> None:
    """Add to ``changes`` the flags of one program to open, refresh and expire."""
    for subject_id, flag in current.items():
        if flag.status != FlagStatus.OPEN:
            # A person is looking at it, or waits for the family's answer: neither its evidence
            # nor its status moves under them.
            changes.in_review += 1
        elif subject_id in qualifying:
            flag.score, flag.evidence = qualifying[subject_id]
            flag.run_id, flag.refreshed_at = run_id, now
            changes.refresh.append(flag)
        else:
            changes.expire.append(flag.pk)
    subject_field = f"{_subject_field(program)}_id"
    for subject_id, (score, evidence) in qualifying.items():
        if subject_id not in current and subject_id not in resting:
            flag = Flag(organization_id=program.organization_id, program=program, run_id=run_id)
            flag.score, flag.evidence, flag.opened_at, flag.refreshed_at = score, evidence, now, now
            setattr(flag, subject_field, subject_id)
            changes.create.append(flag)


def _apply(changes: FlagChanges, now: Any) -> dict[str, int]:
    """Write the changes in bulk and return how many flags each kind of change touched."""
    Flag.objects.bulk_create(changes.create, batch_size=1000)
    Flag.objects.bulk_update(
        changes.refresh, ["score", "evidence", "run", "refreshed_at"], batch_size=1000
    )
    # Conditional: a flag someone took into review meanwhile is not expired.
    expired = Flag.objects.filter(pk__in=changes.expire, status=FlagStatus.OPEN).update(
        status=FlagStatus.EXPIRED, closed_at=now
    )
    return {
        "opened": len(changes.create),
        "refreshed": len(changes.refresh),
        "expired": expired,
        "in_review": changes.in_review,
    }


@transaction.atomic
def flags_refresh(
    *,
    organization: Organization,
    run: AggregationRun | None,
    family_frame: pd.DataFrame | None,
    group_frame: pd.DataFrame | None,
) -> dict[str, int]:
    """Open, refresh and expire the organization's flags from one run's snapshot frames.

    A frame of None means that subject was not computed: its programs' flags stay as they are.
    """
    now = timezone.now()
    run_id = run.pk if run is not None else None
    frames = {Subject.FAMILY: family_frame, Subject.GROUP: group_frame}
    eligible = _eligible_ids(organization=organization)
    flags = _current_flags(organization=organization, now=now)
    changes = FlagChanges()
    for program in Program.objects.for_org(organization).active().prefetch_related("rules"):
        frame = frames[program.subject]
        if frame is None:
            continue
        id_column = f"{_subject_field(program)}_id"
        result = evaluate(program.rule_specs(), frame, id_column)
        qualifying = _qualifying(result, id_column, eligible[program.subject])
        _plan(
            changes,
            program=program,
            qualifying=qualifying,
            current=flags.live.get(program.pk, {}),
            resting=flags.resting.get(program.pk, set()),
            run_id=run_id,
            now=now,
        )
    return _apply(changes, now)
