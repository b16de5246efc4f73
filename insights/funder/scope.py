"""The organizations of one publication, and helpers to build cells at every level."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from fii.models import Organization

from ..anonymize import (
    TOTAL,
    Key,
    Margin,
    Published,
    Rules,
    Table,
    publish_by_organization,
    round_to_for,
)


@dataclass
class Scope:
    """The organizations of one publication, by slug, and those summed into all organizations."""

    organizations: list[Organization]
    counts: dict[str, int]
    rules: dict[Hashable, Rules] = field(init=False)
    included: list[str] = field(init=False)
    by_id: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.rules = {o.slug: Rules(o.min_cell_size, round_to_for(o)) for o in self.organizations}
        self.by_id = {o.pk: o.slug for o in self.organizations}
        self.included = [
            o.slug for o in self.organizations if self.counts.get(o.slug, 0) >= o.min_cell_size
        ]

    @property
    def one_currency(self) -> bool:
        """Money is summed across organizations only when they keep accounts in one currency."""
        currencies = {o.currency for o in self.organizations if o.slug in self.included}
        return len(currencies) <= 1

    def org_margin(self) -> Margin:
        return Margin("organization", TOTAL, tuple(self.included))

    def publish(
        self, table: Table, locked: dict[Key, bool] | None = None, *, hide_small: bool = True
    ) -> Published:
        """Publish a table; an organization with too few families shows nothing at all."""
        if hide_small:
            frame = table.frame.copy()
            small = ~frame["organization"].isin([*self.included, TOTAL])
            if table.sensitive:
                small |= frame[table.sensitive].fillna(False).astype(bool)
            frame["sensitive"] = small.to_numpy(dtype=bool)
            table = replace(table, frame=frame, sensitive="sensitive")
        return publish_by_organization(table, rules=self.rules, locked=locked)


def cells_by(
    frame: pd.DataFrame, by: list[str], dims: Sequence[str], fn: Callable[[pd.DataFrame], dict]
) -> list[dict[str, Any]]:
    """Return one record per group of ``frame`` by ``by``; other dims are set to TOTAL."""
    records: list[dict[str, Any]] = []
    if frame.empty:
        return records
    grouped = frame.groupby(by, sort=True, dropna=False) if by else [((), frame)]
    for values, part in grouped:
        values = values if isinstance(values, tuple) else (values,)
        record: dict[str, Any] = dict.fromkeys(dims, TOTAL)
        record.update(dict(zip(by, values, strict=True)))
        record.update(fn(part))
        records.append(record)
    return records


def median_of(values: pd.Series) -> float:
    known = values.dropna()
    return float(known.median()) if len(known) else math.nan
