"""What a family has earned, and everything held about it, to download."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fii.access import OrgRequest, family_view
from fii.audit import audit_event, audit_record
from fii.exports import csv_text, download

from ..forms import FamilySettingsForm
from ..models import Stipend, StipendStatus
from ..selectors import family_data_export


@family_view
def stipend_list(request: OrgRequest) -> HttpResponse:
    org = request.organization
    stipends = Stipend.objects.for_org(org).filter(family=request.family)
    totals = dict(stipends.values_list("status").annotate(total=Sum("amount")).order_by())
    context = {
        "stipends": list(stipends),
        "earned": sum(totals.values()) - totals.get(StipendStatus.CANCELLED, 0),
        "paid": totals.get(StipendStatus.PAID, 0),
        "waiting": totals.get(StipendStatus.EARNED, 0),
    }
    return render(request, "journals/stipend_list.html", context)


def _filename(request: OrgRequest, ext: str) -> str:
    org = request.organization
    return f"fii-{org.slug}-our-data.{ext}"


def _record(request: OrgRequest, fmt: str) -> None:
    audit_record(
        action="family.data_downloaded",
        actor=request.user,
        organization=request.organization,
        obj=request.family,
        detail={"format": fmt},
        request=request,
    )


@family_view
def data_json(request: OrgRequest) -> HttpResponse:
    data = family_data_export(organization=request.organization, family=request.family)
    _record(request, "json")
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()
    return download(
        body, filename=_filename(request, "json"), content_type="application/json; charset=utf-8"
    )


def _table_csv(rows: list[dict[str, Any]]) -> str:
    """Return records with the same keys as CSV text, the keys as its header; none, no text."""
    if not rows:
        return ""
    header = list(rows[0])
    return csv_text([header, *([row.get(key) for key in header] for row in rows)])


@family_view
def data_csv(request: OrgRequest) -> HttpResponse:
    """Send every table about the family as one CSV file each, in a zip."""
    data = family_data_export(organization=request.organization, family=request.family)
    _record(request, "csv")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("family.csv", _table_csv([data["family"]]))
        for name, rows in data.items():
            if isinstance(rows, list):
                archive.writestr(f"{name}.csv", _table_csv(rows))
    filename = _filename(request, "csv.zip")
    return download(buffer.getvalue(), filename=filename, content_type="application/zip")


@family_view
@require_http_methods(["GET", "POST"])
def family_settings(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = FamilySettingsForm(
        request.POST if request.method == "POST" else None, instance=request.family
    )
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            with transaction.atomic():
                form.save()
                audit_event(
                    "family.settings_changed",
                    organization=org,
                    actor=request.user,
                    obj=request.family,
                    request=request,
                    fields=form.changed_data,
                )
        messages.success(request, _("Saved."))
        return redirect("family_settings", org_slug=org.slug)
    return render(request, "journals/family_settings.html", {"form": form})
