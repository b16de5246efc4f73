"""The capital figures funders see: aggregated by organization and program, never per family.

Registered with ``insights.providers`` in ``CapitalConfig.ready()``; the funder pages of insights
publish these rows through ``insights.anonymize`` (suppression, dominance, rounding). The money
definitions are those of the staff console (``capital.selectors.program_budgets``):

- committed: every payment not cancelled (a failed one is still owed) and every loan not
  cancelled;
- paid: payments paid, and loans not cancelled whose money went out (started by today);
- repaid: every repayment on those loans;
- arrears: what loan schedules asked for by today and was not repaid (active loans only);
- costs: what running the program, or the organization (no program), cost.

Each money figure comes with ``top_<figure>``: the two largest amounts a single recipient holds
of it, for the dominance rule (they are never shown). A figure added to ``MONEY`` gets its own.

Only families counted for funders are included (``insights.anonymize.reporting_families``);
money to a group is included, with the group's counted families as the families behind it.
Five queries, however many organizations, families and payments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from fii.models import Organization
from insights.anonymize import reporting_families
from insights.providers import register_capital_provider

from .models import (
    Disbursement,
    DisbursementStatus,
    Loan,
    Program,
    ProgramCost,
    ProgramKind,
)
from .selectors import loan_line, repaid_total

TOP = 2
# The money figures of families, each summed by recipient so its largest holders are known.
MONEY = ("committed", "paid", "repaid", "arrears")

Recipient = tuple[str, int]


def _by_recipient() -> dict[str, dict[Recipient, Decimal]]:
    return {m: defaultdict(Decimal) for m in MONEY}


@dataclass
class _Figures:
    """Money of one organization and program (or all its programs), by recipient."""

    recipients: set[Recipient] = field(default_factory=set)
    money: dict[str, dict[Recipient, Decimal]] = field(default_factory=_by_recipient)
    costs: Decimal = Decimal("0")

    def add(self, who: Recipient, **amounts: Decimal) -> None:
        self.recipients.add(who)
        for figure, amount in amounts.items():
            self.money[figure][who] += amount


def _top(amounts: dict[Recipient, Decimal]) -> list[float]:
    return sorted((float(v) for v in amounts.values() if v > 0), reverse=True)[:TOP]


def _families(recipients: set[Recipient], groups: dict[int, set[int]]) -> int:
    ids = {i for kind, i in recipients if kind == "family"}
    for kind, i in recipients:
        if kind == "group":
            ids |= groups.get(i, set())
    return len(ids)


def _loans(organizations: list[Organization], counted: Any) -> list[Loan]:
    return list(
        Loan.objects.filter(organization__in=organizations, family__in=counted)
        .committed()
        .only(
            "organization_id",
            "program_id",
            "family_id",
            "principal",
            "annual_rate",
            "term_months",
            "start_on",
            "status",
        )
        .annotate(repaid=repaid_total())
        .order_by()
    )


def _collect(
    organizations: list[Organization], counted: Any
) -> dict[tuple[int, int | None], _Figures]:
    today: dict[int, date] = {o.pk: o.today() for o in organizations}
    figures: dict[tuple[int, int | None], _Figures] = defaultdict(_Figures)
    payments = (
        Disbursement.objects.filter(organization__in=organizations)
        .committed()
        .filter(Q(family__isnull=True) | Q(family__in=counted))
        .values_list("organization_id", "program_id", "family_id", "group_id", "amount", "status")
        .order_by()
    )
    for org_id, program_id, family_id, group_id, amount, status in payments:
        who: Recipient = ("family", family_id) if family_id else ("group", group_id)
        paid = amount if status == DisbursementStatus.PAID else Decimal("0")
        for key in ((org_id, program_id), (org_id, None)):
            figures[key].add(who, committed=amount, paid=paid)
    for loan in _loans(organizations, counted):
        line = loan_line(loan, today[loan.organization_id])
        paid = loan.principal if loan.start_on <= line.today else Decimal("0")
        for key in ((loan.organization_id, loan.program_id), (loan.organization_id, None)):
            figures[key].add(
                ("family", loan.family_id),
                committed=loan.principal,
                paid=paid,
                repaid=loan.repaid,  # type: ignore[attr-defined]
                arrears=line.arrears,
            )
    costs = (
        ProgramCost.objects.filter(organization__in=organizations)
        .values("organization_id", "program_id")
        .annotate(total=Sum("amount"))
        .values_list("organization_id", "program_id", "total")
        .order_by()
    )
    for org_id, program_id, total in costs:
        if program_id is not None:
            figures[(org_id, program_id)].costs += total
        figures[(org_id, None)].costs += total
    return figures


def capital_figures(*, organizations: Iterable[Organization]) -> list[dict[str, Any]]:
    """Return committed, paid, repaid, arrears and costs by organization and program.

    Each money figure comes with the two largest amounts one recipient holds of it.
    """
    organizations = list(organizations)
    if not organizations:
        return []
    counted = reporting_families(organizations=organizations)
    groups: dict[int, set[int]] = defaultdict(set)
    for family_id, group_id in counted.filter(group__isnull=False).values_list("id", "group_id"):
        groups[group_id].add(family_id)
    figures = _collect(organizations, counted)
    programs = Program.objects.filter(organization__in=organizations).values_list(
        "id", "organization_id", "name", "kind"
    )
    rows: list[dict[str, Any]] = []
    kinds = dict(ProgramKind.choices)
    keys: list[tuple[int, int | None, str, str]] = [
        (org_id, pk, name, str(kinds.get(kind, kind)))
        for pk, org_id, name, kind in programs.order_by("name", "pk")
    ]
    keys += [(o.pk, None, "", "") for o in organizations]
    for org_id, program_id, name, kind in keys:
        money = figures.get((org_id, program_id)) or _Figures()
        rows.append(
            {
                "organization_id": org_id,
                "program_id": program_id,
                "program": name,
                "kind": kind,
                "families": _families(money.recipients, groups),
                **{m: float(sum(money.money[m].values(), Decimal("0"))) for m in MONEY},
                "costs": float(money.costs),
                **{f"top_{m}": _top(money.money[m]) for m in MONEY},
            }
        )
    return rows


def register_provider() -> None:
    """Offer these figures to the funder pages of insights (called from CapitalConfig.ready)."""
    register_capital_provider(capital_figures)
