"""The default indicator catalog, shipped as data.

Every built-in indicator is stored in a float column of JournalEntry named by its code; an
organization's own indicators live in JournalEntry.extra. Each organization gets a copy of this
catalog (journals.services.catalog_install), which it may switch on and off and extend.
"""

from __future__ import annotations

from dataclasses import dataclass


class Domain:
    INCOME = "income"
    SAVINGS = "savings"
    DEBT = "debt"
    ASSETS = "assets"
    WORK = "work"
    EDUCATION = "education"
    HEALTH = "health"
    HOUSING = "housing"
    NETWORK = "network"
    LEADERSHIP = "leadership"


DOMAIN_ORDER = [
    Domain.INCOME,
    Domain.SAVINGS,
    Domain.DEBT,
    Domain.ASSETS,
    Domain.WORK,
    Domain.EDUCATION,
    Domain.HEALTH,
    Domain.HOUSING,
    Domain.NETWORK,
    Domain.LEADERSHIP,
]


class Kind:
    MONEY = "money"
    COUNT = "count"
    HOURS = "hours"
    YESNO = "yesno"
    CHOICE = "choice"
    SCALE = "scale"


# Sensible bounds per kind; an indicator may narrow them. Money is per month, in the
# organization's currency; hours are per month unless the label says otherwise.
KIND_BOUNDS: dict[str, tuple[float, float]] = {
    Kind.MONEY: (0, 10_000_000),
    Kind.COUNT: (0, 100),
    Kind.HOURS: (0, 744),
    Kind.YESNO: (0, 1),
    Kind.CHOICE: (0, 100),
    Kind.SCALE: (1, 5),
}


@dataclass(frozen=True)
class BuiltIn:
    code: str
    domain: str
    kind: str
    label_en: str
    label_es: str
    help_en: str = ""
    help_es: str = ""
    max_value: float | None = None


M, C, H, Y, S = Kind.MONEY, Kind.COUNT, Kind.HOURS, Kind.YESNO, Kind.SCALE
D = Domain

BUILTINS: list[BuiltIn] = [
    BuiltIn(
        "income_wages",
        D.INCOME,
        M,
        "Wages and salaries",
        "Sueldos y salarios",
        "Take-home pay of all adults this month.",
        "Pago neto de todos los adultos este mes.",
    ),
    BuiltIn(
        "income_business",
        D.INCOME,
        M,
        "Business and self-employment income",
        "Ingresos de negocio o trabajo por cuenta propia",
        "What the business brought home after its costs.",
        "Lo que el negocio dejó para la casa después de sus gastos.",
    ),
    BuiltIn(
        "income_benefits",
        D.INCOME,
        M,
        "Public benefits",
        "Ayudas públicas",
        "Food assistance, tax credits, disability, unemployment.",
        "Ayuda alimentaria, créditos fiscales, discapacidad, desempleo.",
    ),
    BuiltIn(
        "income_other",
        D.INCOME,
        M,
        "Other income",
        "Otros ingresos",
        "Child support, gifts, rent from a room.",
        "Manutención, regalos, renta de un cuarto.",
    ),
    BuiltIn(
        "savings_balance",
        D.SAVINGS,
        M,
        "Total savings",
        "Ahorros totales",
        "Everything saved: bank, cash, savings circle.",
        "Todo lo ahorrado: banco, efectivo, tanda.",
    ),
    BuiltIn("savings_deposited", D.SAVINGS, M, "Saved this month", "Ahorrado este mes"),
    BuiltIn(
        "debt_total",
        D.DEBT,
        M,
        "Total debt owed",
        "Deuda total",
        "Cards, loans, medical bills, money owed to people.",
        "Tarjetas, préstamos, cuentas médicas, dinero que se debe a personas.",
    ),
    BuiltIn("debt_payments", D.DEBT, M, "Debt payments this month", "Pagos de deuda este mes"),
    BuiltIn(
        "debt_high_interest",
        D.DEBT,
        M,
        "Payday or high-interest loans",
        "Préstamos de día de pago o de alto interés",
    ),
    BuiltIn("debt_overdue_bills", D.DEBT, Y, "Some bills are overdue", "Hay cuentas atrasadas"),
    BuiltIn("assets_home_owned", D.ASSETS, Y, "We own our home", "Somos dueños de la vivienda"),
    BuiltIn(
        "assets_vehicle",
        D.ASSETS,
        Y,
        "We have a working vehicle",
        "Tenemos un vehículo que funciona",
    ),
    BuiltIn(
        "assets_business_value",
        D.ASSETS,
        M,
        "Value of business equipment and stock",
        "Valor del equipo y la mercancía del negocio",
    ),
    BuiltIn(
        "work_adults_employed",
        D.WORK,
        C,
        "Adults with paid work",
        "Adultos con trabajo pagado",
        max_value=20,
    ),
    BuiltIn(
        "work_hours_week",
        D.WORK,
        H,
        "Paid hours per week, all adults",
        "Horas pagadas por semana, todos los adultos",
        max_value=168 * 4,
    ),
    BuiltIn(
        "work_business_owner",
        D.WORK,
        Y,
        "Someone in the family runs a business",
        "Alguien de la familia tiene un negocio",
    ),
    BuiltIn(
        "education_children_enrolled",
        D.EDUCATION,
        C,
        "Children enrolled in school",
        "Niños inscritos en la escuela",
        max_value=20,
    ),
    BuiltIn(
        "education_adults_training",
        D.EDUCATION,
        C,
        "Adults in classes or training",
        "Adultos en clases o capacitación",
        max_value=20,
    ),
    BuiltIn(
        "education_school_going",
        D.EDUCATION,
        S,
        "How school is going (1 poor, 5 great)",
        "Cómo va la escuela (1 mal, 5 muy bien)",
    ),
    BuiltIn(
        "health_insured", D.HEALTH, Y, "Everyone has health coverage", "Todos tienen seguro médico"
    ),
    BuiltIn(
        "health_rating",
        D.HEALTH,
        S,
        "Household health (1 poor, 5 great)",
        "Salud de la familia (1 mala, 5 muy buena)",
    ),
    BuiltIn(
        "health_clinic_visits",
        D.HEALTH,
        C,
        "Doctor or clinic visits",
        "Visitas al médico o clínica",
    ),
    BuiltIn("housing_cost", D.HOUSING, M, "Rent or mortgage", "Renta o hipoteca"),
    BuiltIn(
        "housing_secure",
        D.HOUSING,
        Y,
        "Our housing is secure for the next 3 months",
        "Nuestra vivienda está asegurada por 3 meses",
    ),
    BuiltIn("housing_moved", D.HOUSING, Y, "We moved this month", "Nos mudamos este mes"),
    BuiltIn(
        "network_meetings",
        D.NETWORK,
        C,
        "Group meetings attended",
        "Reuniones del grupo a las que asistimos",
    ),
    BuiltIn(
        "network_new_contacts",
        D.NETWORK,
        C,
        "New people we can count on",
        "Personas nuevas con las que contamos",
    ),
    BuiltIn(
        "leadership_roles",
        D.LEADERSHIP,
        C,
        "Leadership roles (school, church, boards)",
        "Cargos de liderazgo (escuela, iglesia, juntas)",
        max_value=20,
    ),
    BuiltIn(
        "leadership_volunteer_hours",
        D.LEADERSHIP,
        H,
        "Volunteer hours in the community",
        "Horas de voluntariado en la comunidad",
    ),
    BuiltIn(
        "leadership_events",
        D.LEADERSHIP,
        C,
        "Community events organized or spoken at",
        "Eventos comunitarios organizados o donde hablamos",
    ),
]

BUILTIN_CODES: list[str] = [b.code for b in BUILTINS]
INCOME_COLUMNS: list[str] = [b.code for b in BUILTINS if b.domain == D.INCOME]
