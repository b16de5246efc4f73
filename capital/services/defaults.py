"""The default programs and their readiness rules, installed for a new organization."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from fii.models import Organization

from ..metrics import Subject
from ..models import Program, ProgramKind, ReadinessRule


@dataclass(frozen=True)
class DefaultRule:
    metric: str
    operator: str
    threshold: float
    label_en: str
    label_es: str


@dataclass(frozen=True)
class DefaultProgram:
    name: str
    kind: str
    subject: str
    budget_usd: str
    description: str
    rules: tuple[DefaultRule, ...]


R = DefaultRule

DEFAULT_PROGRAMS: tuple[DefaultProgram, ...] = (
    DefaultProgram(
        "Education scholarship",
        ProgramKind.SCHOLARSHIP,
        Subject.FAMILY,
        "50000",
        "Tuition, books and fees for a family member's school or training.",
        (
            R("months_reported", ">=", 6, "Reported at least 6 months", "Reportó al menos 6 meses"),
            R(
                "consecutive_months",
                ">=",
                3,
                "Reported at least 3 months in a row",
                "Reportó al menos 3 meses seguidos",
            ),
            R(
                "income_slope_12m",
                ">",
                0,
                "Monthly income has been growing",
                "El ingreso mensual ha ido creciendo",
            ),
        ),
    ),
    DefaultProgram(
        "Business loan",
        ProgramKind.BUSINESS_LOAN,
        Subject.FAMILY,
        "100000",
        "A low-interest loan to start or grow a family business.",
        (
            R(
                "income_change_pct",
                ">=",
                10,
                "Income up at least 10% since joining",
                "Ingreso al menos 10% más alto que al unirse",
            ),
            R(
                "debt_to_income",
                "<=",
                1.5,
                "Debt at most 1.5 times monthly income",
                "Deuda de no más de 1,5 veces el ingreso mensual",
            ),
            R("months_reported", ">=", 9, "Reported at least 9 months", "Reportó al menos 9 meses"),
        ),
    ),
    DefaultProgram(
        "Matched savings",
        ProgramKind.MATCHED_SAVINGS,
        Subject.FAMILY,
        "30000",
        "Every dollar saved toward a goal is matched, up to a limit.",
        (
            R(
                "savings_rate",
                ">=",
                0.05,
                "Saving at least 5% of income",
                "Ahorra al menos el 5% del ingreso",
            ),
            R(
                "consecutive_months",
                ">=",
                6,
                "Reported at least 6 months in a row",
                "Reportó al menos 6 meses seguidos",
            ),
        ),
    ),
    DefaultProgram(
        "Positive-deviant grant",
        ProgramKind.GRANT,
        Subject.FAMILY,
        "20000",
        "A grant for families whose progress clearly stands out among similar families.",
        (
            R(
                "is_positive_deviant",
                "==",
                1,
                "Income growing clearly faster than similar families",
                "Ingreso creciendo claramente más rápido que familias similares",
            ),
        ),
    ),
    DefaultProgram(
        "Group fund",
        ProgramKind.GROUP_FUND,
        Subject.GROUP,
        "25000",
        "A fund a group of families manages together for a shared project.",
        (
            R(
                "share_reporting",
                ">=",
                0.75,
                "At least 3 in 4 families reported last month",
                "Al menos 3 de cada 4 familias reportaron el mes pasado",
            ),
            R(
                "help_hours_within_group",
                ">=",
                20,
                "At least 20 hours of help within the group",
                "Al menos 20 horas de ayuda dentro del grupo",
            ),
        ),
    ),
)


def _install_program(*, organization: Organization, default: DefaultProgram) -> bool:
    """Create one default program with its rules unless one of that name exists."""
    program, created = Program.objects.for_org(organization).get_or_create(
        organization=organization,
        name=default.name,
        defaults={
            "kind": default.kind,
            "subject": default.subject,
            "budget": Decimal(default.budget_usd),
            "currency": "USD",
            "description": default.description,
        },
    )
    if created:
        for position, rule in enumerate(default.rules):
            ReadinessRule.objects.create(
                organization=organization,
                program=program,
                metric=rule.metric,
                operator=rule.operator,
                threshold=rule.threshold,
                label_en=rule.label_en,
                label_es=rule.label_es,
                position=position,
            )
    return created


@transaction.atomic
def programs_install_defaults(*, organization: Organization) -> int:
    """Create the default programs and rules the organization lacks; return how many programs."""
    # A program that exists by name is left alone: the organization may have edited its rules.
    return sum(
        _install_program(organization=organization, default=default) for default in DEFAULT_PROGRAMS
    )
