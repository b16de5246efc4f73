"""A family as staff see it: its page (facts, journals, goals, help) and its edit form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from families.forms import FamilyForm, FamilyMoveForm
from families.models import Family, FamilyMember
from families.selectors import family_accounts
from families.services import RosterError, family_save
from families.views.common import refused
from fii.access import OrgRequest, staff_view
from fii.audit import audit_read

from ..selectors import goals_for, help_rows_for, recent_entries


def _family(request: OrgRequest, family_id: int) -> Family:
    return Family.objects.select_related("group").get_for_org_or_404(
        request.organization, pk=family_id
    )


@staff_view
def family_detail(request: OrgRequest, family_id: int) -> HttpResponse:
    """Show staff one family's facts, journals, goals and help; every view is audited."""
    org = request.organization
    family = _family(request, family_id)
    audit_read(request, family, page="family")
    context = {
        "family": family,
        "members": list(family.members.all()),
        "entries": recent_entries(organization=org, family=family, months=12),
        "goals": goals_for(organization=org, family=family),
        "help_rows": help_rows_for(organization=org, family=family, limit=20),
    }
    return render(request, "journals/family_detail.html", context)


def _edit_page(
    request: OrgRequest, family: Family, form: FamilyForm | None = None, status: int = 200
) -> HttpResponse:
    org = request.organization
    context = {
        "family": family,
        "form": form or FamilyForm(instance=family, organization=org, prefix="family"),
        "move_form": FamilyMoveForm(
            organization=org, prefix="move", initial={"group": family.group}
        ),
        "members": list(FamilyMember.objects.for_org(org).filter(family=family)),
        "accounts": family_accounts(organization=org, family=family),
    }
    return render(request, "journals/family_edit.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def family_edit(request: OrgRequest, family_id: int) -> HttpResponse:
    """Show staff the family's facts to correct, its group, people and accounts; save the facts."""
    org = request.organization
    family = _family(request, family_id)
    if request.method != "POST":
        audit_read(request, family, page="edit")
        return _edit_page(request, family)
    form = FamilyForm(request.POST, instance=family, organization=org, prefix="family")
    if not form.is_valid():
        family.refresh_from_db()
        return _edit_page(request, family, form=form, status=400)
    try:
        family_save(
            organization=org,
            actor=request.user,
            family=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
    except RosterError as error:
        return refused(request, str(error), request.path)
    messages.success(request, _("Saved."))
    return redirect("family_edit", org_slug=org.slug, family_id=family.pk)
