"""Reads of nightly results offered to other apps: the latest run and its snapshots."""

from __future__ import annotations

import datetime as dt

import pytest

from insights.deviance import DEVIANCE_COLUMNS
from insights.features import FAMILY_COLUMNS, GROUP_COLUMNS
from insights.models import AggregationRun, RunStatus
from insights.pipeline import aggregate_organization
from insights.selectors import family_snapshot, latest_run, snapshot_frames

pytestmark = pytest.mark.django_db

JULY, AUGUST = dt.date(2024, 7, 2), dt.date(2024, 8, 2)


def run(world, as_of):  # type: ignore[no-untyped-def]
    return aggregate_organization(organization_id=world.org.pk, as_of=as_of).run


def test_latest_run_is_the_latest_succeeded_run_of_the_organization(world_a, world_b) -> None:
    july = run(world_a, JULY)
    AggregationRun.objects.create(organization=world_a.org, as_of=AUGUST, status=RunStatus.FAILED)
    run(world_b, dt.date(2024, 9, 2))

    assert latest_run(organization=world_a.org) == july


def test_latest_run_is_none_before_any_run(world_a) -> None:
    assert latest_run(organization=world_a.org) is None


def test_snapshot_frames_are_named_like_the_features(world_a) -> None:
    families, groups = snapshot_frames(run=run(world_a, JULY))

    assert list(families.columns) == FAMILY_COLUMNS + DEVIANCE_COLUMNS[1:]
    assert list(groups.columns) == GROUP_COLUMNS
    expected = sorted([world_a.objects["family"].pk, world_a.objects["neighbour"].pk])
    assert families["family_id"].tolist() == expected
    assert groups["group_id"].tolist() == [world_a.objects["group"].pk]
    assert families["family_id"].dtype == "int64"
    assert families["income_3m"].dtype == "float64"
    assert families["is_positive_deviant"].dtype == bool


def test_family_snapshot_is_the_row_of_the_latest_succeeded_run(world_a) -> None:
    family = world_a.objects["family"]
    run(world_a, JULY)
    august = run(world_a, AUGUST)

    snapshot = family_snapshot(organization=world_a.org, family=family)

    assert snapshot is not None
    assert (snapshot.run, snapshot.family) == (august, family)
    assert snapshot.months_reported == 1


def test_family_snapshot_is_none_before_a_run_and_for_another_organization(
    world_a, world_b
) -> None:
    assert family_snapshot(organization=world_a.org, family=world_a.objects["family"]) is None
    run(world_b, JULY)
    run(world_a, JULY)

    assert family_snapshot(organization=world_a.org, family=world_b.objects["family"]) is None
