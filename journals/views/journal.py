"""The monthly journal: carry-forward, drafts that keep what was typed, submit and correct."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, family_view

from ..catalog import Kind
from ..forms import GOAL_PREFIX, NO_CHANGE_PREFIX, JournalForm
from ..models import Goal, Indicator, JournalEntry
from ..periods import due_date, month_or_404, reporting_period
from ..selectors import active_indicators, goals_for, help_rows_for, journal_month_entries
from ..services import (
    Held,
    JournalError,
    SaveResult,
    can_correct,
    journal_save,
    lock_month_entry,
    open_periods,
    period_check,
)


def _as_text(value: Any, indicator: Indicator) -> str:
    """Return a stored value as the form would have it typed."""
    if value is None:
        return ""
    if indicator.kind in (Kind.YESNO, Kind.SCALE, Kind.COUNT) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _entry_data(entry: JournalEntry | None, indicators: list[Indicator]) -> dict[str, str]:
    if entry is None:
        return {}
    values = entry.values()
    data = {i.code: _as_text(values.get(i.code), i) for i in indicators}
    data.update(entry.draft or {})
    return data


class JournalPage:
    """Everything one journal page needs, looked up once."""

    def __init__(self, request: OrgRequest, period: dt.date, lock: bool = False) -> None:
        """With `lock` (a save, in a transaction) the month's entry is read locked, once, and
        last month's only if the save needs it."""
        self.request = request
        self.org = request.organization
        self.family = request.family
        self.period = period
        self.held: Held | None = None
        self._previous: JournalEntry | bool | None = False  # False: not read yet
        if lock:
            self.held = lock_month_entry(organization=self.org, family=self.family, period=period)
            self.entry = self.held.entry
        else:
            self.entry, self._previous = journal_month_entries(
                organization=self.org, family=self.family, period=period
            )
        self.indicators = active_indicators(self.org)

    @property
    def previous(self) -> JournalEntry | None:
        """Return the last submitted entry before the month (a save reads it only if asked)."""
        if self._previous is False:
            self._previous = journal_month_entries(
                organization=self.org, family=self.family, period=self.period
            )[1]
        assert not isinstance(self._previous, bool)
        return self._previous

    @cached_property
    def goals(self) -> list[Goal]:
        return goals_for(organization=self.org, family=self.family, open_only=True)

    @property
    def editable(self) -> bool:
        if self.entry is not None and self.entry.is_submitted:
            return can_correct(self.entry, self.org, timezone.now())
        return True

    def form(
        self,
        data: QueryDict | dict[str, str] | None = None,
        submit: bool = True,
        goals: bool = True,
    ) -> JournalForm:
        return JournalForm(
            data, indicators=self.indicators, goals=self.goals if goals else (), for_submit=submit
        )

    def goal_notes_posted(self) -> bool:
        """Return whether a note on a goal was typed; if not, a save need not read the goals.

        A blank note is neither saved nor checked, so the form leaves the goals out.
        """
        posted = self.request.POST
        return any((posted.get(key) or "").strip() for key in posted if key.startswith(GOAL_PREFIX))

    def posted_data(self) -> QueryDict:
        """Return the POST, with the answers of 'no change' sections copied from last month."""
        posted = self.request.POST
        unchanged = [i for i in self.indicators if posted.get(NO_CHANGE_PREFIX + i.domain)]
        if not unchanged:
            return posted
        data = posted.copy()
        carried = _entry_data(self.previous, self.indicators)
        for indicator in unchanged:
            if indicator.code in carried:
                data[indicator.code] = carried[indicator.code]
        return data

    def initial_form(self) -> JournalForm:
        if self.entry is not None:
            # Bound, so a draft shows again which fields need attention.
            return self.form(_entry_data(self.entry, self.indicators), submit=False)
        return JournalForm(
            initial=_entry_data(self.previous, self.indicators),
            indicators=self.indicators,
            goals=self.goals,
        )

    def save(self, form: JournalForm, submit: bool) -> SaveResult:
        return journal_save(
            organization=self.org,
            family=self.family,
            period=self.period,
            actor=self.request.user,
            values=form.values(),
            invalid=form.raw_invalid(),
            goal_notes=form.goal_notes(),
            submit=submit,
            indicators=self.indicators,
            held=self.held,
        )

    def render(self, form: JournalForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "entry": self.entry,
            "period": self.period,
            "due": due_date(self.period, self.org.journal_due_day),
            "previous": self.previous,
            "editable": self.editable,
            "submitted": self.entry is not None and self.entry.is_submitted,
            "updated_at": self.entry.updated_at.isoformat() if self.entry else "",
            "help_rows": help_rows_for(
                organization=self.org, family=self.family, period=self.period
            ),
            "open_periods": open_periods(
                organization=self.org, family=self.family, today=self.org.today()
            ),
        }
        return render(self.request, "journals/journal.html", context, status=status)


def _refusal(request: OrgRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "journals/journal_closed.html", {"message": message}, status=status)


def _check_open(page: JournalPage) -> str | None:
    if page.entry is not None and page.entry.is_submitted:
        return None
    try:
        period_check(
            organization=page.org, family=page.family, period=page.period, today=page.org.today()
        )
    except JournalError as exc:
        return str(exc)
    return None


@family_view
def journal_current(request: OrgRequest) -> HttpResponse:
    """Open the month the family is reporting on now."""
    org = request.organization
    period = reporting_period(org.today(), org.journal_due_day)
    return redirect("journal_month", org_slug=org.slug, year=period.year, month=period.month)


@family_view
@require_http_methods(["GET", "POST"])
def journal_month(request: OrgRequest, year: int, month: int) -> HttpResponse:
    period = month_or_404(year, month)
    if request.method == "GET":
        page = JournalPage(request, period)
        refusal = _check_open(page)
        if refusal:
            return _refusal(request, refusal)
        return page.render(page.initial_form())
    try:
        # One transaction from the locked read of the month to the save: a refusal rolls
        # back everything, and the entry is read once.
        with transaction.atomic():
            return _journal_post(request, JournalPage(request, period, lock=True))
    except JournalError as exc:
        return _refusal(request, str(exc))


def _journal_post(request: OrgRequest, page: JournalPage) -> HttpResponse:
    """Save a draft, submit or correct; a JournalError is raised for the caller to roll back."""
    refusal = _check_open(page)
    if refusal:
        return _refusal(request, refusal)
    if not page.editable:
        return _refusal(request, _("The time to correct this journal has passed."), status=409)
    submit = request.POST.get("action") == "submit" or (
        page.entry is not None and page.entry.is_submitted
    )
    data = page.posted_data()
    form = page.form(data, submit=submit, goals=page.goal_notes_posted())
    if submit and not form.is_valid():
        if page.entry is None or not page.entry.is_submitted:
            # Nothing typed is lost by a failed submit.
            page.entry = page.save(form, submit=False).entry
        if not form.goals:
            form = page.form(data, submit=submit)  # The page shows the goals' fields too.
            form.is_valid()
        return page.render(form, status=400)
    result = page.save(form, submit=submit)
    return _after_save(request, page, form, result, submit)


def _after_save(
    request: OrgRequest, page: JournalPage, form: JournalForm, result: SaveResult, submit: bool
) -> HttpResponse:
    org_slug = page.org.slug
    if result.submitted_now:
        text = _("Thank you! Your journal for %(month)s is submitted.") % {
            "month": _month_label(page.period)
        }
        if result.stipend is not None:
            text += " " + _("You earned %(amount)s %(currency)s.") % {
                "amount": result.stipend.amount,
                "currency": page.org.currency,
            }
        messages.success(request, text)
        return redirect("family_home", org_slug=org_slug)
    if submit:
        messages.success(
            request, _("Your corrections are saved.") if result.corrected else _("Nothing changed.")
        )
        return redirect("family_home", org_slug=org_slug)
    attention = len(form.raw_invalid())
    text = _("Draft saved.")
    if attention:
        text += " " + ngettext(
            "%(n)d answer needs attention before you submit.",
            "%(n)d answers need attention before you submit.",
            attention,
        ) % {"n": attention}
    messages.info(request, text)
    return redirect(
        "journal_month", org_slug=org_slug, year=page.period.year, month=page.period.month
    )


def _month_label(period: dt.date) -> str:
    return date_format(period, "YEAR_MONTH_FORMAT")


@family_view
@require_POST
def journal_autosave(request: OrgRequest, year: int, month: int) -> JsonResponse:
    """Save a draft in the background while the family types; answer in JSON."""
    period = month_or_404(year, month)
    try:
        with transaction.atomic():  # as journal_month's POST: read locked once, all or nothing
            return _autosave(JournalPage(request, period, lock=True))
    except JournalError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)


def _autosave(page: JournalPage) -> JsonResponse:
    refusal = _check_open(page)
    if refusal:
        return JsonResponse({"detail": refusal}, status=400)
    if page.entry is not None and page.entry.is_submitted:
        return JsonResponse({"detail": _("This journal is already submitted.")}, status=409)
    form = page.form(page.posted_data(), submit=False, goals=page.goal_notes_posted())
    form.is_valid()
    result = page.save(form, submit=False)
    period = page.period
    return JsonResponse(
        {
            "saved": True,
            "updated_at": result.entry.updated_at.isoformat(),
            "needs_attention": sorted(form.raw_invalid()),
            "url": reverse(
                "journal_month",
                kwargs={"org_slug": page.org.slug, "year": period.year, "month": period.month},
            ),
        }
    )
