"""Figures other apps offer the funder pages, registered when those apps start.

insights never imports capital (capital depends on insights), so capital registers a function
here from its ``AppConfig.ready()``, and the funder pages call :func:`capital_figures`.

A capital provider takes ``organizations`` (keyword) and returns aggregated rows, never one per
family: one row per organization and program, and one per organization with ``program_id``
None for all its programs together (and for running costs not tied to a program). Each row has

- ``organization_id``, ``program_id``, ``program`` (its name), ``kind`` (in words);
- ``families``: how many families the figures are about (recipients, and the counted families
  of recipient groups); only families counted for funders
  (``insights.anonymize.reporting_families``);
- ``committed``, ``paid``, ``repaid``, ``arrears``, ``costs``: money, as floats;
- ``top_committed``, ``top_paid``, ``top_repaid``, ``top_arrears``: the two largest amounts a
  single recipient holds of each money figure, for the dominance rule (they are never shown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

CapitalProvider = Callable[..., Sequence[dict[str, Any]]]

_providers: dict[str, CapitalProvider] = {}

CAPITAL_FIELDS = (
    "organization_id",
    "program_id",
    "program",
    "kind",
    "families",
    "committed",
    "paid",
    "repaid",
    "arrears",
    "costs",
    "top_committed",
    "top_paid",
    "top_repaid",
    "top_arrears",
)


def register_capital_provider(fn: CapitalProvider) -> None:
    """Register the function that gives capital figures to funder pages (the last one wins)."""
    _providers["capital"] = fn


def unregister_capital_provider() -> None:
    """Forget the capital provider (for tests)."""
    _providers.pop("capital", None)


def capital_figures(*, organizations: Iterable[Any]) -> list[dict[str, Any]]:
    """Return the registered provider's rows for the organizations; empty when none registered."""
    provider = _providers.get("capital")
    organizations = list(organizations)
    if provider is None or not organizations:
        return []
    rows = [dict(row) for row in provider(organizations=organizations)]
    for row in rows:
        missing = [f for f in CAPITAL_FIELDS if f not in row]
        if missing:
            raise ValueError(f"capital provider row lacks {', '.join(missing)}")
    return rows
