"""Everything a funder sees: the published tables, and their rows for pages and exports."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from fii.models import Organization
from journals.models import (
    HelpKind,
)

from ..anonymize import (
    TOTAL,
    Published,
    reporting_families,
)
from .constants import (
    ABOVE,
    ALL,
    BUCKET_LABELS,
    BUCKET_PHRASES,
    DEVIANT,
    RANKED,
    REACHED,
    REPORTED,
)
from .inputs import Inputs, load_inputs, reported_last_month
from .scope import Scope
from .tables import (
    COST_SUMS,
    MONEY_COLUMNS,
    capital_table,
    costs_table,
    deviants_table,
    mutuality_table,
    organizations_table,
    program_labels,
    trajectories_table,
)

# --- everything a funder sees -----------------------------------------------------------------


@dataclass
class FunderTables:
    """The published tables of a set of organizations, and the labels to show them."""

    organizations: list[Organization]
    included: list[str]
    tables: dict[str, Published]
    programs: dict[Hashable, tuple[str, str]]

    def org_name(self, slug: Hashable) -> str:
        for org in self.organizations:
            if org.slug == slug:
                return org.name
        return str(_("All organizations"))


def _scope(organizations: list[Organization], counts: dict[int, int]) -> Scope:
    return Scope(organizations, {o.slug: counts.get(o.pk, 0) for o in organizations})


def funder_tables(*, organizations: Sequence[Organization]) -> FunderTables:
    """Build and publish every funder table of the organizations, in a fixed number of queries."""
    organizations = list(organizations)
    inputs = load_inputs(organizations=organizations)
    counts = inputs.families["organization_id"].value_counts().to_dict()
    scope = _scope(organizations, {int(k): int(v) for k, v in counts.items()})
    orgs = organizations_table(inputs, scope)
    capital = capital_table(inputs, scope)
    tables = {
        "organizations": orgs,
        "trajectories": trajectories_table(inputs, scope, orgs),
        "mutuality": mutuality_table(inputs, scope),
        "capital": capital,
        "deviants": deviants_table(inputs, scope),
        "costs": costs_table(inputs, scope, capital),
    }
    return FunderTables(organizations, scope.included, tables, program_labels(inputs))


# --- the organization summary (funder home and API) -------------------------------------------


@dataclass(frozen=True)
class OrganizationSummary:
    name: str
    min_cell: int
    families: int | None
    reporting_share: float | None


def summaries_from(tables: FunderTables) -> list[OrganizationSummary]:
    """Return each organization's published family count and last month's reporting share."""
    published = tables.tables["organizations"]
    out = []
    for org in tables.organizations:
        row = published.row((org.slug, ALL)) or {}
        out.append(
            OrganizationSummary(
                org.name,
                org.min_cell_size,
                row.get("families"),
                published.share((org.slug, REPORTED), (org.slug, ALL)),
            )
        )
    return out


def organization_summaries(*, organizations: Sequence[Organization]) -> list[OrganizationSummary]:
    """Count counted families and last month's reporting per organization, in two queries."""
    organizations = list(organizations)
    if not organizations:
        return []
    counted = reporting_families(organizations=organizations)
    counts = dict(
        counted.values("organization").annotate(n=Count("id")).values_list("organization", "n")
    )
    inputs = Inputs(
        organizations=organizations,
        families=pd.DataFrame(),
        reported=reported_last_month(organizations, counted),
        journals=pd.DataFrame(),
        goals=pd.DataFrame(),
        help=pd.DataFrame(),
        snapshots=pd.DataFrame(),
        stipends=pd.DataFrame(),
        capital=[],
    )
    scope = _scope(organizations, counts)
    tables = FunderTables(
        organizations, scope.included, {"organizations": organizations_table(inputs, scope)}, {}
    )
    return summaries_from(tables)


# --- rows for pages and exports ---------------------------------------------------------------


def _cohort_label(value: Hashable) -> str:
    return str(_("All cohorts")) if value == TOTAL else str(value)


def _trajectory_rows(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    published = tables.tables["trajectories"]
    out = []
    for row in published.rows:
        if row["status"] != ALL or (org is not None and row["organization"] != org):
            continue
        key = (row["organization"], row["cohort"], row["bucket"])
        out.append(
            {
                "organization": tables.org_name(row["organization"]),
                "cohort": _cohort_label(row["cohort"]),
                "months_since_joining": str(BUCKET_LABELS[row["bucket"]]),
                "families": row["families"],
                "median_income": row["median_income"],
                "median_savings": row["median_savings"],
                "median_debt": row["median_debt"],
                "share_above_poverty_line": published.share((*key, ABOVE), (*key, ALL)),
                "share_reached_a_goal": published.share((*key, REACHED), (*key, ALL)),
                "_org": row["organization"],
                "_cohort": row["cohort"],
                "_bucket": row["bucket"],
                "_when": str(BUCKET_PHRASES[row["bucket"]]),
            }
        )
    return out


def _organization_rows(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    published = tables.tables["organizations"]
    return [
        {
            "organization": tables.org_name(row["organization"]),
            "families": row["families"],
            "share_reported_last_month": published.share(
                (row["organization"], REPORTED), (row["organization"], ALL)
            ),
            "_org": row["organization"],
        }
        for row in published.where(status=ALL)
        if org is None or row["organization"] == org
    ]


def _mutuality_rows(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    kinds = dict(HelpKind.choices)
    return [
        {
            "organization": tables.org_name(row["organization"]),
            "kind": str(_("All kinds of help"))
            if row["kind"] == TOTAL
            else str(kinds[row["kind"]]),
            "families": row["families"],
            "exchanges": row["exchanges"],
            "hours": row["hours"],
            "value": row["value"],
            "_org": row["organization"],
            "_kind": row["kind"],
        }
        for row in tables.tables["mutuality"].rows
        if org is None or row["organization"] == org
    ]


def _capital_rows_out(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    out = []
    for row in tables.tables["capital"].rows:
        if org is not None and row["organization"] != org:
            continue
        name, kind = tables.programs.get(row["program"], (str(_("All programs")), ""))
        out.append(
            {
                "organization": tables.org_name(row["organization"]),
                "program": name,
                "families": row["families"],
                "kind": kind,
                **{m: row[m] for m in MONEY_COLUMNS},
                "_org": row["organization"],
                "_program": row["program"],
            }
        )
    return out


def _deviant_rows(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    published = tables.tables["deviants"]
    out = []
    for row in published.where(status=RANKED):
        if org is not None and row["organization"] != org:
            continue
        deviants = published.row((row["organization"], DEVIANT)) or {}
        out.append(
            {
                "organization": tables.org_name(row["organization"]),
                "families_ranked": row["families"],
                "families_positive_deviants": deviants.get("families"),
                "median_growth_pct": row["median_growth"],
                "deviants_median_growth_pct": deviants.get("median_growth"),
                "deviants_peer_median_growth_pct": deviants.get("median_peer_growth"),
                "_org": row["organization"],
            }
        )
    return out


def _cost_rows(tables: FunderTables, org: Hashable | None) -> list[dict[str, Any]]:
    columns = ["families", *COST_SUMS, "share_to_families", "cost_per_family_month"]
    return [
        {
            "organization": tables.org_name(row["organization"]),
            **{c: row[c] for c in columns},
            "_org": row["organization"],
        }
        for row in tables.tables["costs"].rows
        if org is None or row["organization"] == org
    ]


ROW_BUILDERS: dict[str, Callable[[FunderTables, Hashable | None], list[dict[str, Any]]]] = {
    "organizations": _organization_rows,
    "trajectories": _trajectory_rows,
    "mutuality": _mutuality_rows,
    "capital": _capital_rows_out,
    "deviants": _deviant_rows,
    "costs": _cost_rows,
}


def table_rows(
    tables: FunderTables, name: str, *, organization: Hashable | None = None
) -> list[dict]:
    """Return a published table as rows for a page or an export; ``organization`` filters.

    Keys starting with an underscore are for charts and never exported.
    """
    return ROW_BUILDERS[name](tables, organization)


def export_columns(rows: list[dict[str, Any]]) -> list[str]:
    """Return the exported columns of table rows (private keys left out)."""
    return [c for c in rows[0] if not c.startswith("_")] if rows else []
