"""The six funder tables, built in pandas and published through insights.anonymize."""

from __future__ import annotations

import math
from collections.abc import Hashable
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from families.poverty import EACH_ADDITIONAL_ANNUAL, FIRST_PERSON_ANNUAL
from journals.models import (
    HelpKind,
)
from journals.periods import month_start

from ..anonymize import (
    TOTAL,
    Amount,
    Key,
    Margin,
    Published,
    Ratio,
    Stat,
    Table,
    largest,
)
from .constants import (
    ABOVE,
    ALL,
    BELOW,
    BUCKETS,
    DEVIANT,
    NOT_REACHED,
    NOT_REPORTED,
    OTHER,
    RANKED,
    REACHED,
    REPORTED,
)
from .inputs import Inputs, month_key, month_keys
from .scope import Scope, cells_by, median_of

# --- organizations ----------------------------------------------------------------------------


def organizations_table(inputs: Inputs, scope: Scope) -> Published:
    """Families counted per organization, and how many reported last month."""
    rows: list[dict[str, Any]] = []
    for org in scope.organizations:
        n, done = scope.counts.get(org.slug, 0), inputs.reported.get(org.pk, 0)
        rows += [
            {"organization": org.slug, "status": ALL, "families": n},
            {"organization": org.slug, "status": REPORTED, "families": done},
            {"organization": org.slug, "status": NOT_REPORTED, "families": n - done},
        ]
    if scope.included:
        for status in (ALL, REPORTED, NOT_REPORTED):
            total = sum(
                r["families"]
                for r in rows
                if r["status"] == status and r["organization"] in scope.included
            )
            rows.append({"organization": TOTAL, "status": status, "families": total})
    table = Table(
        "organizations",
        pd.DataFrame(rows, columns=["organization", "status", "families"]),
        ("organization", "status"),
        (scope.org_margin(), Margin("status", ALL, (REPORTED, NOT_REPORTED))),
    )
    return scope.publish(table, hide_small=False)


# --- trajectories -----------------------------------------------------------------------------


def _poverty_line(household_size: pd.Series) -> np.ndarray:
    sizes = household_size.to_numpy(dtype="float64")
    return (FIRST_PERSON_ANNUAL + EACH_ADDITIONAL_ANNUAL * (sizes - 1)) / 12


def _first_goal_keys(goals: pd.DataFrame) -> pd.Series:
    """Return, per family, the month key of its first goal reached."""
    if goals.empty:
        return pd.Series(dtype="int64")
    achieved = pd.to_datetime(goals["achieved_at"], utc=True)
    when = achieved.combine_first(pd.to_datetime(goals["created_at"], utc=True))
    keys = pd.Series(month_keys(when), index=goals["family_id"].to_numpy())
    return keys.groupby(level=0).min()


def family_buckets(inputs: Inputs, scope: Scope) -> pd.DataFrame:
    """Return one row per family and span of months: its mean figures there (module-private)."""
    fam = inputs.families.copy()
    if fam.empty:
        return pd.DataFrame(
            columns=["family_id", "organization", "cohort", "bucket", "income", "savings", "debt"]
        )
    fam["organization"] = fam["organization_id"].map(scope.by_id)
    fam["cohort"] = pd.to_datetime(fam["joined_on"]).dt.year.astype("int64")
    fam["joined_key"] = month_keys(fam["joined_on"])
    fam["line"] = _poverty_line(fam["household_size"])
    start = fam.assign(
        bucket="start",
        order=0,
        high=-1,
        income=fam["baseline_monthly_income"],
        savings=fam["baseline_savings"],
        debt=fam["baseline_debt"],
    )
    journals = inputs.journals.merge(
        fam[["family_id", "organization", "cohort", "joined_key", "line"]], on="family_id"
    )
    journals["since"] = month_keys(journals["period"]) - journals["joined_key"].to_numpy()
    journals = journals[journals["since"] >= 0]
    spans = BUCKETS[1:]
    lows = np.array([b.low for b in spans])
    position = np.searchsorted(lows, journals["since"].to_numpy(), side="right") - 1
    journals = journals.assign(
        bucket=[spans[p].key for p in position],
        order=position + 1,
        high=[spans[p].high for p in position],
    )
    keys = ["family_id", "organization", "cohort", "bucket", "order", "high", "joined_key", "line"]
    means = journals.groupby(keys, sort=False)[["income", "savings", "debt"]].mean().reset_index()
    columns = [*keys, "income", "savings", "debt"]
    both = pd.concat([start[columns], means[columns]], ignore_index=True)
    both = both[both["income"].notna()].copy()
    both["above"] = both["income"] > both["line"]
    first_goal = _first_goal_keys(inputs.goals)
    reached_key = both["family_id"].map(first_goal).astype("float64") - both["joined_key"]
    both["reached"] = (both["bucket"] != "start") & (reached_key <= both["high"])
    return both.sort_values(["order", "cohort"], kind="stable")


def _trajectory_cell(part: pd.DataFrame) -> dict[str, Any]:
    n = len(part)
    above, reached = int(part["above"].sum()), int(part["reached"].sum())
    return {
        "n": n,
        "above": above,
        "reached": reached,
        "median_income": median_of(part["income"]),
        "median_savings": median_of(part["savings"]),
        "n_savings": int(part["savings"].notna().sum()),
        "median_debt": median_of(part["debt"]),
        "n_debt": int(part["debt"].notna().sum()),
    }


def _status_rows(cell: dict[str, Any]) -> list[dict[str, Any]]:
    keys = {k: cell[k] for k in ("organization", "cohort", "bucket")}
    n, above, reached = cell["n"], cell["above"], cell["reached"]
    blank = {
        "median_income": math.nan,
        "median_savings": math.nan,
        "median_debt": math.nan,
        "n_income": 0,
        "n_savings": 0,
        "n_debt": 0,
    }
    whole = {
        "median_income": cell["median_income"],
        "median_savings": cell["median_savings"],
        "median_debt": cell["median_debt"],
        "n_income": n,
        "n_savings": cell["n_savings"],
        "n_debt": cell["n_debt"],
    }
    return [
        {**keys, "status": ALL, "families": n, **whole},
        {**keys, "status": ABOVE, "families": above, **blank},
        {**keys, "status": BELOW, "families": n - above, **blank},
        {**keys, "status": REACHED, "families": reached, **blank},
        {**keys, "status": NOT_REACHED, "families": n - reached, **blank},
    ]


TRAJECTORY_DIMS = ("organization", "cohort", "bucket", "status")
_TRAJECTORY_STATS = (
    *("median_income", "median_savings", "median_debt"),
    *("n_income", "n_savings", "n_debt"),
)


def trajectories_table(inputs: Inputs, scope: Scope, organizations: Published) -> Published:
    """Medians, poverty and goals by organization, cohort and months since joining."""
    spans = family_buckets(inputs, scope)
    dims = TRAJECTORY_DIMS[:3]
    pooled = spans[spans["organization"].isin(scope.included)]
    cells = cells_by(spans, ["organization", "cohort", "bucket"], dims, _trajectory_cell)
    cells += cells_by(spans, ["organization", "bucket"], dims, _trajectory_cell)
    cells += cells_by(pooled, ["cohort", "bucket"], dims, _trajectory_cell)
    cells += cells_by(pooled, ["bucket"], dims, _trajectory_cell)
    if not scope.one_currency:
        for cell in cells:
            if cell["organization"] == TOTAL:
                cell.update(median_income=math.nan, median_savings=math.nan, median_debt=math.nan)
    order = {b.key: i for i, b in enumerate(BUCKETS)}
    cells.sort(key=lambda c: (order[c["bucket"]], str(c["cohort"])))
    rows = [row for cell in cells for row in _status_rows(cell)]
    frame = pd.DataFrame(rows, columns=[*TRAJECTORY_DIMS, "families", *_TRAJECTORY_STATS])
    # The families at joining are the families of the organizations table: the same cells.
    locked: dict[Key, bool] = {
        (org, TOTAL, "start", ALL): hidden
        for (org, status), hidden in organizations.hidden.items()
        if status == ALL
    }
    table = Table(
        "trajectories",
        frame,
        TRAJECTORY_DIMS,
        (
            scope.org_margin(),
            Margin("cohort"),
            Margin("status", ALL, (ABOVE, BELOW)),
            Margin("status", ALL, (REACHED, NOT_REACHED)),
        ),
        stats={
            "median_income": Stat("n_income"),
            "median_savings": Stat("n_savings"),
            "median_debt": Stat("n_debt"),
        },
    )
    return scope.publish(table, locked)


# --- mutuality --------------------------------------------------------------------------------


# Help is contributed twice: given by its givers and received by its receivers.
HELP_SIDES = ("giver", "receiver")
HELP_AMOUNTS = {"hours": "hours", "value": "amount"}  # published column: column of help rows
HELP_CONTRIBUTORS = [f"{c}_by_{side}" for c in HELP_AMOUNTS for side in HELP_SIDES]


def _help_cell(part: pd.DataFrame) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "families": len(set(part["giver"]) | set(part["receiver"])),
        "exchanges": len(part),
    }
    for column, source in HELP_AMOUNTS.items():
        cell[column] = float(part[source].sum())
        for side in HELP_SIDES:
            cell[f"{column}_by_{side}"] = largest(part.groupby(side)[source].sum())
    return cell


MUTUALITY_COLUMNS = [
    *("organization", "kind", "families", "exchanges", "hours", "value"),
    *HELP_CONTRIBUTORS,
]


def mutuality_table(inputs: Inputs, scope: Scope) -> Published:
    """Hours and money of help between families, by organization and kind of help."""
    help_rows = inputs.help.copy()
    if help_rows.empty:
        help_rows = pd.DataFrame(columns=["organization_id", "giver", "receiver", "kind"])
        help_rows["hours"] = pd.Series(dtype="float64")
        help_rows["amount"] = pd.Series(dtype="float64")
    help_rows["organization"] = help_rows["organization_id"].map(scope.by_id)
    dims = ("organization", "kind")
    pooled = help_rows[help_rows["organization"].isin(scope.included)]
    found = cells_by(help_rows, ["organization", "kind"], dims, _help_cell)
    found += cells_by(help_rows, ["organization"], dims, _help_cell)
    found += cells_by(pooled, ["kind"], dims, _help_cell)
    found += cells_by(pooled, [], dims, _help_cell)
    by_key = {(r["organization"], r["kind"]): r for r in found}
    zero: dict[str, Any] = {"families": 0, "exchanges": 0, "hours": 0.0, "value": 0.0}
    zero.update({c: [] for c in HELP_CONTRIBUTORS})
    slugs = [o.slug for o in scope.organizations] + ([TOTAL] if scope.included else [])
    kinds = [*HelpKind.values, TOTAL]
    rows = [
        by_key.get((org, kind), {"organization": org, "kind": kind, **zero})
        for org in slugs
        for kind in kinds
    ]
    if not scope.one_currency:
        for row in rows:
            if row["organization"] == TOTAL:
                row["value"] = math.nan
    table = Table(
        "mutuality",
        pd.DataFrame(rows, columns=MUTUALITY_COLUMNS),
        dims,
        (scope.org_margin(), Margin("kind")),
        counts=("exchanges",),
        amounts={
            column: Amount(contributors=tuple(f"{column}_by_{side}" for side in HELP_SIDES))
            for column in HELP_AMOUNTS
        },
    )
    return scope.publish(table)


# --- capital ----------------------------------------------------------------------------------

MONEY_COLUMNS = ("committed", "paid", "repaid", "arrears")
# Per money column, the provider's largest amounts a single recipient holds: its contributors.
TOPS = {m: f"top_{m}" for m in MONEY_COLUMNS}


def _capital_rows(inputs: Inputs, scope: Scope) -> list[dict[str, Any]]:
    rows = []
    for figure in inputs.capital:
        org = scope.by_id.get(figure["organization_id"])
        if org is None:
            continue
        program = figure["program_id"] if figure["program_id"] is not None else TOTAL
        rows.append(
            {
                "organization": org,
                "program": program,
                "families": int(figure["families"]),
                **{m: float(figure[m]) for m in (*MONEY_COLUMNS, "costs")},
                **{top: list(figure[top]) for top in TOPS.values()},
            }
        )
    return rows


def _pooled_capital(rows: list[dict[str, Any]], scope: Scope) -> dict[str, Any] | None:
    totals = [r for r in rows if r["program"] == TOTAL and r["organization"] in scope.included]
    if not totals or not scope.one_currency:
        return None
    pooled: dict[str, Any] = {"organization": TOTAL, "program": TOTAL}
    pooled["families"] = sum(r["families"] for r in totals)
    for column in (*MONEY_COLUMNS, "costs"):
        pooled[column] = sum(r[column] for r in totals)
    for column in TOPS.values():
        pooled[column] = largest(chain.from_iterable(r[column] for r in totals))
    return pooled


def capital_table(inputs: Inputs, scope: Scope) -> Published:
    """Capital committed, paid, repaid and in arrears, by organization and program."""
    rows = _capital_rows(inputs, scope)
    if (pooled := _pooled_capital(rows, scope)) is not None:
        rows.append(pooled)
    columns = ["organization", "program", "families", *MONEY_COLUMNS, *TOPS.values()]
    table = Table(
        "capital",
        pd.DataFrame(rows, columns=columns),
        ("organization", "program"),
        (scope.org_margin(), Margin("program")),
        amounts={m: Amount(contributors=(top,)) for m, top in TOPS.items()},
    )
    return scope.publish(table)


def program_labels(inputs: Inputs) -> dict[Hashable, tuple[str, str]]:
    """Return each program's name and kind by id."""
    return {
        r["program_id"]: (r["program"], r["kind"])
        for r in inputs.capital
        if r["program_id"] is not None
    }


# --- positive deviants ------------------------------------------------------------------------


def _deviant_cell(part: pd.DataFrame) -> dict[str, Any]:
    return {
        "families": len(part),
        "median_growth": median_of(part["growth"]),
        "n_growth": int(part["growth"].notna().sum()),
        "median_peer_growth": median_of(part["peer_median_growth"]),
        "n_peer_growth": int(part["peer_median_growth"].notna().sum()),
    }


def deviants_table(inputs: Inputs, scope: Scope) -> Published:
    """Positive deviants of the latest nightly run, their growth and their peers' growth."""
    shots = inputs.snapshots.copy()
    shots["organization"] = shots["organization_id"].map(scope.by_id)
    shots = shots[shots["growth"].notna() & ~shots["too_small"].astype(bool)]
    shots["status"] = np.where(shots["deviant"].astype(bool), DEVIANT, OTHER)
    with_runs = sorted(set(inputs.snapshots["organization_id"].map(scope.by_id).dropna()))
    included = [o for o in scope.included if o in with_runs]
    dims = ("organization", "status")
    pooled = shots[shots["organization"].isin(included)]
    found = cells_by(shots, ["organization", "status"], dims, _deviant_cell)
    found += cells_by(shots, ["organization"], dims, _deviant_cell)
    found += cells_by(pooled, ["status"], dims, _deviant_cell)
    found += cells_by(pooled, [], dims, _deviant_cell)
    by_key = {(r["organization"], r["status"]): r for r in found}
    empty = {"families": 0, "median_growth": math.nan, "n_growth": 0}
    empty.update(median_peer_growth=math.nan, n_peer_growth=0)
    slugs = [o.slug for o in scope.organizations if o.slug in with_runs]
    slugs += [TOTAL] if included else []
    rows = []
    for org in slugs:
        for status in (TOTAL, DEVIANT, OTHER):
            row = by_key.get((org, status), {"organization": org, "status": status, **empty})
            rows.append({**row, "status": RANKED if status == TOTAL else status})
    columns = ["organization", "status", "families", "median_growth", "n_growth"]
    columns += ["median_peer_growth", "n_peer_growth"]
    table = Table(
        "deviants",
        pd.DataFrame(rows, columns=columns),
        dims,
        (
            Margin("organization", TOTAL, tuple(included)),
            Margin("status", RANKED, (DEVIANT, OTHER)),
        ),
        stats={
            "median_growth": Stat("n_growth", 1.0),
            "median_peer_growth": Stat("n_peer_growth", 1.0),
        },
    )
    return scope.publish(table)


# --- cost-effectiveness -----------------------------------------------------------------------


def _family_months(inputs: Inputs, scope: Scope) -> dict[str, int]:
    """Return, per organization, the months its counted families have been with it."""
    fam = inputs.families
    if fam.empty:
        return {}
    now = {o.pk: month_key(month_start(o.today())) for o in scope.organizations}
    months = fam["organization_id"].map(now) - month_keys(fam["joined_on"]) + 1
    months = months.clip(lower=0)
    totals = months.groupby(fam["organization_id"].map(scope.by_id)).sum()
    return {org: int(n) for org, n in totals.items()}


def _cost_row(
    org: Hashable, families: int, months: int, capital: dict[str, Any] | None, stipends: pd.Series
) -> dict[str, Any]:
    capital = capital or {"paid": 0.0, "costs": 0.0, "top_paid": []}
    top_paid, top_stipends = largest(capital["top_paid"]), largest(stipends)
    stipend_total = float(stipends.sum())
    return {
        "organization": org,
        "families": families,
        "family_months": months,
        "running_costs": capital["costs"],
        "capital_paid": capital["paid"],
        "stipends_paid": stipend_total,
        "total_spent": capital["costs"] + capital["paid"] + stipend_total,
        "top_paid": top_paid,
        "top_stipends": top_stipends,
        # A family may hold both capital and stipends: the two largest of each, added, bound
        # what the two largest families hold of the total from above.
        "top_spent": [sum(top_paid) + sum(top_stipends)] if top_paid or top_stipends else [],
    }


COST_AMOUNTS = {
    "running_costs": Amount(contributors=()),  # what running a program costs: no family's money
    "capital_paid": Amount(contributors=("top_paid",)),
    "stipends_paid": Amount(contributors=("top_stipends",)),
    "total_spent": Amount(contributors=("top_spent",)),
}
COST_SUMS = tuple(COST_AMOUNTS)


def costs_table(inputs: Inputs, scope: Scope, capital: Published) -> Published:
    """Of every dollar spent, the share that reached families directly; cost per family-month."""
    months = _family_months(inputs, scope)
    capital_rows = {
        r["organization"]: r for r in _capital_rows(inputs, scope) if r["program"] == TOTAL
    }
    stipends = inputs.stipends.assign(
        organization=inputs.stipends["organization_id"].map(scope.by_id)
    )
    rows = []
    for org in scope.organizations:
        mine = stipends[stipends["organization"] == org.slug]["total"]
        rows.append(
            _cost_row(
                org.slug,
                scope.counts.get(org.slug, 0),
                months.get(org.slug, 0),
                capital_rows.get(org.slug),
                mine,
            )
        )
    if scope.included and scope.one_currency:
        pooled_capital = _pooled_capital(list(capital_rows.values()), scope)
        mine = stipends[stipends["organization"].isin(scope.included)]["total"]
        rows.append(
            _cost_row(
                TOTAL,
                sum(scope.counts.get(o, 0) for o in scope.included),
                sum(months.get(o, 0) for o in scope.included),
                pooled_capital,
                mine,
            )
        )
    frame = pd.DataFrame(rows)
    # Capital paid hidden in the capital table stays hidden here, whatever the reason.
    frame["sensitive"] = [capital.hidden.get((org, TOTAL), False) for org in frame["organization"]]
    table = Table(
        "costs",
        frame,
        ("organization",),
        (scope.org_margin(),),
        counts=("family_months",),
        amounts=COST_AMOUNTS,
        ratios={
            "share_to_families": Ratio(("capital_paid", "stipends_paid"), "total_spent"),
            "cost_per_family_month": Ratio(("total_spent",), "family_months", 1.0),
        },
        sensitive="sensitive",
    )
    return scope.publish(table)
