"""How many would qualify on the latest run if a program's rules changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from fii.models import Organization
from insights.selectors import latest_run, snapshot_frames

from ..metrics import Subject
from ..models import (
    Program,
)
from ..rules import RuleSpec, evaluate


@dataclass(frozen=True)
class RulePreview:
    """How many families (or groups) the program's rules let through on the latest run."""

    as_of: date | None
    total: int
    now: int
    with_change: int


def _count_qualifying(specs: list[RuleSpec], frame: pd.DataFrame, id_column: str) -> int:
    if frame.empty or not specs:
        return 0
    return int(evaluate(specs, frame, id_column)["all_met"].sum())


def rule_preview(
    *, organization: Organization, program: Program, specs: list[RuleSpec]
) -> RulePreview:
    """Count who qualifies on the latest run with the program's rules, and with ``specs``."""
    run = latest_run(organization=organization)
    if run is None:
        return RulePreview(as_of=None, total=0, now=0, with_change=0)
    family_frame, group_frame = snapshot_frames(run=run)
    is_family = program.subject == Subject.FAMILY
    frame, id_column = (family_frame, "family_id") if is_family else (group_frame, "group_id")
    return RulePreview(
        as_of=run.as_of,
        total=len(frame),
        now=_count_qualifying(program.rule_specs(), frame, id_column),
        with_change=_count_qualifying(specs, frame, id_column),
    )
