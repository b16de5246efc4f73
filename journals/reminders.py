"""Journal reminders: one e-mail per family and month, a few days before the due day."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from families.models import Family
from fii.models import Membership, Organization, Role

from .models import EntryStatus, JournalEntry, Reminder
from .periods import due_date, reporting_period

log = logging.getLogger(__name__)


def _families_to_remind(organization: Organization, period: dt.date) -> list[Family]:
    done = JournalEntry.objects.for_org(organization).filter(
        period=period, status=EntryStatus.SUBMITTED
    )
    already = Reminder.objects.for_org(organization).filter(period=period)
    return list(
        Family.objects.for_org(organization)
        .active()
        .filter(reminders_enabled=True)
        .exclude(pk__in=done.values("family_id"))
        .exclude(pk__in=already.values("family_id"))
    )


def _send_one(organization: Organization, family: Family, period: dt.date, users: list) -> int:  # type: ignore[type-arg]
    url = settings.SITE_URL + reverse(
        "journal_month",
        kwargs={"org_slug": organization.slug, "year": period.year, "month": period.month},
    )
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "org": organization,
                "family": family,
                "period": period,
                "url": url,
                "due": due_date(period, organization.journal_due_day),
            }
            subject = render_to_string("journals/email/reminder_subject.txt", context).strip()
            body = render_to_string("journals/email/reminder.txt", context)
        send_mail(subject, body, None, [user.email])
    return len(users)


def reminders_send(*, organization: Organization, today: dt.date) -> int:
    """Remind families that have not submitted the month being reported on; return how many."""
    period = reporting_period(today, organization.journal_due_day)
    due = due_date(period, organization.journal_due_day)
    if not (due - dt.timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE) <= today <= due):
        return 0
    memberships = Membership.objects.for_org(organization).filter(
        role=Role.FAMILY, is_active=True, user__is_active=True
    )
    users_by_family: dict[int, list] = {}  # type: ignore[type-arg]
    for m in memberships.select_related("user"):
        users_by_family.setdefault(m.family_id, []).append(m.user)  # type: ignore[arg-type]
    sent = 0
    for family in _families_to_remind(organization, period):
        users = users_by_family.get(family.pk, [])
        if not users:
            continue
        try:
            # Claim the month first: a second run (or a retry) finds the row and sends nothing.
            with transaction.atomic():
                Reminder.objects.create(
                    organization=organization, family=family, period=period, recipients=len(users)
                )
                _send_one(organization, family, period, users)
        except IntegrityError:
            continue
        sent += 1
    return sent
