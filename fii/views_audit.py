"""The organization's audit log, for its admins: who did what, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .access import OrgRequest, admin_view
from .forms import DescribedFieldsMixin
from .models import AuditEvent, Membership, Organization

EVENTS_PER_PAGE = 50


class AuditFilterForm(DescribedFieldsMixin, forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = (
            AuditEvent.objects.for_org(organization)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct()
        )
        people = (
            Membership.objects.for_org(organization).select_related("user").order_by("user__email")
        )
        self.fields["action"].choices = [("", _("Any action")), *((a, a) for a in actions)]  # type: ignore[attr-defined]
        self.fields["actor"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((m.user_id, m.user.email) for m in people),
        ]
        self.describe_fields()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned


def _start_of(day: dt.date, organization: Organization) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=organization.tz)


def audit_events(*, organization: Organization, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Return the organization's events, newest first, narrowed by the filter form's values."""
    events = AuditEvent.objects.for_org(organization).select_related("actor").order_by("-at", "-pk")
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("actor"):
        events = events.filter(actor_id=filters["actor"])
    if filters.get("date_from"):
        events = events.filter(at__gte=_start_of(filters["date_from"], organization))
    if filters.get("date_to"):
        end = filters["date_to"] + dt.timedelta(days=1)
        events = events.filter(at__lt=_start_of(end, organization))
    return events


def detail_text(detail: dict[str, Any]) -> str:
    """Return an event's detail as "key: value; key: a, b" for a table cell."""
    parts = []
    for key, value in (detail or {}).items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


@admin_view
def audit_log(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = AuditFilterForm(request.GET or None, organization=org)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    events = audit_events(organization=org, filters=filters) if valid else AuditEvent.objects.none()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.detail_text = detail_text(event.detail)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "valid": valid}
    return render(request, "fii/audit_log.html", context, status=200 if valid else 400)
