"""Groups and families: list, create, move, archive; the people of a household.

A family's edit page lives in journals, beside its staff page, which reads its journals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, staff_view

from .. import selectors, services
from ..forms import FamilyForm, FamilyMemberForm, FamilyMoveForm, GroupForm
from ..models import Family, FamilyMember, Group
from .common import form_status, record_view, refused

FAMILIES_PER_PAGE = 100


def _group(request: OrgRequest, group_id: int) -> Group:
    return Group.objects.get_for_org_or_404(request.organization, pk=group_id)


def _family(request: OrgRequest, family_id: int) -> Family:
    return Family.objects.select_related("group").get_for_org_or_404(
        request.organization, pk=family_id
    )


def _refusing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a change the roster services refuse (an erased family's) with its reason."""

    @wraps(view)
    def wrapper(request: OrgRequest, family_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, family_id, *args, **kwargs)
        except services.RosterError as error:
            kwargs = {"org_slug": request.organization.slug, "family_id": family_id}
            return refused(request, str(error), reverse("family_edit", kwargs=kwargs))

    return wrapper


# Groups ------------------------------------------------------------------------------------


@staff_view
def group_list(request: OrgRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    groups = list(selectors.group_list(organization=request.organization, archived=archived))
    return render(request, "families/group_list.html", {"groups": groups, "archived": archived})


@staff_view
def group_detail(request: OrgRequest, group_id: int) -> HttpResponse:
    org = request.organization
    group = _group(request, group_id)
    families = Family.objects.for_org(org).active().filter(group=group).order_by("name")
    return render(request, "families/group_detail.html", {"group": group, "families": families})


def _group_form_page(request: OrgRequest, group: Group | None) -> HttpResponse:
    org = request.organization
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        instance=group,
        organization=org,
        initial={} if group else {"started_on": org.today()},
    )
    if request.method == "POST" and form.is_valid():
        saved = services.group_save(
            organization=org,
            actor=request.user,
            group=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Group saved."))
        return redirect("group_detail", org_slug=org.slug, group_id=saved.pk)
    context = {"form": form, "group": group}
    return render(request, "families/group_form.html", context, status=form_status(request))


@staff_view
@require_http_methods(["GET", "POST"])
def group_create(request: OrgRequest) -> HttpResponse:
    return _group_form_page(request, None)


@staff_view
@require_http_methods(["GET", "POST"])
def group_edit(request: OrgRequest, group_id: int) -> HttpResponse:
    return _group_form_page(request, _group(request, group_id))


@staff_view
@require_POST
def group_archive(request: OrgRequest, group_id: int) -> HttpResponse:
    org = request.organization
    group = _group(request, group_id)
    back = reverse("group_detail", kwargs={"org_slug": org.slug, "group_id": group.pk})
    try:
        services.group_archive(organization=org, actor=request.user, group=group, request=request)
    except services.RosterError as error:
        return refused(request, str(error), back)
    messages.success(request, _("Group archived. Its history is kept."))
    return redirect("group_list", org_slug=org.slug)


@staff_view
@require_POST
def group_restore(request: OrgRequest, group_id: int) -> HttpResponse:
    org = request.organization
    group = _group(request, group_id)
    services.group_restore(organization=org, actor=request.user, group=group, request=request)
    messages.success(request, _("Group restored."))
    return redirect("group_detail", org_slug=org.slug, group_id=group.pk)


# Families ----------------------------------------------------------------------------------


def _family_filters(request: OrgRequest) -> dict[str, object]:
    raw_group = request.GET.get("group", "")
    filters: dict[str, object] = {
        "archived": request.GET.get("archived") == "1",
        "search": request.GET.get("q", "").strip()[:120],
        "group": None,
        "ungrouped": raw_group == "none",
    }
    if raw_group.isdigit():
        filters["group"] = (
            Group.objects.for_org(request.organization).filter(pk=int(raw_group)).first()
        )
    return filters


@staff_view
def family_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    filters = _family_filters(request)
    families = selectors.family_list(organization=org, **filters)  # type: ignore[arg-type]
    page = Paginator(families, FAMILIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "groups": list(Group.objects.for_org(org).active().order_by("name")),
        "query": query.urlencode(),
    }
    return render(request, "families/family_list.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def family_create(request: OrgRequest) -> HttpResponse:
    org = request.organization
    initial: dict[str, object] = {"joined_on": org.today(), "household_size": 1}
    group_id = request.GET.get("group", "")
    if group_id.isdigit():
        initial["group"] = Group.objects.for_org(org).active().filter(pk=int(group_id)).first()
    form = FamilyForm(
        request.POST if request.method == "POST" else None, organization=org, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        family = services.family_save(
            organization=org,
            actor=request.user,
            family=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Family added. You can now add its members and invite it."))
        return redirect("family_edit", org_slug=org.slug, family_id=family.pk)
    return render(request, "families/family_form.html", {"form": form}, status=form_status(request))


@staff_view
@require_POST
@_refusing
def family_move(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    form = FamilyMoveForm(request.POST, organization=org, prefix="move")
    if not form.is_valid():
        # The page offers only the organization's active groups: another one was forged or
        # archived meanwhile, so answer with the reason rather than the whole edit page.
        reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
        back = reverse("family_edit", kwargs={"org_slug": org.slug, "family_id": family.pk})
        return refused(request, reasons, back, status=400)
    group = form.cleaned_data["group"]
    services.family_move(
        organization=org, actor=request.user, family=family, group=group, request=request
    )
    if group is None:
        messages.success(request, _("The family is no longer in a group."))
    else:
        messages.success(request, _("Moved to %(group)s.") % {"group": group.name})
    return redirect("family_edit", org_slug=org.slug, family_id=family.pk)


@staff_view
@require_POST
def family_archive(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    services.family_archive(organization=org, actor=request.user, family=family, request=request)
    messages.success(request, _("Family archived. Its journals and history are kept."))
    return redirect("family_edit", org_slug=org.slug, family_id=family.pk)


@staff_view
@require_POST
@_refusing
def family_restore(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    services.family_restore(organization=org, actor=request.user, family=family, request=request)
    messages.success(request, _("Family restored."))
    return redirect("family_edit", org_slug=org.slug, family_id=family.pk)


# Members of a household --------------------------------------------------------------------


def _member(request: OrgRequest, family: Family, member_id: int) -> FamilyMember:
    members = FamilyMember.objects.filter(family=family)
    return members.get_for_org_or_404(request.organization, pk=member_id)


@staff_view
@require_http_methods(["GET", "POST"])
@_refusing
def member_list(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    form = FamilyMemberForm(request.POST if request.method == "POST" else None, organization=org)
    if request.method == "POST" and form.is_valid():
        services.member_save(
            organization=org,
            actor=request.user,
            family=family,
            member=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Added to the household."))
        return redirect("member_list", org_slug=org.slug, family_id=family.pk)
    if request.method != "POST":
        record_view(request, family, "members")
    context = {
        "family": family,
        "form": form,
        "members": list(FamilyMember.objects.for_org(org).filter(family=family)),
    }
    return render(request, "families/member_list.html", context, status=form_status(request))


@staff_view
@require_http_methods(["GET", "POST"])
@_refusing
def member_edit(request: OrgRequest, family_id: int, member_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    member = _member(request, family, member_id)
    form = FamilyMemberForm(
        request.POST if request.method == "POST" else None, instance=member, organization=org
    )
    if request.method == "POST" and form.is_valid():
        services.member_save(
            organization=org,
            actor=request.user,
            family=family,
            member=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect("member_list", org_slug=org.slug, family_id=family.pk)
    if request.method != "POST":
        record_view(request, family, "member", member_id=member.pk)
    context = {"family": family, "member": member, "form": form}
    return render(request, "families/member_form.html", context, status=form_status(request))


@staff_view
@require_POST
def member_remove(request: OrgRequest, family_id: int, member_id: int) -> HttpResponse:
    org = request.organization
    family = _family(request, family_id)
    member = _member(request, family, member_id)
    services.member_remove(organization=org, actor=request.user, member=member, request=request)
    messages.success(request, _("Removed from the household record."))
    return redirect("member_list", org_slug=org.slug, family_id=family.pk)
