"""Checking the rows of both files, one by one, before anything is written."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from families.models import Family, Group, household_key
from fii.models import Organization

from ..catalog import Kind
from ..models import Indicator
from ..numbers import normalize_number
from ..periods import month_start
from .files import (
    FAMILIES,
    FAMILY_OPTIONAL,
    FAMILY_REQUIRED,
    JOURNAL_REQUIRED,
    JOURNALS,
    read_rows,
)

MAX_AMOUNT = 100_000_000
PROGRESS_EVERY = 250
YES = {"1", "yes", "y", "true", "si", "sí", "x"}
NO = {"0", "no", "n", "false"}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str


class RowError(Exception):
    """One cell's value is wrong; the message says how."""


@dataclass
class FamilyRow:
    row: int
    key: str
    name: str
    group: Group | None
    joined_on: dt.date
    household_size: int
    income: float
    savings: float
    debt: float


@dataclass
class JournalRow:
    row: int
    key: str
    period: dt.date
    values: dict[str, Any]


@dataclass
class CheckResult:
    families: list[FamilyRow] = field(default_factory=list)
    journals: list[JournalRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False
    families_existing: int = 0
    journals_existing: int = 0
    bad_rows: int = 0


def _check_header(
    header: list[str], required: list[str], allowed: set[str], file: str
) -> list[Problem]:
    problems = [
        Problem(file, 1, name, _("This column is missing."))
        for name in required
        if name not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, 1, name, _("This column appears twice.")))
        elif name and name not in allowed:
            problems.append(Problem(file, 1, name, _("Unknown column.")))
        seen.add(name)
    if not header or not any(header):
        problems.append(Problem(file, 1, "", _("The file has no header row.")))
    return problems


def _number(text: str) -> float:
    try:
        value = float(normalize_number(text))
    except ValueError as exc:
        raise RowError(_("Not a number.")) from exc
    if not math.isfinite(value):
        raise RowError(_("Not a number."))
    return value


def _amount(text: str, *, required: bool = True) -> float:
    if not text.strip():
        if required:
            raise RowError(_("This cell is empty."))
        return 0.0
    value = _number(text)
    if value < 0:
        raise RowError(_("Must be 0 or more."))
    if value > MAX_AMOUNT:
        raise RowError(_("Too large; please check it."))
    return value


def _whole(text: str, low: int, high: int) -> int:
    value = _number(text)
    if not value.is_integer():
        raise RowError(_("Must be a whole number."))
    if not low <= value <= high:
        raise RowError(_("Must be between %(low)d and %(high)d.") % {"low": low, "high": high})
    return int(value)


def _date(text: str, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise RowError(_("Write the date as YYYY-MM-DD, e.g. 2024-01-15.")) from exc
    if day > today:
        raise RowError(_("This date is in the future."))
    return day


def _period(text: str, this_month: dt.date) -> dt.date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-01)?", text.strip())
    if match is None:
        raise RowError(_("Write the month as YYYY-MM, e.g. 2024-02."))
    try:
        period = dt.date(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise RowError(_("Write the month as YYYY-MM, e.g. 2024-02.")) from exc
    if period >= this_month:
        raise RowError(
            _("Only past months can be imported; the family fills in this month itself.")
        )
    return period


class Context:
    """What checking needs to know about the organization, read once."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.today = organization.today()
        self.groups = {
            household_key(g.name): g for g in Group.objects.for_org(organization).active()
        }
        self.existing: dict[str, list[Family]] = {}
        for family in Family.objects.for_org(organization).only("pk", "name", "joined_on"):
            self.existing.setdefault(household_key(family.name), []).append(family)
        self.indicators = {i.code: i for i in Indicator.objects.for_org(organization)}


def _family_row(
    number: int, cells: dict[str, str], ctx: Context
) -> tuple[FamilyRow | None, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def read(column: str, parse: Callable[[str], Any]) -> None:
        try:
            values[column] = parse(cells.get(column, ""))
        except RowError as error:
            problems.append(Problem(FAMILIES, number, column, str(error)))

    read("household_name", _household_name)
    read("group_name", lambda text: _group(text, ctx))
    read("joined_on", lambda text: _date(text, ctx.today))
    read("household_size", lambda text: _whole(text, 1, 30))
    read("baseline_income", _amount)
    read("baseline_savings", lambda text: _amount(text, required=False))
    read("baseline_debt", lambda text: _amount(text, required=False))
    if problems:
        return None, problems
    row = FamilyRow(
        row=number,
        key=household_key(values["household_name"]),
        name=values["household_name"],
        group=values["group_name"],
        joined_on=values["joined_on"],
        household_size=values["household_size"],
        income=values["baseline_income"],
        savings=values["baseline_savings"],
        debt=values["baseline_debt"],
    )
    return row, []


def _household_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise RowError(_("This cell is empty."))
    if len(name) > 120:
        raise RowError(_("Keep the name under 120 characters."))
    return name


def _group(text: str, ctx: Context) -> Group | None:
    if not text.strip():
        return None
    group = ctx.groups.get(household_key(text))
    if group is None:
        raise RowError(
            _("Unknown group “%(name)s”: create it first, or leave the cell empty.")
            % {"name": text.strip()[:120]}
        )
    return group


def _cells(header: list[str], values: list[str]) -> dict[str, str]:
    return {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}


def check_families(text: str, ctx: Context, result: CheckResult, tick: Callable[[], None]) -> None:
    """Check the families file into `result`: valid rows, problems and rows already there."""
    header, rows = read_rows(text)
    allowed = {*FAMILY_REQUIRED, *FAMILY_OPTIONAL}
    header_problems = _check_header(header, FAMILY_REQUIRED, allowed, FAMILIES)
    if header_problems:
        result.problems.extend(header_problems)
        result.fatal = True
        return
    seen: dict[str, int] = {}
    for number, values in rows:
        tick()
        row, problems = _row_or_problems(number, header, values, ctx)
        if row is not None and row.key in seen:
            problems = [
                Problem(
                    FAMILIES,
                    number,
                    "household_name",
                    _("The same household is on row %(row)d.") % {"row": seen[row.key]},
                )
            ]
        if problems or row is None:
            result.problems.extend(problems)
            result.bad_rows += 1
            continue
        seen[row.key] = number
        if row.key in ctx.existing:
            result.families_existing += 1
        else:
            result.families.append(row)


def _row_or_problems(
    number: int, header: list[str], values: list[str], ctx: Context
) -> tuple[FamilyRow | None, list[Problem]]:
    if len(values) > len(header):
        return None, [Problem(FAMILIES, number, "", _("This row has more cells than the header."))]
    return _family_row(number, _cells(header, values), ctx)


def _indicator_value(indicator: Indicator, text: str) -> Any:
    text = text.strip()
    if indicator.kind == Kind.YESNO:
        if text.casefold() in YES:
            return 1.0
        if text.casefold() in NO:
            return 0.0
        raise RowError(_("Write 1 for yes or 0 for no."))
    if indicator.kind == Kind.CHOICE:
        options = {str(o).casefold(): o for o in indicator.choices}
        if text.casefold() not in options:
            raise RowError(_("Not one of this indicator's options."))
        return options[text.casefold()]
    value = _number(text)
    if indicator.kind in (Kind.COUNT, Kind.SCALE) and not value.is_integer():
        raise RowError(_("Must be a whole number."))
    if value < indicator.min_value:
        if indicator.min_value == 0:
            raise RowError(_("Must be 0 or more."))
        raise RowError(_("Must be at least %(n)g.") % {"n": indicator.min_value})
    if value > indicator.max_value:
        raise RowError(_("Must be at most %(n)g.") % {"n": indicator.max_value})
    return value


@dataclass
class Households:
    """Who a journal row's household name points to: a row of the families file or a family."""

    new: dict[str, FamilyRow]
    bad: set[str]


def _journal_row(
    number: int, cells: dict[str, str], ctx: Context, households: Households
) -> tuple[JournalRow | None, list[Problem]]:
    problems: list[Problem] = []
    key = household_key(cells.get("household_name", ""))
    joined_on = _household_joined(key, number, ctx, households, problems)
    try:
        period = _period(cells.get("period", ""), month_start(ctx.today))
    except RowError as error:
        problems.append(Problem(JOURNALS, number, "period", str(error)))
        period = None
    if period is not None and joined_on is not None and period < month_start(joined_on):
        problems.append(Problem(JOURNALS, number, "period", _("Before the household joined.")))
    values = {}
    for code, text in cells.items():
        if code in JOURNAL_REQUIRED or not text.strip():
            continue
        try:
            values[code] = _indicator_value(ctx.indicators[code], text)
        except RowError as error:
            problems.append(Problem(JOURNALS, number, code, str(error)))
    if not values and not problems:
        problems.append(Problem(JOURNALS, number, "", _("This row has no answers.")))
    if problems or period is None:
        return None, problems
    return JournalRow(number, key, period, values), []


def _household_joined(
    key: str, number: int, ctx: Context, households: Households, problems: list[Problem]
) -> dt.date | None:
    def problem(message: str) -> None:
        problems.append(Problem(JOURNALS, number, "household_name", message))

    if not key:
        problem(_("This cell is empty."))
    elif key in households.bad:
        problem(_("This household's row in the families file has problems."))
    elif key in households.new:
        return households.new[key].joined_on
    elif len(ctx.existing.get(key, [])) > 1:
        problem(_("Several households have this name; rename one in fii first."))
    elif key in ctx.existing:
        return ctx.existing[key][0].joined_on
    else:
        problem(_("Unknown household: add it to the families file, or check the spelling."))
    return None


def check_journals(
    text: str, ctx: Context, result: CheckResult, households: Households, tick: Callable[[], None]
) -> None:
    """Check the journals file into `result`."""
    header, rows = read_rows(text)
    allowed = {*JOURNAL_REQUIRED, *ctx.indicators}
    header_problems = _check_header(header, JOURNAL_REQUIRED, allowed, JOURNALS)
    if header_problems:
        result.problems.extend(header_problems)
        result.fatal = True
        return
    seen: dict[tuple[str, dt.date], int] = {}
    for number, values in rows:
        tick()
        if len(values) > len(header):
            row, problems = (
                None,
                [Problem(JOURNALS, number, "", _("This row has more cells than the header."))],
            )
        else:
            row, problems = _journal_row(number, _cells(header, values), ctx, households)
        if row is not None and (row.key, row.period) in seen:
            first = seen[(row.key, row.period)]
            problems = [
                Problem(
                    JOURNALS,
                    number,
                    "period",
                    _("The same month is on row %(row)d.") % {"row": first},
                )
            ]
        if problems or row is None:
            result.problems.extend(problems)
            result.bad_rows += 1
            continue
        seen[(row.key, row.period)] = number
        result.journals.append(row)


def check(
    *,
    organization: Organization,
    families_text: str,
    journals_text: str,
    progress: Callable[[int], None] = lambda done: None,
) -> CheckResult:
    """Check both files row by row; nothing is written."""
    ctx = Context(organization)
    result = CheckResult()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)

    if families_text.strip():
        _guarded(FAMILIES, result, lambda: check_families(families_text, ctx, result, tick))
    bad_families = {p.row for p in result.problems if p.file == FAMILIES}
    households = Households(
        new={r.key: r for r in result.families},
        bad=_bad_household_keys(families_text, bad_families),
    )
    if journals_text.strip():
        _guarded(
            JOURNALS, result, lambda: check_journals(journals_text, ctx, result, households, tick)
        )
    progress(done)
    return result


def _guarded(file: str, result: CheckResult, run: Callable[[], None]) -> None:
    """Run one file's check; a file the csv module cannot parse is one fatal problem."""
    try:
        run()
    except csv.Error as error:
        result.problems.append(
            Problem(file, 0, "", _("This file is not valid CSV: %(error)s") % {"error": error})
        )
        result.fatal = True


def _bad_household_keys(text: str, bad_rows: set[int]) -> set[str]:
    if not bad_rows:
        return set()
    header, rows = read_rows(text)
    if "household_name" not in header:
        return set()
    index = header.index("household_name")
    try:
        return {
            household_key(values[index])
            for number, values in rows
            if number in bad_rows and index < len(values) and values[index].strip()
        }
    except csv.Error:  # already reported as a problem of the whole file
        return set()
