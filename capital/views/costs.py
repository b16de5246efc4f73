"""What running the programs costs, month by month: staff time and overhead."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, staff_view

from ..forms import CostForm, attach_errors
from ..models import CostCategory, Program, ProgramCost
from ..services import cost_create, cost_delete

PER_PAGE = 25


def monthly_totals(org: Any) -> list[tuple[Any, list[Decimal], Decimal]]:
    """Return, newest month first, the cost of each category and the month's total."""
    by_month: dict[Any, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        ProgramCost.objects.for_org(org)
        .values_list("month", "category")
        .annotate(total=Sum("amount"))
        .order_by("-month")
    )
    for month, category, total in rows:
        by_month[month][category] = total
    zero = Decimal("0")
    return [
        (month, [totals.get(c, zero) for c in CostCategory.values], sum(totals.values(), zero))
        for month, totals in by_month.items()
    ]


def _render(request: OrgRequest, form: CostForm, status: int = 200) -> HttpResponse:
    org = request.organization
    costs = ProgramCost.objects.for_org(org).select_related("program").order_by("-month", "pk")
    context = {
        "form": form,
        "page": Paginator(costs, PER_PAGE).get_page(request.GET.get("page")),
        "totals": monthly_totals(org),
        "categories": CostCategory.choices,
    }
    return render(request, "capital/costs.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def cost_list(request: OrgRequest) -> HttpResponse:
    """List the recorded costs with monthly totals; record a new one."""
    org = request.organization
    form = CostForm(
        request.POST or None,
        programs=list(Program.objects.for_org(org)),
        today=org.today(),
        initial={"month": org.today().replace(day=1)},
    )
    if request.method != "POST":
        return _render(request, form)
    if form.is_valid():
        try:
            cost_create(
                organization=org, actor=request.user, cost=form.save(commit=False), request=request
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The cost is recorded."))
            return redirect("cost_list", org_slug=org.slug)
    return _render(request, form, status=400)


@staff_view
@require_POST
def cost_remove(request: OrgRequest, cost_id: int) -> HttpResponse:
    org = request.organization
    cost = ProgramCost.objects.get_for_org_or_404(org, pk=cost_id)
    cost_delete(organization=org, actor=request.user, cost_id=cost.pk, request=request)
    messages.success(request, _("The cost is deleted."))
    return redirect("cost_list", org_slug=org.slug)
