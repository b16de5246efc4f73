"""Help given and received between families: recorded by one, confirmed by the other."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, family_view

from ..forms import HelpForm
from ..models import HelpExchange
from ..periods import month_start
from ..selectors import family_neighbours
from ..services import HelpError, help_confirm, help_record


@family_view
@require_http_methods(["GET", "POST"])
def help_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    family = request.family
    form = HelpForm(
        request.POST if request.method == "POST" else None,
        neighbours=family_neighbours(organization=org, family=family),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            help_record(
                family=family,
                other=form.other_family(),
                gave=data["direction"] == "gave",
                kind=data["kind"],
                hours=data["hours"],
                amount=data["amount"],
                note=data["note"],
                period=month_start(org.today()),
            )
        except HelpError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you. Help like this is what makes a group strong."))
            return redirect("help_list", org_slug=org.slug)
    rows = (
        HelpExchange.objects.for_org(org)
        .involving([family])
        .select_related("giver", "receiver", "recorded_by")
        .order_by("-period", "-created_at")[:100]
    )
    context = {"form": form, "rows": list(rows), "family": family}
    return render(request, "journals/help_list.html", context, status=400 if form.errors else 200)


@family_view
@require_POST
def help_confirm_view(request: OrgRequest, help_id: int) -> HttpResponse:
    org = request.organization
    try:
        help_confirm(organization=org, family=request.family, exchange_id=help_id)
    except HelpError as exc:
        messages.error(request, str(exc))
        return redirect("help_list", org_slug=org.slug)
    messages.success(request, _("Confirmed. Thank you."))
    return redirect("help_list", org_slug=org.slug)
