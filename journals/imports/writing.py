"""Writing the checked rows: one transaction of bulk inserts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from families.models import Family, household_key
from fii.models import Organization

from ..catalog import BUILTIN_CODES
from ..models import EntryStatus, JournalEntry
from .checks import CheckResult, Context, FamilyRow, JournalRow


def _new_families(organization: Organization, rows: list[FamilyRow]) -> dict[str, Family]:
    families = [
        Family(
            organization=organization,
            name=r.name,
            group=r.group,
            joined_on=r.joined_on,
            household_size=r.household_size,
            baseline_monthly_income=r.income,
            baseline_savings=r.savings,
            baseline_debt=r.debt,
        )
        for r in rows
    ]
    Family.objects.bulk_create(families, batch_size=1000)
    return {household_key(f.name): f for f in families}


def _entry(
    organization: Organization, family: Family, row: JournalRow, actor: Any, now: dt.datetime
) -> JournalEntry:
    entry = JournalEntry(
        organization=organization,
        family=family,
        period=row.period,
        status=EntryStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=actor,
    )
    extra = {}
    for code, value in row.values.items():
        if code in BUILTIN_CODES:
            setattr(entry, code, value)
        else:
            extra[code] = value
    entry.extra = extra
    return entry


@transaction.atomic
def import_write(*, organization: Organization, actor: Any, result: CheckResult) -> dict[str, int]:
    """Write the checked rows in one transaction; months that have a journal are kept."""
    now = timezone.now()
    families = {
        key: found[0] for key, found in Context(organization).existing.items() if len(found) == 1
    }
    created = _new_families(organization, result.families)
    families.update(created)
    wanted = [r for r in result.journals if r.key in families]
    ids = {families[r.key].pk for r in wanted}
    taken = set(
        JournalEntry.objects.for_org(organization)
        .filter(family_id__in=ids)
        .values_list("family_id", "period")
    )
    entries = [
        _entry(organization, families[r.key], r, actor, now)
        for r in wanted
        if (families[r.key].pk, r.period) not in taken
    ]
    JournalEntry.objects.bulk_create(entries, batch_size=1000)
    return {
        "families_created": len(created),
        "journals_created": len(entries),
        "journals_existing": len(wanted) - len(entries),
    }
