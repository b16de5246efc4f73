"""A family's goals in its own words, their priorities and progress."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, family_view

from ..forms import GoalForm, GoalStatusForm, GoalUpdateForm
from ..models import Goal
from ..services import goal_add_update, goal_set_status


def _goal(request: OrgRequest, goal_id: int) -> Goal:
    org = request.organization
    family = request.family
    return Goal.objects.filter(family=family).get_for_org_or_404(org, pk=goal_id)


@family_view
def goal_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    goals = Goal.objects.for_org(org).filter(family=request.family)
    open_goals = [g for g in goals if g.is_open]
    done = [g for g in goals if not g.is_open]
    return render(
        request, "journals/goal_list.html", {"open_goals": open_goals, "done_goals": done}
    )


@family_view
@require_http_methods(["GET", "POST"])
def goal_create(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = GoalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        goal = form.save(commit=False)
        goal.organization = org
        goal.family = request.family
        goal.save()
        messages.success(request, _("Your goal is saved. Every step counts."))
        return redirect("goal_detail", org_slug=org.slug, goal_id=goal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "journals/goal_form.html", {"form": form}, status=status)


@family_view
@require_http_methods(["GET", "POST"])
def goal_detail(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    edit_form = GoalForm(instance=goal, prefix="edit")
    update_form = GoalUpdateForm(prefix="update")
    status_form = GoalStatusForm(initial={"status": goal.status}, prefix="status")
    code = 200
    if request.method == "POST":
        edit_form = GoalForm(request.POST, instance=goal, prefix="edit")
        if edit_form.is_valid():
            with transaction.atomic():
                edit_form.save()
            messages.success(request, _("Goal updated."))
            return redirect("goal_detail", org_slug=goal.organization.slug, goal_id=goal.pk)
        code = 400
    context = {
        "goal": goal,
        "updates": list(goal.updates.all()),
        "edit_form": edit_form,
        "update_form": update_form,
        "status_form": status_form,
    }
    return render(request, "journals/goal_detail.html", context, status=code)


@family_view
@require_POST
def goal_progress(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    form = GoalUpdateForm(request.POST, prefix="update")
    if not form.is_valid():
        context = {
            "goal": goal,
            "updates": list(goal.updates.all()),
            "update_form": form,
            "edit_form": GoalForm(instance=goal, prefix="edit"),
            "status_form": GoalStatusForm(initial={"status": goal.status}, prefix="status"),
        }
        return render(request, "journals/goal_detail.html", context, status=400)
    goal_add_update(goal=goal, **form.cleaned_data)
    messages.success(request, _("Progress noted. Well done."))
    return redirect("goal_detail", org_slug=goal.organization.slug, goal_id=goal.pk)


@family_view
@require_POST
def goal_status(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    form = GoalStatusForm(request.POST, prefix="status")
    if form.is_valid():
        goal_set_status(goal=goal, status=form.cleaned_data["status"])
        if goal.status == "achieved":
            messages.success(request, _("Congratulations on reaching your goal!"))
        else:
            messages.success(request, _("Goal updated."))
        return redirect("goal_detail", org_slug=goal.organization.slug, goal_id=goal.pk)
    messages.error(request, _("Choose one of the listed statuses."))
    return redirect("goal_detail", org_slug=goal.organization.slug, goal_id=goal.pk)
