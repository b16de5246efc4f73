"""Read what the funder tables need, per family or per row, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum

from fii.models import Organization
from journals.models import (
    EntryStatus,
    Goal,
    GoalStatus,
    HelpExchange,
    JournalEntry,
    Stipend,
    StipendStatus,
)
from journals.periods import add_months, month_start

from ..anonymize import (
    reporting_families,
)
from ..loader import read_frame, total_income
from ..models import AggregationRun, FamilySnapshot, RunStatus
from ..pgcopy import Col
from ..providers import capital_figures
from .constants import HELP_MONTHS

FAMILY_INPUTS = [
    Col("family_id", "int8"),
    Col("organization_id", "int8"),
    Col("joined_on", "date"),
    Col("household_size", "int4"),
    Col("baseline_monthly_income", "float8"),
    Col("baseline_savings", "float8"),
    Col("baseline_debt", "float8"),
]
JOURNAL_INPUTS = [
    Col("family_id", "int8"),
    Col("period", "date"),
    Col("income", "float8"),
    Col("savings", "float8"),
    Col("debt", "float8"),
]


@dataclass(frozen=True)
class Inputs:
    """Everything the tables need, per family or per row, read in a fixed number of queries."""

    organizations: list[Organization]
    families: pd.DataFrame
    reported: dict[int, int]
    journals: pd.DataFrame
    goals: pd.DataFrame
    help: pd.DataFrame
    snapshots: pd.DataFrame
    stipends: pd.DataFrame
    capital: list[dict[str, Any]]


def month_key(day: Any) -> int:
    """Return months since year 0 of a date: consecutive months have consecutive keys."""
    return int(day.year) * 12 + int(day.month) - 1


def month_keys(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values)
    return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype="int64")


def last_month(organization: Organization) -> date:
    """Return the first day of the organization's last complete month."""
    return add_months(month_start(organization.today()), -1)


def reported_last_month(
    organizations: list[Organization], counted: QuerySet[Any]
) -> dict[int, int]:
    """Count, per organization, counted families that submitted last month's journal."""
    rows = (
        JournalEntry.objects.filter(
            organization__in=organizations,
            status=EntryStatus.SUBMITTED,
            family__in=counted,
            period__in={last_month(o) for o in organizations},
        )
        .values_list("organization_id", "period")
        .annotate(n=Count("id"))
        .order_by()
    )
    wanted = {o.pk: last_month(o) for o in organizations}
    return {org: n for org, period, n in rows if wanted[org] == period}


def _snapshots(organizations: list[Organization], counted: QuerySet[Any]) -> pd.DataFrame:
    latest = (
        AggregationRun.objects.filter(
            organization=OuterRef("organization"), status=RunStatus.SUCCEEDED
        )
        .order_by("-as_of")
        .values("pk")[:1]
    )
    rows = (
        FamilySnapshot.objects.filter(organization__in=organizations, family__in=counted)
        .filter(run=Subquery(latest))
        .values_list(
            "organization_id",
            "growth",
            "peer_median_growth",
            "is_positive_deviant",
            "peer_too_small",
        )
        .order_by()
    )
    columns = ["organization_id", "growth", "peer_median_growth", "deviant", "too_small"]
    frame = pd.DataFrame(list(rows), columns=columns)
    for column in ("growth", "peer_median_growth"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _help(organizations: list[Organization], counted: QuerySet[Any]) -> pd.DataFrame:
    """Confirmed help between two counted families in each organization's last 12 months."""
    first = min(add_months(last_month(o), 1 - HELP_MONTHS) for o in organizations)
    rows = (
        HelpExchange.objects.filter(
            organization__in=organizations,
            confirmed_at__isnull=False,
            giver__in=counted,
            receiver__in=counted,
            period__gte=first,
        )
        .values_list(
            "organization_id", "giver_id", "receiver_id", "kind", "hours", "amount", "period"
        )
        .order_by()
    )
    columns = ["organization_id", "giver", "receiver", "kind", "hours", "amount", "period"]
    frame = pd.DataFrame(list(rows), columns=columns)
    if frame.empty:
        return frame
    window = {
        o.pk: (add_months(last_month(o), 1 - HELP_MONTHS), last_month(o)) for o in organizations
    }
    inside = [
        window[org][0] <= period <= window[org][1]
        for org, period in zip(frame["organization_id"], frame["period"], strict=True)
    ]
    frame = frame[inside].copy()
    for column in ("hours", "amount"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64").fillna(0.0)
    return frame


def load_inputs(*, organizations: Sequence[Organization]) -> Inputs:
    """Read every input of the funder tables: seven queries and capital's, whatever the size."""
    organizations = list(organizations)
    counted = reporting_families(organizations=organizations)
    families = read_frame(counted.annotate(family_id=F("id")).order_by("id"), FAMILY_INPUTS)
    journals = read_frame(
        JournalEntry.objects.filter(
            organization__in=organizations, status=EntryStatus.SUBMITTED, family__in=counted
        )
        .order_by()
        .annotate(income=total_income(), savings=F("savings_balance"), debt=F("debt_total")),
        JOURNAL_INPUTS,
    )
    goals = pd.DataFrame(
        list(
            Goal.objects.filter(
                organization__in=organizations, status=GoalStatus.ACHIEVED, family__in=counted
            )
            .values_list("family_id", "achieved_at", "created_at")
            .order_by()
        ),
        columns=["family_id", "achieved_at", "created_at"],
    )
    stipends = pd.DataFrame(
        list(
            Stipend.objects.filter(
                organization__in=organizations, status=StipendStatus.PAID, family__in=counted
            )
            .values("organization_id", "family_id")
            .annotate(total=Sum("amount"))
            .values_list("organization_id", "family_id", "total")
            .order_by()
        ),
        columns=["organization_id", "family_id", "total"],
    )
    stipends["total"] = stipends["total"].astype("float64")
    return Inputs(
        organizations=organizations,
        families=families,
        reported=reported_last_month(organizations, counted),
        journals=journals,
        goals=goals,
        help=_help(organizations, counted),
        snapshots=_snapshots(organizations, counted),
        stipends=stipends,
        capital=capital_figures(organizations=organizations),
    )
