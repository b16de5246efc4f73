"""Read what the nightly run needs, column by column, never one ORM object per row.

This is the nightly run's bulk data path. On PostgreSQL every read is one
``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` of the queryset's own SQL, with only the needed
columns, streamed into numpy and parsed as one array (insights/pgcopy.py). On SQLite (the
embedded default, small by nature) the same queryset is fetched with ``values_list``. Both paths
return the same columns with the same dtypes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import reduce
from operator import add
from typing import Any

import numpy as np
import pandas as pd
from django.db import connections, models
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Coalesce

from families.models import Family
from journals.catalog import INCOME_COLUMNS
from journals.models import EntryStatus, Goal, GoalStatus, HelpExchange, JournalEntry

from .deviance import DEVIANCE_COLUMNS
from .features import FAMILY_COLUMNS
from .pgcopy import Col, decode, fixed_width_select

JOURNAL_INPUTS = [
    Col("family_id", "int8"),
    Col("period", "date"),
    Col("income", "float8"),
    Col("savings", "float8"),
    Col("debt", "float8"),
    Col("savings_deposited", "float8"),
]
FAMILY_INPUTS = [
    Col("family_id", "int8"),
    Col("group_id", "int8", null=True),
    Col("joined_on", "date"),
    Col("household_size", "int4"),
    Col("baseline_monthly_income", "float8"),
    Col("baseline_savings", "float8"),
    Col("baseline_debt", "float8"),
]
GOAL_INPUTS = [Col("family_id", "int8"), Col("status", "text", width=10)]
HELP_INPUTS = [
    Col("giver_id", "int8", null=True),
    Col("receiver_id", "int8", null=True),
    Col("hours", "float8"),
    Col("amount", "float8"),
    Col("confirmed", "bool"),
    Col("period", "date"),
]

# The columns of a family snapshot, in order: the features, then the positive-deviance result.
SNAPSHOT_COLUMNS = FAMILY_COLUMNS + DEVIANCE_COLUMNS[1:]

# The Django field types the snapshot tables use, and how each travels in binary COPY.
_FIELD_KINDS = {
    "ForeignKey": "int8",
    "BigIntegerField": "int8",
    "IntegerField": "int4",
    "PositiveIntegerField": "int4",
    "FloatField": "float8",
    "BooleanField": "bool",
    "CharField": "text",
}


def model_columns(model: type[models.Model]) -> list[Col]:
    """Return the binary COPY columns of a model's concrete fields, primary key excluded."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        kind = _FIELD_KINDS[field.get_internal_type()]
        width = field.max_length or 16
        columns.append(Col(field.attname, kind, null=field.null, width=width))
    return columns


# --- reading a queryset as columns ------------------------------------------------------------


def read_frame(queryset: models.QuerySet[Any], columns: Sequence[Col]) -> pd.DataFrame:
    """Return the ``columns`` of a queryset (fields or annotations) as a typed DataFrame."""
    names = [c.name for c in columns]
    queryset = queryset.values_list(*names)
    if connections[queryset.db].vendor == "postgresql":
        return pd.DataFrame(_copy_out(queryset, columns), columns=names)
    return _fetch(queryset, columns)


def copy_out_bytes(queryset: models.QuerySet[Any], columns: Sequence[Col]) -> bytearray:
    """Return the raw binary COPY stream of a values_list queryset (PostgreSQL only)."""
    sql, params = queryset.query.sql_with_params()
    statement = f"COPY ({fixed_width_select(sql, columns)}) TO STDOUT (FORMAT binary)"
    buffer = bytearray()
    with connections[queryset.db].cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for chunk in copy:
            buffer += chunk
    return buffer


def _copy_out(queryset: models.QuerySet[Any], columns: Sequence[Col]) -> dict[str, Any]:
    return decode(copy_out_bytes(queryset, columns), columns)


def _typed(values: Sequence[Any], col: Col) -> Any:
    """Return fetched Python values as the array ``pgcopy.decode`` gives for the same column."""
    if col.kind == "text":
        return pd.array([v if v is not None else "" for v in values], dtype="string")
    if col.kind == "date":
        return np.array(values, dtype="datetime64[D]")
    if col.kind == "bool":
        return np.array([bool(v) for v in values], dtype=bool)
    if col.kind == "float8":
        return np.array(values, dtype="float64")
    if col.null:
        return pd.array(values, dtype="Int64")
    return np.array(values, dtype="int64")


def _fetch(queryset: models.QuerySet[Any], columns: Sequence[Col]) -> pd.DataFrame:
    rows = list(queryset)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    data = {col.name: _typed(values, col) for col, values in zip(columns, by_column, strict=True)}
    return pd.DataFrame(data, columns=[c.name for c in columns])


# --- what the nightly run reads ---------------------------------------------------------------


def total_income() -> Case:
    """Return the sum of the income columns, NULL when every one of them is NULL."""
    all_null = Q(**{f"{c}__isnull": True for c in INCOME_COLUMNS})
    total = reduce(add, [Coalesce(F(c), Value(0.0)) for c in INCOME_COLUMNS])
    return Case(When(all_null, then=Value(None)), default=total, output_field=FloatField())


def journals_queryset(
    *, organization_id: int, first_period: date, last_period: date, families: tuple[int, int]
) -> models.QuerySet[JournalEntry]:
    """Return the submitted journals of a range of family ids, between two months included."""
    return (
        JournalEntry.objects.filter(
            organization_id=organization_id,
            status=EntryStatus.SUBMITTED,
            period__gte=first_period,
            period__lte=last_period,
            family_id__gte=families[0],
            family_id__lte=families[1],
        )
        .order_by()
        .annotate(
            income=total_income(),
            savings=F("savings_balance"),
            debt=F("debt_total"),
        )
    )


def load_journals(
    *, organization_id: int, first_period: date, last_period: date, families: tuple[int, int]
) -> pd.DataFrame:
    """Return family_id, period, income, savings, debt and savings_deposited of journals."""
    queryset = journals_queryset(
        organization_id=organization_id,
        first_period=first_period,
        last_period=last_period,
        families=families,
    )
    return read_frame(queryset, JOURNAL_INPUTS)


def load_families(*, organization_id: int) -> pd.DataFrame:
    """Return the organization's counted families (erased ones too) with their group, start
    and baselines, by id."""
    queryset = (
        Family.objects.filter(organization_id=organization_id)
        .counted()
        .order_by("id")
        .annotate(family_id=F("id"))
    )
    return read_frame(queryset, FAMILY_INPUTS)


def load_goals(*, organization_id: int) -> pd.DataFrame:
    """Return family_id and status of the organization's active and achieved goals."""
    queryset = Goal.objects.filter(
        organization_id=organization_id,
        status__in=[GoalStatus.ACTIVE, GoalStatus.ACHIEVED],
    ).order_by()
    return read_frame(queryset, GOAL_INPUTS)


def load_help(*, organization_id: int, first_period: date, last_period: date) -> pd.DataFrame:
    """Return the confirmed help exchanges between two months included."""
    queryset = (
        HelpExchange.objects.filter(
            organization_id=organization_id,
            confirmed_at__isnull=False,
            period__gte=first_period,
            period__lte=last_period,
        )
        .order_by()
        .annotate(confirmed=Value(True))
    )
    return read_frame(queryset, HELP_INPUTS)
