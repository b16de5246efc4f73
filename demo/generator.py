"""Pure generation of believable demo data: numbers with numpy, rows as plain dataclasses.

Nothing here touches the database; demo.services turns the rows into model instances. Every
random draw comes from the numpy Generator passed in, so one seed gives the same data.

Families start near the federal poverty line for their household size. Most improve slowly
(a few per cent a year), about a quarter stall, and a few (about 6.5%) clearly outpace their
peers. Months have noise, some are missed, and the last one or two may still be drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from families.poverty import poverty_line_monthly
from journals.catalog import BUILTIN_CODES
from journals.periods import add_months, due_date

from . import vocabulary as words

Array = npt.NDArray[Any]

IMPROVER, STALLER, OUTPACER = 0, 1, 2
PROFILE_NAMES = ("improver", "staller", "outpacer")
OUTPACER_SHARE = 0.065
STALLER_SHARE = 0.25

GROUP_MIN, GROUP_MAX, GROUP_MEAN = 5, 8, 6.5
HOUSEHOLD_SIZES = np.arange(1, 8)
HOUSEHOLD_WEIGHTS = np.array([0.07, 0.19, 0.25, 0.22, 0.15, 0.08, 0.04])

HELP_KINDS = ("childcare", "transport", "food", "money_lent", "job_lead", "advice", "other")
HELP_WEIGHTS = np.array([0.25, 0.2, 0.15, 0.1, 0.08, 0.15, 0.07])
HELP_WITH_AMOUNT = frozenset({"food", "money_lent"})


# ------------------------------------------------------------------------------------------
# Rows: what the services write, one dataclass per model; families are referred to by index.
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """Where and when a cohort is generated."""

    periods: list[date]
    now: datetime
    tz: ZoneInfo
    due_day: int


@dataclass(frozen=True)
class GroupRow:
    name: str
    started_on: date


@dataclass(frozen=True)
class FamilyRow:
    name: str
    group: int | None
    joined_on: date
    household_size: int
    baseline_monthly_income: float
    baseline_savings: float
    baseline_debt: float
    profile: str
    spanish: bool


@dataclass(frozen=True)
class MemberRow:
    family: int
    first_name: str
    is_adult: bool
    birth_year: int
    school: str


@dataclass(frozen=True)
class ConsentRow:
    family: int
    kind: str
    granted_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class StipendRow:
    status: str
    earned_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True)
class EntryRow:
    family: int
    period: date
    status: str
    submitted_at: datetime | None
    values: dict[str, float | None]
    stipend: StipendRow | None


@dataclass(frozen=True)
class GoalUpdateRow:
    period: date
    note: str
    amount_so_far: float | None
    percent_done: int
    created_at: datetime


@dataclass(frozen=True)
class GoalRow:
    family: int
    domain: str
    title: str
    success_looks_like: str
    target_amount: float | None
    target_date: date | None
    priority: int
    status: str
    created_at: datetime
    achieved_at: datetime | None
    updates: list[GoalUpdateRow] = field(default_factory=list)


@dataclass(frozen=True)
class HelpRow:
    period: date
    giver: int | None
    receiver: int | None
    recorded_by: int
    kind: str
    hours: float | None
    amount: float | None
    note: str
    created_at: datetime
    confirmed_at: datetime | None


@dataclass
class Cohort:
    groups: list[GroupRow]
    families: list[FamilyRow]
    members: list[MemberRow]
    consents: list[ConsentRow]
    entries: list[EntryRow]
    goals: list[GoalRow]
    help: list[HelpRow]

    def row_count(self) -> int:
        updates = sum(len(g.updates) for g in self.goals)
        stipends = sum(1 for e in self.entries if e.stipend is not None)
        return (
            len(self.groups)
            + len(self.families)
            + len(self.members)
            + len(self.consents)
            + len(self.entries)
            + stipends
            + len(self.goals)
            + updates
            + len(self.help)
        )


@dataclass(frozen=True)
class Households:
    """Per-family facts as arrays of length F, drawn once and used by every block."""

    size: Array
    adults: Array
    spanish: Array
    profile: Array
    owner: Array
    poverty: Array
    income_ratio: Array  # income at joining / poverty line

    @property
    def count(self) -> int:
        return len(self.size)

    @property
    def children(self) -> Array:
        return self.size - self.adults


# ------------------------------------------------------------------------------------------
# Calendar
# ------------------------------------------------------------------------------------------
def month_periods(today: date, months: int) -> list[date]:
    """Return `months` first-of-month dates ending with the month before `today`."""
    last = add_months(today.replace(day=1), -1)
    return [add_months(last, k - months + 1) for k in range(months)]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


# ------------------------------------------------------------------------------------------
# The cohort
# ------------------------------------------------------------------------------------------
def generate_cohort(rng: np.random.Generator, n_families: int, setting: Setting) -> Cohort:
    """Generate groups, families and everything they report, for one organization."""
    sizes = group_sizes(rng, n_families)
    group_of = np.full(n_families, -1)
    group_of[: sum(sizes)] = np.repeat(np.arange(len(sizes)), sizes)
    hh = draw_households(rng, n_families)
    groups = draw_groups(rng, len(sizes), setting)
    joined = joined_dates(rng, group_of, groups, setting)
    members, school_age, trainees = draw_members(rng, hh, setting.now.year)
    values = draw_values(rng, hh, len(setting.periods), school_age, trainees)
    families = family_rows(rng, hh, group_of, joined, values)
    return Cohort(
        groups=groups,
        families=families,
        members=members,
        consents=consent_rows(rng, hh, joined, setting),
        entries=entry_rows(rng, hh, values, setting),
        goals=goal_rows(rng, hh, joined, values["debt_total"][:, 0], setting),
        help=help_rows(rng, group_of, hh.spanish, setting),
    )


def group_sizes(rng: np.random.Generator, n: int) -> list[int]:
    """Split n families into groups of 5 to 8 (6.5 on average); any rest stays ungrouped.

    A rest only happens when no split exists (fewer than 5 families, or 9).
    """
    low, high = ceil(n / GROUP_MAX), n // GROUP_MIN
    count = min(max(round(n / GROUP_MEAN), low), high)
    if count <= 0:
        return []
    room = GROUP_MAX - GROUP_MIN
    extra = min(n - GROUP_MIN * count, room * count)
    slots = rng.choice(room * count, size=extra, replace=False) // room
    return (GROUP_MIN + np.bincount(slots, minlength=count)).tolist()


def draw_households(rng: np.random.Generator, n: int) -> Households:
    size = rng.choice(HOUSEHOLD_SIZES, size=n, p=HOUSEHOLD_WEIGHTS)
    u = rng.random(n)
    adults = np.where(size == 1, 1, np.where(u < 0.4, 1, np.where(u < 0.9, 2, 3)))
    adults = np.minimum(adults, size)
    profile = np.full(n, IMPROVER)
    order = rng.permutation(n)
    outpacers = max(1, round(OUTPACER_SHARE * n))
    stallers = round(STALLER_SHARE * n)
    profile[order[:outpacers]] = OUTPACER
    profile[order[outpacers : outpacers + stallers]] = STALLER
    owner = rng.random(n) < np.where(profile == OUTPACER, 0.55, 0.18)
    return Households(
        size=size,
        adults=adults,
        spanish=rng.random(n) < 0.5,
        profile=profile,
        owner=owner,
        poverty=np.array([poverty_line_monthly(int(s)) for s in size]),
        income_ratio=np.clip(rng.normal(1.0, 0.16, n), 0.62, 1.38),
    )


def draw_groups(rng: np.random.Generator, count: int, setting: Setting) -> list[GroupRow]:
    names = [f"{p} {k}" for p in words.GROUP_PLACES for k in words.GROUP_KINDS]
    order = rng.permutation(len(names))
    start = setting.periods[0]
    rows = []
    for i in range(count):
        name = names[order[i % len(names)]]
        if i >= len(names):
            name = f"{name} {i // len(names) + 1}"
        started = start - timedelta(days=int(rng.integers(10, 26)))
        rows.append(GroupRow(name=name, started_on=started))
    return rows


def joined_dates(
    rng: np.random.Generator, group_of: Array, groups: list[GroupRow], setting: Setting
) -> list[date]:
    """A family joins in the days after its group started, before its first journal month."""
    offsets = rng.integers(0, 7, size=len(group_of))
    first = setting.periods[0]
    out = []
    for g, offset in zip(group_of.tolist(), offsets.tolist(), strict=True):
        start = groups[g].started_on if g >= 0 else first - timedelta(days=14)
        out.append(min(start + timedelta(days=offset), first))
    return out


# ------------------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------------------
def household_name(rng: np.random.Generator, spanish: bool, taken: set[str]) -> str:
    """A fictional household name, unique within the organization."""
    surnames = words.SURNAMES_ES if spanish else words.SURNAMES_EN
    for attempt in range(50):
        a, b = (surnames[int(k)] for k in rng.integers(0, len(surnames), size=2))
        style = int(rng.integers(0, 4)) if attempt < 10 else 3
        if spanish:
            name = ("Familia {a}", "The {a} household", "Familia {a}", "Familia {a} {b}")[style]
        else:
            name = ("The {a} household", "The {a} family", "{a} family", "The {a}-{b} household")[
                style
            ]
        name = name.format(a=a, b=b)
        if name not in taken and a != b:
            taken.add(name)
            return name
    name = f"{name} ({len(taken) + 1})"
    taken.add(name)
    return name


def draw_members(
    rng: np.random.Generator, hh: Households, year: int
) -> tuple[list[MemberRow], Array, Array]:
    """Return members, and per family the school-age children and adults in training."""
    n = hh.count
    school_age = np.zeros(n, dtype=int)
    trainees = np.zeros(n, dtype=int)
    rows: list[MemberRow] = []
    for i in range(n):
        spanish = bool(hh.spanish[i])
        adult_names = words.ADULT_NAMES_ES if spanish else words.ADULT_NAMES_EN
        child_names = words.CHILD_NAMES_ES if spanish else words.CHILD_NAMES_EN
        head_age = int(np.clip(rng.normal(36, 9), 21, 62))
        ages = [head_age]
        if hh.adults[i] >= 2:
            ages.append(int(np.clip(head_age + rng.normal(0, 4), 19, 70)))
        if hh.adults[i] >= 3:
            ages.append(int(rng.integers(55, 78)))
        picks = rng.permutation(len(adult_names))
        for k, age in enumerate(ages):
            training = ""
            if age < 55 and rng.random() < 0.12:
                training = words.ADULT_TRAININGS[int(rng.integers(0, len(words.ADULT_TRAININGS)))]
                trainees[i] += 1
            rows.append(MemberRow(i, adult_names[picks[k]], True, year - age, training))
        schools = [int(rng.integers(0, 10_000)) for _ in range(4)]
        picks = rng.permutation(len(child_names))
        oldest = max(0, min(17, head_age - 18))
        for k in range(int(hh.children[i])):
            age = int(rng.integers(0, oldest + 1))
            school = school_for(age, schools)
            school_age[i] += 5 <= age <= 17
            rows.append(MemberRow(i, child_names[picks[k]], False, year - age, school))
    return rows, school_age, trainees


def school_for(age: int, picks: list[int]) -> str:
    """Siblings at the same level share a school: `picks` holds one draw per level."""
    levels = (
        (3, 4, words.PRESCHOOLS),
        (5, 10, words.ELEMENTARY_SCHOOLS),
        (11, 13, words.MIDDLE_SCHOOLS),
        (14, 17, words.HIGH_SCHOOLS),
    )
    for level, (low, high, names) in enumerate(levels):
        if low <= age <= high:
            return names[picks[level] % len(names)]
    return ""


def family_rows(
    rng: np.random.Generator,
    hh: Households,
    group_of: Array,
    joined: list[date],
    values: dict[str, Array],
) -> list[FamilyRow]:
    """Families; the baseline is what they reported in their first month."""
    income0 = income_total(values)[:, 0]
    taken: set[str] = set()
    return [
        FamilyRow(
            name=household_name(rng, bool(hh.spanish[i]), taken),
            group=int(group_of[i]) if group_of[i] >= 0 else None,
            joined_on=joined[i],
            household_size=int(hh.size[i]),
            baseline_monthly_income=float(income0[i]),
            baseline_savings=float(values["savings_balance"][i, 0]),
            baseline_debt=float(values["debt_total"][i, 0]),
            profile=PROFILE_NAMES[int(hh.profile[i])],
            spanish=bool(hh.spanish[i]),
        )
        for i in range(hh.count)
    ]


# ------------------------------------------------------------------------------------------
# Journal values: one (families x months) array per built-in column
# ------------------------------------------------------------------------------------------
INCOME_COLUMNS = ("income_wages", "income_business", "income_benefits", "income_other")


def income_total(values: dict[str, Array]) -> Array:
    total: Array = np.sum([values[c] for c in INCOME_COLUMNS], axis=0)
    return total


def by_profile(profile: Array, improver: Any, staller: Any, outpacer: Any) -> Array:
    """Pick, per family, the value (or array element) for its profile."""
    return np.select(
        [profile == IMPROVER, profile == STALLER, profile == OUTPACER],
        [improver, staller, outpacer],
    )


def draw_values(
    rng: np.random.Generator, hh: Households, months: int, school_age: Array, trainees: Array
) -> dict[str, Array]:
    values, trend = income_block(rng, hh, months)
    total = income_total(values)
    values |= savings_block(rng, hh, total)
    values |= debt_block(rng, hh, total)
    values |= assets_and_work_block(rng, hh, values, trend)
    values |= education_block(rng, hh, months, school_age, trainees)
    values |= health_and_housing_block(rng, hh, months, total[:, 0])
    values |= network_block(rng, hh, months)
    return values


def ar1_noise(rng: np.random.Generator, sigma: Array, months: int, phi: float = 0.5) -> Array:
    """Month-to-month noise with some memory; zero in the first month (the baseline)."""
    noise = np.zeros((len(sigma), months))
    for j in range(1, months):
        noise[:, j] = phi * noise[:, j - 1] + rng.normal(0, sigma)
    return noise


def dips(rng: np.random.Generator, profile: Array, months: int) -> Array:
    """A temporary loss of income (hours cut, illness), more often for families who stall."""
    n = len(profile)
    has = rng.random(n) < by_profile(profile, 0.15, 0.5, 0.05)
    start = rng.integers(1, max(2, months), size=n)
    length = rng.integers(2, 5, size=n)
    depth = rng.uniform(0.1, 0.3, size=n) * has
    j = np.arange(months)[None, :]
    inside = (j >= start[:, None]) & (j < (start + length)[:, None])
    return 1 - depth[:, None] * inside


def income_block(
    rng: np.random.Generator, hh: Households, months: int
) -> tuple[dict[str, Array], Array]:
    """Income by source, and the underlying trend (1 at joining)."""
    n = hh.count
    growth = by_profile(
        hh.profile,
        np.clip(rng.normal(0.045, 0.02, n), 0.01, 0.10),
        np.clip(rng.normal(0.0, 0.012, n), -0.03, 0.015),
        np.clip(rng.normal(0.32, 0.07, n), 0.2, 0.5),
    )
    trend = (1 + growth)[:, None] ** (np.arange(months)[None, :] / 12)
    sigma = rng.uniform(0.03, 0.06, n) + 0.03 * hh.owner
    base = hh.poverty * hh.income_ratio
    total = (
        base[:, None]
        * trend
        * np.exp(ar1_noise(rng, sigma, months))
        * dips(rng, hh.profile, months)
    )
    # Benefits are fixed amounts that phase out as earnings grow; other income comes and goes.
    on_benefits = rng.random(n) < np.where(hh.children > 0, 0.85, 0.45)
    benefit_share = np.clip(rng.normal(0.2, 0.07, n), 0.05, 0.4) * on_benefits
    benefits = (base * benefit_share)[:, None] * np.clip(1 - 1.5 * (trend - 1), 0.25, 1)
    other_share = np.where(rng.random(n) < 0.35, rng.uniform(0.03, 0.1, n), 0)
    other = (base * other_share)[:, None] * (rng.random((n, months)) > 0.15)
    earned = np.maximum(total - benefits - other, 0.15 * total)
    business_share = np.where(hh.owner, rng.uniform(0.3, 0.85, n), 0)
    business_share = np.where(hh.owner & (rng.random(n) < 0.2), 1.0, business_share)
    business = earned * business_share[:, None]
    columns = {
        "income_wages": np.round(earned - business),
        "income_business": np.round(business),
        "income_benefits": np.round(benefits),
        "income_other": np.round(other),
    }
    return columns, trend


def savings_block(rng: np.random.Generator, hh: Households, income: Array) -> dict[str, Array]:
    """Deposits most months, an emergency withdrawal now and then."""
    n, months = income.shape
    rate = by_profile(
        hh.profile, rng.uniform(0.015, 0.05, n), rng.uniform(0, 0.02, n), rng.uniform(0.05, 0.11, n)
    )
    saves = rng.random((n, months)) < by_profile(hh.profile, 0.75, 0.45, 0.85)[:, None]
    deposited = (
        np.round(income * rate[:, None] * saves * rng.lognormal(0, 0.35, (n, months)) / 5) * 5
    )
    start = np.round(np.clip(rng.lognormal(np.log(300), 1.0, n), 10, 6000), -1)
    balance = np.zeros((n, months))
    balance[:, 0] = np.where(rng.random(n) < 0.3, 0, start)
    emergency = by_profile(hh.profile, 0.05, 0.10, 0.03)
    for j in range(1, months):
        draw = (rng.random(n) < emergency) * rng.uniform(0.3, 0.9, n) * balance[:, j - 1]
        balance[:, j] = np.maximum(balance[:, j - 1] + deposited[:, j] - np.round(draw), 0)
    return {"savings_balance": balance, "savings_deposited": deposited}


def debt_block(rng: np.random.Generator, hh: Households, income: Array) -> dict[str, Array]:
    """Debt paid down steadily by improvers; stallers skip payments and borrow again."""
    n, months = income.shape
    cap = 8 * income[:, 0]
    start = np.round(np.minimum(rng.lognormal(np.log(3000), 0.9, n), cap), -1)
    start = np.where(rng.random(n) < 0.15, 0, np.maximum(start, 200))
    high_share = np.where(rng.random(n) < 0.35, rng.uniform(0.1, 0.5, n), 0)
    interest = 0.008 + 0.02 * high_share
    pay_rate = by_profile(
        hh.profile,
        rng.uniform(0.03, 0.06, n),
        rng.uniform(0.012, 0.025, n),
        rng.uniform(0.06, 0.12, n),
    )
    skip = by_profile(hh.profile, 0.08, 0.2, 0.03)
    borrow = by_profile(hh.profile, 0.03, 0.09, 0.015)
    debt = np.zeros((n, months))
    payments = np.zeros((n, months))
    debt[:, 0] = start
    owed = start * (1 + interest)
    for j in range(months):
        pay = np.where(owed > 0, np.minimum(np.maximum(25, pay_rate * owed), owed), 0)
        pay = np.minimum(pay, 0.2 * income[:, j]) * (rng.random(n) >= skip)
        payments[:, j] = np.round(pay)
        if j + 1 < months:
            new = (rng.random(n) < borrow) * rng.lognormal(np.log(600), 0.6, n)
            debt[:, j + 1] = np.round(np.maximum(owed - pay + new, 0))
            owed = debt[:, j + 1] * (1 + interest)
    decay = by_profile(hh.profile, 0.97, 1.0, 0.92)[:, None] ** np.arange(months)[None, :]
    ratio = income / hh.poverty[:, None]
    overdue_p = (
        np.clip(0.45 - 0.7 * (ratio - 0.85), 0.03, 0.6) + 0.08 * (hh.profile == STALLER)[:, None]
    )
    return {
        "debt_total": debt,
        "debt_payments": payments,
        "debt_high_interest": np.round(debt * high_share[:, None] * decay),
        "debt_overdue_bills": (rng.random((n, months)) < overdue_p).astype(float),
    }


def step_on(rng: np.random.Generator, who: Array, months: int) -> Array:
    """0 until a random month, then 1, for the families in `who`; 0 throughout for the rest."""
    start = rng.integers(1, max(2, months), size=len(who))
    return (who[:, None] & (np.arange(months)[None, :] >= start[:, None])).astype(float)


def assets_and_work_block(
    rng: np.random.Generator, hh: Households, values: dict[str, Array], trend: Array
) -> dict[str, Array]:
    n, months = hh.count, trend.shape[1]
    improving = hh.profile != STALLER
    has_car = rng.random(n) < np.clip(0.3 + 0.3 * hh.income_ratio, 0, 0.8)
    gets_car = ~has_car & improving & (rng.random(n) < 0.2)
    vehicle = np.maximum(has_car[:, None].astype(float), step_on(rng, gets_car, months))
    stock = np.where(hh.owner, np.round(rng.lognormal(np.log(1500), 0.8, n), -1), 0)
    paid = values["income_wages"] + values["income_business"]
    hours = np.round(
        np.minimum(paid / (rng.uniform(15, 21, n)[:, None] * 4.33), 60 * hh.adults[:, None])
    )
    employed = np.where(hours > 0, np.clip(np.ceil(hours / 48), 1, hh.adults[:, None]), 0)
    return {
        "assets_home_owned": np.repeat((rng.random(n) < 0.05)[:, None], months, axis=1).astype(
            float
        ),
        "assets_vehicle": vehicle,
        "assets_business_value": np.round(stock[:, None] * trend / 10) * 10,
        "work_adults_employed": employed,
        "work_hours_week": hours,
        "work_business_owner": np.repeat(hh.owner[:, None], months, axis=1).astype(float),
    }


def scale(rng: np.random.Generator, mean: Array, months: int, sd: float = 0.6) -> Array:
    """A 1-to-5 rating around a per-family mean (mean may be a (families x months) array)."""
    noise = rng.normal(0, sd, (len(mean), months))
    return np.clip(np.round(mean + noise), 1, 5)


def education_block(
    rng: np.random.Generator, hh: Households, months: int, school_age: Array, trainees: Array
) -> dict[str, Array]:
    n = hh.count
    progress = (hh.profile != STALLER)[:, None] * 0.5 * np.arange(months)[None, :] / max(months, 1)
    going = scale(rng, rng.uniform(2.8, 4.0, n)[:, None] + progress, months)
    return {
        "education_children_enrolled": np.repeat(school_age[:, None], months, axis=1).astype(float),
        "education_adults_training": np.repeat(trainees[:, None], months, axis=1).astype(float),
        "education_school_going": np.where(school_age[:, None] > 0, going, np.nan),
    }


def health_and_housing_block(
    rng: np.random.Generator, hh: Households, months: int, income0: Array
) -> dict[str, Array]:
    n = hh.count
    insured0 = rng.random(n) < 0.72
    flips = step_on(rng, rng.random(n) < 0.1, months).astype(bool)
    moved = rng.random((n, months)) < 0.012
    moved[:, 0] = False
    move_factor = np.cumprod(np.where(moved, rng.uniform(0.9, 1.25, (n, months)), 1), axis=1)
    raises = 1.03 ** (np.arange(months)[None, :] // 12)
    rent0 = income0 * rng.uniform(0.35, 0.55, n)
    secure = by_profile(hh.profile, 0.9, 0.72, 0.95)
    return {
        "health_insured": (insured0[:, None] ^ flips).astype(float),
        "health_rating": scale(rng, rng.uniform(2.8, 4.4, n)[:, None], months),
        "health_clinic_visits": rng.poisson((0.12 * hh.size)[:, None], (n, months)).astype(float),
        "housing_cost": np.round(rent0[:, None] * raises * move_factor / 5) * 5,
        "housing_secure": (rng.random((n, months)) < secure[:, None]).astype(float),
        "housing_moved": moved.astype(float),
    }


def network_block(rng: np.random.Generator, hh: Households, months: int) -> dict[str, Array]:
    n = hh.count
    u = rng.random((n, months))
    absent = by_profile(hh.profile, 0.12, 0.3, 0.05)[:, None]
    roles0 = rng.choice([0, 1, 2], size=n, p=[0.7, 0.25, 0.05])
    leads = rng.random(n) < by_profile(hh.profile, 0.1, 0.0, 0.6)
    volunteers = rng.random((n, months)) < by_profile(hh.profile, 0.4, 0.25, 0.7)[:, None]
    volunteer_hours = np.round(rng.gamma(2.0, 3.0, (n, months)) * 2) / 2
    outpacer = hh.profile == OUTPACER
    return {
        "network_meetings": np.where(u < absent, 0.0, np.where(u > 0.92, 2.0, 1.0)),
        "network_new_contacts": rng.poisson(
            np.where(outpacer, 0.8, 0.35)[:, None], (n, months)
        ).astype(float),
        "leadership_roles": roles0[:, None] + step_on(rng, leads, months),
        "leadership_volunteer_hours": volunteers * volunteer_hours,
        "leadership_events": rng.poisson(
            np.where(outpacer, 0.3, 0.05)[:, None], (n, months)
        ).astype(float),
    }


# ------------------------------------------------------------------------------------------
# Entries: which months were reported, when, and the stipends they earned
# ------------------------------------------------------------------------------------------
def reporting(rng: np.random.Generator, hh: Households, months: int) -> tuple[Array, Array, Array]:
    """Return (present, draft, delay in days after the month ended) as (F x M) arrays."""
    n = hh.count
    missing = rng.beta(1.3, 17, n) * by_profile(hh.profile, 1.0, 1.6, 0.5)
    present = rng.random((n, months)) >= missing[:, None]
    present[:, 0] = True
    draft = np.zeros((n, months), dtype=bool)
    draft[:, -1] = rng.random(n) < 0.1
    if months >= 3:
        draft[:, -2] = rng.random(n) < 0.03
    draft[:, 0] = False
    delay = rng.gamma(2.0, 2.2, (n, months)) + 0.3
    delay += (rng.random((n, months)) < 0.09) * rng.uniform(8, 25, (n, months))
    return present, draft & present, delay


def entry_rows(
    rng: np.random.Generator, hh: Households, values: dict[str, Array], setting: Setting
) -> list[EntryRow]:
    months = len(setting.periods)
    present, draft, delay = reporting(rng, hh, months)
    squeeze = rng.uniform(0.05, 0.95, (hh.count, months))
    matrix = np.stack(
        [values.get(c, np.full((hh.count, months), np.nan)) for c in BUILTIN_CODES], axis=2
    )
    cut = rng.integers(4, len(BUILTIN_CODES), size=(hh.count, months))
    rows = []
    for i, j in zip(*np.nonzero(present), strict=True):
        row = matrix[i, j].tolist()
        submitted_at = None
        if draft[i, j]:
            row[cut[i, j] :] = [None] * (len(row) - cut[i, j])
        else:
            submitted_at = submission_time(setting, j, delay[i, j], squeeze[i, j])
        values_ = {
            c: (None if v is None or v != v else v) for c, v in zip(BUILTIN_CODES, row, strict=True)
        }
        rows.append(entry_row(setting, int(i), int(j), values_, submitted_at))
    return rows


def submission_time(setting: Setting, month: int, delay: float, squeeze: float) -> datetime | None:
    """When the journal was sent: some days after its month ended, and never in the future."""
    ended = local_midnight(add_months(setting.periods[month], 1), setting.tz)
    sent = ended + timedelta(days=float(delay))
    if sent <= setting.now:
        return sent
    waited = setting.now - ended
    if waited < timedelta(hours=1):
        return None  # the month has barely ended: still a draft
    return ended + waited * float(squeeze)


def entry_row(
    setting: Setting,
    family: int,
    month: int,
    values: dict[str, float | None],
    sent: datetime | None,
) -> EntryRow:
    period = setting.periods[month]
    if sent is None:
        return EntryRow(family, period, "draft", None, values, None)
    due = due_date(period, setting.due_day)
    stipend = None
    if sent.astimezone(setting.tz).date() <= due:
        # Stipends are paid on the first of the month after the due day: the last month's
        # are still "earned", older ones "paid".
        payout = datetime.combine(add_months(due.replace(day=1), 1), time(10), tzinfo=setting.tz)
        paid = payout <= setting.now
        stipend = StipendRow("paid" if paid else "earned", sent, payout if paid else None)
    return EntryRow(family, period, "submitted", sent, values, stipend)


# ------------------------------------------------------------------------------------------
# Consent, goals and help
# ------------------------------------------------------------------------------------------
def consent_rows(
    rng: np.random.Generator, hh: Households, joined: list[date], setting: Setting
) -> list[ConsentRow]:
    n = hh.count
    minutes = rng.integers(17 * 60, 21 * 60, size=n)
    aggregate = rng.random(n) < 0.93
    stories = rng.random(n) < by_profile(hh.profile, 0.25, 0.2, 0.7)
    revoked = stories & (rng.random(n) < 0.08)
    contact = rng.random(n) < 0.6
    rows = []
    for i in range(n):
        at = local_midnight(joined[i], setting.tz) + timedelta(minutes=int(minutes[i]))
        rows.append(ConsentRow(i, "participation", at))
        if aggregate[i]:
            rows.append(ConsentRow(i, "aggregate_reporting", at))
        if contact[i]:
            rows.append(ConsentRow(i, "contact", at))
        if stories[i]:
            later = at + (setting.now - at) * 0.5
            rows.append(ConsentRow(i, "story_sharing", at, later if revoked[i] else None))
    return rows


GOAL_STATUS_P = {
    IMPROVER: [0.6, 0.28, 0.08, 0.04],
    STALLER: [0.62, 0.1, 0.2, 0.08],
    OUTPACER: [0.4, 0.5, 0.05, 0.05],
}
GOAL_STATUSES = ("active", "achieved", "paused", "dropped")


def goal_rows(
    rng: np.random.Generator, hh: Households, joined: list[date], debt0: Array, setting: Setting
) -> list[GoalRow]:
    counts = rng.choice([1, 2, 3], size=hh.count, p=[0.35, 0.45, 0.2])
    rows = []
    for i in range(hh.count):
        in_spanish = bool(hh.spanish[i]) and rng.random() < 0.6
        start = local_midnight(joined[i], setting.tz)
        for k, pick in enumerate(rng.choice(len(words.GOALS), size=counts[i], replace=False)):
            template = words.GOALS[int(pick)]
            target = goal_target(template, float(hh.poverty[i]), float(debt0[i]))
            status = GOAL_STATUSES[rng.choice(4, p=GOAL_STATUS_P[int(hh.profile[i])])]
            rows.append(
                goal_row(rng, i, k, template, target, status, start, in_spanish, setting.now)
            )
    return rows


def goal_target(template: words.GoalTemplate, poverty: float, debt0: float) -> float | None:
    if template.uses_debt:
        return debt0 or None
    if template.amount is not None:
        return max(100.0, round(template.amount * poverty, -2))
    return None


def goal_row(
    rng: np.random.Generator,
    family: int,
    rank: int,
    template: words.GoalTemplate,
    target: float | None,
    status: str,
    joined: datetime,
    in_spanish: bool,
    now: datetime,
) -> GoalRow:
    created = min(joined + timedelta(days=float(rng.uniform(0, 45))), now - timedelta(days=1))
    span = (now - created).days
    achieved_at = None
    if status == "achieved":
        if span > 62:
            achieved_at = created + timedelta(days=float(rng.uniform(60, span - 2)))
        else:
            status = "active"
    title = template.title_es if in_spanish else template.title_en
    amount = f"${target:,.0f}" if target is not None else ""
    target_date = None
    if rng.random() < 0.7:
        target_date = created.date() + timedelta(days=30 * int(rng.integers(6, 25)))
    return GoalRow(
        family=family,
        domain=template.domain,
        title=title.format(amount=amount),
        success_looks_like=template.success_es if in_spanish else template.success_en,
        target_amount=target,
        target_date=target_date,
        priority=min(5, rank + 1 + int(rng.integers(0, 3))),
        status=status,
        created_at=created,
        achieved_at=achieved_at,
        updates=goal_updates(
            rng, target, created, achieved_at or now, achieved_at is not None, in_spanish
        ),
    )


def goal_updates(
    rng: np.random.Generator,
    target: float | None,
    start: datetime,
    end: datetime,
    achieved: bool,
    in_spanish: bool,
) -> list[GoalUpdateRow]:
    count = 2 if achieved else int(rng.integers(1, 3))
    notes = words.GOAL_NOTES_ES if in_spanish else words.GOAL_NOTES_EN
    done = words.GOAL_DONE_ES if in_spanish else words.GOAL_DONE_EN
    fractions = np.sort(rng.uniform(0.2, 0.95, size=count))
    percents = np.sort(rng.integers(10, 85, size=count))
    rows = []
    for k in range(count):
        last = achieved and k == count - 1
        at = end if last else start + (end - start) * float(fractions[k])
        percent = 100 if last else int(percents[k])
        note = (
            done[int(rng.integers(0, len(done)))]
            if last
            else notes[int(rng.integers(0, len(notes)))]
        )
        so_far = round(target * percent / 100) if target is not None else None
        period = at.astimezone(start.tzinfo).date().replace(day=1)
        rows.append(GoalUpdateRow(period, note, so_far, percent, at))
    return rows


def help_rows(
    rng: np.random.Generator, group_of: Array, spanish: Array, setting: Setting
) -> list[HelpRow]:
    """Help inside each group, every month; a few times with someone outside the group."""
    grouped = group_of[group_of >= 0]
    if len(grouped) == 0:
        return []
    sizes = np.bincount(grouped)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])  # families of a group are contiguous
    months = len(setting.periods)
    counts = rng.poisson(0.5 * sizes[:, None], (len(sizes), months))
    group = np.repeat(np.repeat(np.arange(len(sizes)), months), counts.ravel())
    month = np.repeat(np.tile(np.arange(months), len(sizes)), counts.ravel())
    total = len(group)
    giver_pos = rng.integers(0, sizes[group])
    receiver_pos = (giver_pos + rng.integers(1, sizes[group])) % sizes[group]
    giver, receiver = starts[group] + giver_pos, starts[group] + receiver_pos
    side = rng.random(total)
    kind = rng.choice(len(HELP_KINDS), size=total, p=HELP_WEIGHTS)
    draws = HelpDraws(
        hours=np.round(rng.gamma(2.0, 2.0, total) * 2) / 2 + 0.5,
        amount=np.round(rng.lognormal(np.log(60), 0.7, total) / 5) * 5 + 5,
        both=rng.random(total) < 0.1,
        recorder=rng.random(total) < 0.5,
        offset=rng.random(total),
        confirm_after=rng.uniform(0.1, 6, total),
        confirmed=rng.random(total) < np.where(month == months - 1, 0.6, 0.9),
        note=rng.integers(0, 100, total),
    )
    rows = []
    for e in range(total):
        g = None if side[e] < 0.04 else int(giver[e])
        r = None if 0.04 <= side[e] < 0.12 else int(receiver[e])
        row = help_row(draws, e, setting, int(month[e]), g, r, HELP_KINDS[kind[e]])
        notes = words.HELP_NOTES[row.kind][int(spanish[row.recorded_by])]
        rows.append(replace(row, note=notes[int(draws.note[e]) % len(notes)]))
    return rows


@dataclass(frozen=True)
class HelpDraws:
    """Random draws for every help exchange at once (indexed by exchange)."""

    hours: Array
    amount: Array
    both: Array
    recorder: Array
    offset: Array
    confirm_after: Array
    confirmed: Array
    note: Array


def help_row(
    draws: HelpDraws,
    e: int,
    setting: Setting,
    month: int,
    giver: int | None,
    receiver: int | None,
    kind: str,
) -> HelpRow:
    period = setting.periods[month]
    days = (add_months(period, 1) - period).days
    created = local_midnight(period, setting.tz) + timedelta(days=float(draws.offset[e]) * days)
    with_amount = kind in HELP_WITH_AMOUNT
    hours = float(draws.hours[e]) if not with_amount or draws.both[e] else None
    amount = float(draws.amount[e]) if with_amount or draws.both[e] else None
    if kind == "money_lent" and amount is not None:
        amount *= 4
    confirmed_at = None
    if giver is not None and receiver is not None and draws.confirmed[e]:
        confirmed_at = created + timedelta(days=float(draws.confirm_after[e]))
        if confirmed_at > setting.now:
            confirmed_at = None
    recorded_by = (
        giver if (draws.recorder[e] and giver is not None) or receiver is None else receiver
    )
    assert recorded_by is not None
    return HelpRow(
        period=period,
        giver=giver,
        receiver=receiver,
        recorded_by=recorded_by,
        kind=kind,
        hours=hours,
        amount=amount,
        note="",
        created_at=created,
        confirmed_at=confirmed_at,
    )
