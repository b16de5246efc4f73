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
from .models import AuditEvent, Membership, Organization

EVENTS_PER_PAGE = 50

# What each action means, for the page; an action missing here shows its code alone.
# Sign-ins and account changes (auth.*, mfa.*, api_token.*) have no organization and never
# reach this page; they are listed so an operator's tools can share the wording.
ACTION_LABELS: dict[str, Any] = {
    "access.denied": _("Refused a page"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "auth.email_added": _("E-mail address added"),
    "auth.email_changed": _("E-mail address changed"),
    "auth.email_removed": _("E-mail address removed"),
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
    "auth.logout": _("Logged out"),
    "auth.mfa_failed": _("Wrong second-factor code"),
    "auth.password_changed": _("Password changed"),
    "auth.password_reset": _("Password reset"),
    "auth.password_set": _("Password set"),
    "auth.rate_limited": _("Too many attempts: refused"),
    "auth.token_failed": _("Wrong API token"),
    "capital.exported": _("Capital data downloaded"),
    "consent.granted": _("Consent given"),
    "consent.revoked": _("Consent withdrawn"),
    "cost.created": _("Program cost recorded"),
    "cost.deleted": _("Program cost deleted"),
    "disbursement.status_changed": _("Payment status changed"),
    "family.archived": _("Family archived"),
    "family.created": _("Family added"),
    "family.data_downloaded": _("Family downloaded its data"),
    "family.moved": _("Family moved to another group"),
    "family.restored": _("Family restored"),
    "family.settings_changed": _("Family changed its settings"),
    "family.updated": _("Family changed"),
    "family.viewed": _("Staff looked at a family's data"),
    "flag.answered": _("Family answered a question"),
    "flag.decided": _("Capital decision"),
    "flag.viewed": _("Staff looked at a family's flag"),
    "funder.exported": _("Funder downloaded figures"),
    "group.archived": _("Group archived"),
    "group.created": _("Group added"),
    "group.restored": _("Group restored"),
    "group.updated": _("Group changed"),
    "import.completed": _("Import finished"),
    "import.started": _("Import started"),
    "indicator.activated": _("Question switched on"),
    "indicator.created": _("Question added"),
    "indicator.deleted": _("Question deleted"),
    "indicator.retired": _("Question switched off"),
    "indicator.updated": _("Question changed"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.cancelled": _("Invitation cancelled"),
    "invitation.replaced": _("Invitation sent again"),
    "invitation.sent": _("Invitation sent"),
    "loan.status_changed": _("Loan status changed"),
    "member.added": _("Household member added"),
    "member.removed": _("Household member removed"),
    "member.updated": _("Household member changed"),
    "membership.deactivated": _("Account switched off"),
    "membership.reactivated": _("Account switched back on"),
    "membership.role_changed": _("Role changed"),
    "mfa.authenticator_added": _("Second factor set up"),
    "mfa.authenticator_removed": _("Second factor removed"),
    "mfa.authenticator_reset": _("Recovery codes renewed"),
    "organization.settings_changed": _("Organization settings changed"),
    "program.created": _("Program added"),
    "program.updated": _("Program changed"),
    "repayment.recorded": _("Repayment recorded"),
    "rule.created": _("Readiness rule added"),
    "rule.deleted": _("Readiness rule deleted"),
    "rule.updated": _("Readiness rule changed"),
    "stipends.exported": _("Stipends downloaded"),
    "stipends.marked_paid": _("Stipends marked paid"),
    "story.invited": _("Family invited to share a story"),
    "story.saved": _("Story saved"),
    "story.withdrawn": _("Story withdrawn"),
}


def action_label(action: str) -> Any:
    """Return the action's label for people, or its code when it has none."""
    return ACTION_LABELS.get(action, action)


class AuditFilterForm(forms.Form):
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
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("Any action")),
            *((a, action_label(a)) for a in actions),
        ]
        self.fields["actor"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((m.user_id, m.user.email) for m in people),
        ]

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
        event.label = ACTION_LABELS.get(event.action, "")  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "valid": valid}
    return render(request, "fii/audit_log.html", context, status=200 if valid else 400)
