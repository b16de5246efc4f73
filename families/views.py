from django.http import HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest, staff_view

from .models import Family, Group


@staff_view
def group_detail(request: OrgRequest, group_id: int) -> HttpResponse:
    org = request.organization
    group = Group.objects.get_for_org_or_404(org, pk=group_id)
    families = Family.objects.for_org(org).active().filter(group=group).order_by("name")
    return render(request, "families/group_detail.html", {"group": group, "families": families})
