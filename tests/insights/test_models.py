"""The snapshot tables store exactly the features the pure modules compute."""

from __future__ import annotations

from django.db.models import UniqueConstraint

from insights.deviance import DEVIANCE_COLUMNS
from insights.features import FAMILY_COLUMNS, GROUP_COLUMNS
from insights.models import AggregationRun, FamilySnapshot, GroupSnapshot

KEYS = ["organization_id", "run_id"]


def columns(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def test_a_family_snapshot_has_one_column_per_feature_and_deviance_result() -> None:
    assert sorted(columns(FamilySnapshot)) == sorted(KEYS + FAMILY_COLUMNS + DEVIANCE_COLUMNS[1:])


def test_a_group_snapshot_has_one_column_per_group_feature() -> None:
    assert sorted(columns(GroupSnapshot)) == sorted(KEYS + GROUP_COLUMNS)


def test_unknown_values_can_be_stored_in_every_float_column() -> None:
    for model in (FamilySnapshot, GroupSnapshot):
        floats = [f for f in model._meta.concrete_fields if f.get_internal_type() == "FloatField"]
        assert floats
        assert all(f.null for f in floats)


def test_the_organization_leads_every_unique_constraint_and_index() -> None:
    for model in (AggregationRun, FamilySnapshot, GroupSnapshot):
        unique = [c for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
        assert unique
        for constraint in [*unique, *model._meta.indexes]:
            assert constraint.fields[0] == "organization"
