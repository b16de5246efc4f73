"""Reads of nightly results for other apps and screens: the latest run and its snapshots."""

from __future__ import annotations

import pandas as pd

from families.models import Family
from fii.models import Organization

from .features import GROUP_COLUMNS
from .loader import SNAPSHOT_COLUMNS, model_columns, read_frame
from .models import AggregationRun, FamilySnapshot, GroupSnapshot
from .pgcopy import Col


def latest_run(*, organization: Organization) -> AggregationRun | None:
    """Return the organization's succeeded run with the latest date, or None before any."""
    return AggregationRun.objects.for_org(organization).succeeded().order_by("-as_of").first()


def _columns(model: type[FamilySnapshot] | type[GroupSnapshot], names: list[str]) -> list[Col]:
    by_name = {c.name: c for c in model_columns(model)}
    return [by_name[name] for name in names]


def snapshot_frames(*, run: AggregationRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the run's family and group snapshots as frames, columns named as the features.

    The family frame has the columns of ``insights.features.FAMILY_COLUMNS`` then those of
    ``insights.deviance.DEVIANCE_COLUMNS`` (family_id once), one row per family, by family id;
    the group frame those of ``GROUP_COLUMNS``, by group id. NULL is NaN (floats) or NA (ids).
    """
    families = FamilySnapshot.objects.filter(
        organization_id=run.organization_id, run_id=run.pk
    ).order_by("family_id")
    groups = GroupSnapshot.objects.filter(
        organization_id=run.organization_id, run_id=run.pk
    ).order_by("group_id")
    return (
        read_frame(families, _columns(FamilySnapshot, SNAPSHOT_COLUMNS)),
        read_frame(groups, _columns(GroupSnapshot, GROUP_COLUMNS)),
    )


def family_snapshot(*, organization: Organization, family: Family) -> FamilySnapshot | None:
    """Return the family's row of the organization's latest succeeded run, or None."""
    run = latest_run(organization=organization)
    if run is None:
        return None
    return (
        FamilySnapshot.objects.for_org(organization)
        .filter(run=run, family=family)
        .select_related("run")
        .first()
    )
