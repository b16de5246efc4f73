"""Writes on journals data: the catalog, and a family's monthly journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Family
from fii.audit import audit_event, audit_record
from fii.models import Organization

from .catalog import BUILTIN_CODES, BUILTINS, KIND_BOUNDS
from .models import (
    EntryStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    HelpExchange,
    Indicator,
    JournalEntry,
    JournalRevision,
    Stipend,
    StipendStatus,
)
from .periods import add_months, due_date, month_start

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def catalog_install(*, organization: Organization) -> int:
    """Give the organization every built-in indicator it lacks; return how many were added."""
    have = set(Indicator.objects.for_org(organization).values_list("code", flat=True))
    new = []
    for position, item in enumerate(BUILTINS):
        if item.code in have:
            continue
        low, high = KIND_BOUNDS[item.kind]
        new.append(
            Indicator(
                organization=organization,
                code=item.code,
                column=item.code,
                domain=item.domain,
                kind=item.kind,
                label_en=item.label_en,
                label_es=item.label_es,
                help_en=item.help_en,
                help_es=item.help_es,
                min_value=low,
                max_value=item.max_value if item.max_value is not None else high,
                position=position,
            )
        )
    Indicator.objects.bulk_create(new)
    if new:
        bump_catalog_version(organization.pk)  # bulk_create sends no post_save
    return len(new)


def bump_catalog_version(organization_id: int) -> None:
    """Move the organization's catalog_version on, so its indicators are read again.

    The active indicators are cached under a key that holds the version
    (selectors.active_indicators_key); signals.py calls this on every save and delete of an
    indicator.
    """
    Organization.objects.filter(pk=organization_id).update(catalog_version=F("catalog_version") + 1)


class JournalError(Exception):
    """A journal cannot be written for a reason the family should read."""


def open_periods(*, organization: Organization, family: Family, today: dt.date) -> list[dt.date]:
    """Return the months a family may write now: this month, and last month until its due day."""
    this_month = month_start(today)
    last_month = add_months(this_month, -1)
    periods = [this_month]
    if today <= due_date(last_month, organization.journal_due_day):
        periods.insert(0, last_month)
    return [p for p in periods if p >= month_start(family.joined_on)]


def period_check(
    *, organization: Organization, family: Family, period: dt.date, today: dt.date
) -> None:
    """Raise JournalError unless the family may write the journal of this month now."""
    if period > month_start(today):
        raise JournalError(_("That month has not started yet. You can fill it in once it begins."))
    if period < month_start(family.joined_on):
        raise JournalError(
            _("That month is before your family joined, so there is no journal for it.")
        )
    if period not in open_periods(organization=organization, family=family, today=today):
        raise JournalError(_("The journal for that month is closed. Its due date has passed."))


def can_correct(entry: JournalEntry, organization: Organization, now: dt.datetime) -> bool:
    """Return whether a submitted entry is still inside the organization's edit window."""
    if entry.submitted_at is None:
        return True
    return now <= entry.submitted_at + dt.timedelta(days=organization.journal_edit_days)


@dataclass
class SaveResult:
    entry: JournalEntry
    created: bool
    submitted_now: bool
    corrected: bool
    stipend: Stipend | None


def _apply(entry: JournalEntry, values: dict[str, Any], indicators: dict[str, Indicator]) -> None:
    extra = dict(entry.extra or {})
    for code, value in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        if indicator.is_builtin and code in BUILTIN_CODES:
            setattr(entry, code, value)
        elif value is None:
            extra.pop(code, None)
        else:
            extra[code] = value
    entry.extra = extra


def _snapshot(entry: JournalEntry) -> dict[str, Any]:
    return {k: v for k, v in entry.values().items() if v is not None}


def _earn_stipend(
    entry: JournalEntry, organization: Organization, today: dt.date
) -> Stipend | None:
    amount = Decimal(organization.stipend_amount)
    if amount <= 0 or today > due_date(entry.period, organization.journal_due_day):
        return None
    # A month earns one stipend, even when it is submitted again after its entry was deleted.
    stipend, _created = _create_or_read(
        Stipend,
        lambda: (
            Stipend.objects.for_org(organization)
            .filter(family_id=entry.family_id, period=entry.period)
            .first()
        ),
        organization=organization,
        family_id=entry.family_id,
        period=entry.period,
        entry=entry,
        amount=amount,
    )
    return stipend


def _save_goal_notes(entry: JournalEntry, notes: dict[int, str]) -> None:
    for goal_id, note in notes.items():
        GoalUpdate.objects.update_or_create(
            organization=entry.organization,
            goal_id=goal_id,
            period=entry.period,
            defaults={"note": note},
        )


@dataclass(frozen=True)
class Held:
    """The month's entry as the caller read it with a lock, in the transaction it still holds.

    `entry` is None when there was none: the save inserts it (or reads the one a racing save
    inserted first).
    """

    entry: JournalEntry | None


def lock_month_entry(*, organization: Organization, family: Family, period: dt.date) -> Held:
    """Read the month's entry (or its absence) locked until the caller's transaction ends.

    Only that row is locked, never last month's: every save locks the same one row, so two
    saves cannot each hold what the other waits for.
    """
    if not transaction.get_connection().in_atomic_block:
        raise ValueError("Lock the entry inside the transaction that saves it.")
    entries = JournalEntry.objects.select_for_update().for_org(organization)
    return Held(entries.filter(family=family).in_period(period).first())


def _locked_entry(
    organization: Organization, family: Family, period: dt.date, held: Held | None
) -> tuple[JournalEntry, bool]:
    """Return the month's entry locked for this transaction, creating it once however many try.

    The caller may have read it already (`held`). The first save inserts it in a savepoint; a
    racing insert waits for the winner, fails on the unique constraint and reads (and locks)
    the row the winner wrote.
    """

    def read() -> Held:
        return lock_month_entry(organization=organization, family=family, period=period)

    held = held or read()
    if held.entry is not None:
        return held.entry, False
    return _create_or_read(
        JournalEntry, lambda: read().entry, organization=organization, family=family, period=period
    )


def _create_or_read(model: type[M], read: Callable[[], M | None], **fields: Any) -> tuple[M, bool]:
    """Insert a row in a savepoint, or return the one a unique constraint says is there.

    For a row that is almost never there yet, so the insert comes first. An integrity error
    with no row to read is raised again.
    """
    try:
        with transaction.atomic():
            return model._default_manager.create(**fields), True
    except IntegrityError:
        existing = read()
        if existing is None:
            raise
        return existing, False


def _transaction_unless(held: Held | None) -> AbstractContextManager[Any]:
    """Return a transaction of its own, or none where the caller's holds the entry's lock."""
    if held is None:
        return transaction.atomic()
    if not transaction.get_connection().in_atomic_block:
        raise ValueError("A held entry is only held inside the transaction that locked it.")
    return nullcontext()


def journal_save(
    *,
    organization: Organization,
    family: Family,
    period: dt.date,
    actor: Any,
    values: dict[str, Any],
    invalid: dict[str, str] | None = None,
    goal_notes: dict[int, str] | None = None,
    submit: bool,
    indicators: Iterable[Indicator] | None = None,
    held: Held | None = None,
) -> SaveResult:
    """Save a month's journal as a draft, submit it, or correct it once submitted.

    A draft keeps valid answers in their columns and exactly what was typed in `invalid`.
    Submitting twice, or twenty times at once, leaves one entry; a correction of a submitted
    entry keeps the earlier values in a JournalRevision. `indicators` (the catalog
    the values are checked against) defaults to every indicator of the organization; the
    journal page passes the ones its form asked.

    It runs in a transaction of its own, unless the caller read and locked the month's entry
    in its transaction and passes it `held`: then in that one, which the caller rolls back
    whole if the save fails.
    """
    with _transaction_unless(held):
        return _save(
            organization=organization,
            family=family,
            period=period,
            actor=actor,
            values=values,
            invalid=invalid or {},
            goal_notes=goal_notes or {},
            submit=submit,
            indicators=indicators,
            held=held,
        )


def _save(
    *,
    organization: Organization,
    family: Family,
    period: dt.date,
    actor: Any,
    values: dict[str, Any],
    invalid: dict[str, str],
    goal_notes: dict[int, str],
    submit: bool,
    indicators: Iterable[Indicator] | None,
    held: Held | None,
) -> SaveResult:
    now = timezone.now()
    today = organization.today()
    entry, created = _locked_entry(organization, family, period, held)
    if indicators is None:
        indicators = Indicator.objects.for_org(organization)
    catalog = {i.code: i for i in indicators}
    if entry.is_submitted:
        if not submit:
            raise JournalError(
                _("This journal is already submitted; save your changes as a correction.")
            )
        if not can_correct(entry, organization, now):
            raise JournalError(
                _("This journal can no longer be changed: the time to correct it has passed.")
            )
        before = _snapshot(entry)
        _apply(entry, values, catalog)
        changed = _snapshot(entry) != before
        if changed:
            JournalRevision.objects.create(
                organization=organization, entry=entry, values=before, changed_by=actor
            )
            entry.save()
        _save_goal_notes(entry, goal_notes or {})
        return SaveResult(entry, created, submitted_now=False, corrected=changed, stipend=None)
    period_check(organization=organization, family=family, period=period, today=today)
    _apply(entry, values, catalog)
    entry.draft = {} if submit else dict(invalid or {})
    stipend = None
    if submit:
        entry.status = EntryStatus.SUBMITTED
        entry.submitted_at = now
        entry.submitted_by = actor
    entry.save()
    if submit:
        stipend = _earn_stipend(entry, organization, today)
    _save_goal_notes(entry, goal_notes or {})
    return SaveResult(entry, created, submitted_now=submit, corrected=False, stipend=stipend)


@transaction.atomic
def goal_add_update(
    *, goal: Goal, note: str, amount_so_far: float | None = None, percent_done: int | None = None
) -> GoalUpdate:
    """Record a step of progress; reaching 100 percent marks the goal achieved."""
    update = GoalUpdate.objects.create(
        organization_id=goal.organization_id,
        goal=goal,
        note=note,
        amount_so_far=amount_so_far,
        percent_done=percent_done,
        # No period: updates from the journal carry their month, one per goal and month.
    )
    if percent_done == 100 and goal.status != GoalStatus.ACHIEVED:
        goal_set_status(goal=goal, status=GoalStatus.ACHIEVED)
    return update


@transaction.atomic
def goal_set_status(*, goal: Goal, status: str) -> Goal:
    """Move a goal to a status; achieving it records when."""
    goal.status = status
    goal.achieved_at = timezone.now() if status == GoalStatus.ACHIEVED else None
    goal.save(update_fields=["status", "achieved_at"])
    return goal


class HelpError(Exception):
    """A help exchange cannot be recorded or confirmed, for a reason the family should read."""


@transaction.atomic
def help_record(
    *,
    family: Family,
    other: Family | None,
    gave: bool,
    kind: str,
    hours: float | None,
    amount: float | None,
    note: str = "",
    period: dt.date,
) -> HelpExchange:
    """Record help between the family and another of its group, or someone outside it.

    Help with someone outside the group has nobody on fii to confirm it, so the family's own
    word stands; help between two families waits for the other family's confirmation.
    """
    if other is not None and (
        other.organization_id != family.organization_id or other.pk == family.pk
    ):
        raise HelpError(_("Choose a family of your group."))
    giver, receiver = (family, other) if gave else (other, family)
    return HelpExchange.objects.create(
        organization_id=family.organization_id,
        period=month_start(period),
        giver=giver,
        receiver=receiver,
        recorded_by=family,
        kind=kind,
        hours=hours,
        amount=amount,
        note=note,
        confirmed_at=timezone.now() if other is None else None,
    )


def help_confirm(*, organization: Organization, family: Family, exchange_id: int) -> None:
    """Confirm help recorded by the other family; exactly one waiting row must change."""
    changed = (
        HelpExchange.objects.for_org(organization)
        .involving([family])
        .filter(pk=exchange_id, confirmed_at__isnull=True)
        .exclude(recorded_by=family)
        .update(confirmed_at=timezone.now())
    )
    if changed != 1:
        raise HelpError(_("There is nothing to confirm here: it may be confirmed already."))


# Organization settings and the indicator catalog (org admins) ------------------------------


class CatalogError(Exception):
    """A change to the catalog is refused, for a reason the admin should read."""


@transaction.atomic
def organization_settings_update(
    *,
    organization: Organization,
    actor: Any,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> list[str]:
    """Apply validated settings and audit the names of the fields that changed."""
    changed = [name for name, value in changes.items() if getattr(organization, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(organization, name, changes[name])
    organization.save(update_fields=changed)
    audit_event(
        "organization.settings_changed",
        organization=organization,
        actor=actor,
        obj=organization,
        request=request,
        fields=changed,
    )
    return changed


def indicator_usage(*, organization: Organization) -> dict[str, int]:
    """Return, by code, how many journals hold a value of each indicator: one query."""
    indicators = list(Indicator.objects.for_org(organization).values_list("code", "column"))
    counts = {}
    for code, column in indicators:
        if column in BUILTIN_CODES:
            counts[f"n_{code}"] = Count("pk", filter=Q(**{f"{column}__isnull": False}))
        else:
            counts[f"n_{code}"] = Count("pk", filter=Q(extra__has_key=code))
    if not counts:
        return {}
    totals = JournalEntry.objects.for_org(organization).aggregate(**counts)
    return {code: totals[f"n_{code}"] for code, _column in indicators}


def indicator_is_used(*, organization: Organization, indicator: Indicator) -> bool:
    """Return whether any journal of the organization holds a value of the indicator."""
    entries = JournalEntry.objects.for_org(organization)
    if indicator.is_builtin:
        return entries.filter(**{f"{indicator.column}__isnull": False}).exists()
    return entries.filter(extra__has_key=indicator.code).exists()


@transaction.atomic
def indicator_save(
    *,
    organization: Organization,
    actor: Any,
    indicator: Indicator,
    changed: list[str],
    request: HttpRequest | None = None,
) -> Indicator:
    """Create or update a custom indicator (validated by CustomIndicatorForm); audit it."""
    if indicator.is_builtin:
        raise CatalogError(_("Built-in indicators can be switched on or off, not changed."))
    created = indicator.pk is None
    indicator.organization = organization
    if created:
        last = Indicator.objects.for_org(organization).aggregate(top=Max("position"))["top"]
        indicator.position = (last or 0) + 1
    indicator.save()
    audit_event(
        "indicator.created" if created else "indicator.updated",
        organization=organization,
        actor=actor,
        obj=indicator,
        request=request,
        code=indicator.code,
        fields=changed,
    )
    return indicator


@transaction.atomic
def indicator_set_active(
    *,
    organization: Organization,
    actor: Any,
    indicator: Indicator,
    active: bool,
    request: HttpRequest | None = None,
) -> Indicator:
    """Switch an indicator on or off; switching a custom one off retires it (kept, dated)."""
    if indicator.active == active:
        return indicator
    indicator.active = active
    indicator.retired_at = None if active or indicator.is_builtin else timezone.now()
    indicator.save(update_fields=["active", "retired_at"])
    audit_event(
        "indicator.activated" if active else "indicator.retired",
        organization=organization,
        actor=actor,
        obj=indicator,
        request=request,
        code=indicator.code,
    )
    return indicator


@transaction.atomic
def indicator_delete(
    *,
    organization: Organization,
    actor: Any,
    indicator: Indicator,
    request: HttpRequest | None = None,
) -> None:
    """Delete a custom indicator nobody has answered; a used one can only be retired."""
    indicator = Indicator.objects.select_for_update().get_for_org_or_404(
        organization, pk=indicator.pk
    )
    if indicator.is_builtin:
        raise CatalogError(_("Built-in indicators cannot be deleted; switch them off instead."))
    if indicator_is_used(organization=organization, indicator=indicator):
        raise CatalogError(
            _("Families have answered this indicator, so it cannot be deleted: retire it instead.")
        )
    audit_event(
        "indicator.deleted",
        organization=organization,
        actor=actor,
        obj=indicator,
        request=request,
        code=indicator.code,
    )
    indicator.delete()


# Stipend payouts ---------------------------------------------------------------------------


@transaction.atomic
def stipends_mark_paid(
    *,
    organization: Organization,
    actor: Any,
    period: dt.date,
    request: HttpRequest | None = None,
) -> int:
    """Mark every earned stipend of a month as paid now; return how many changed."""
    changed = (
        Stipend.objects.for_org(organization)
        .earned()
        .filter(period=period)
        .update(status=StipendStatus.PAID, paid_at=timezone.now())
    )
    audit_record(
        action="stipends.marked_paid",
        actor=actor,
        organization=organization,
        detail={"period": period.isoformat(), "count": changed},
        request=request,
    )
    return changed
