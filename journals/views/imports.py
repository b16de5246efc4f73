"""Import families and past journals from CSV: upload, watch the progress, read the report."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from families.models import ImportJob, ImportStatus
from families.selectors import import_job_list
from fii.access import OrgRequest, staff_view
from fii.audit import audit_record
from fii.exports import csv_download

from ..forms import ImportForm
from ..imports import families_template, journals_template
from ..tasks import import_enqueue


def _queue(request: OrgRequest, job: ImportJob) -> None:
    audit_record(
        action="import.started",
        actor=request.user,
        organization=request.organization,
        obj=job,
        detail={"skip_bad_rows": job.skip_bad_rows},
        request=request,
    )
    org_id, job_id = request.organization.pk, job.pk
    transaction.on_commit(lambda: _enqueue(request, org_id, job_id))


def _enqueue(request: OrgRequest, org_id: int, job_id: int) -> None:
    # The job is committed: with Redis down it stays queued and a beat task sends it later.
    if not import_enqueue(organization_id=org_id, job_id=job_id):
        message = _(
            "The import is saved but cannot start right now: the background worker is out of "
            "reach. It will start by itself within a few minutes; you can leave this page."
        )
        messages.warning(request, message)


@staff_view
@require_http_methods(["GET", "POST"])
def import_start(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            job = ImportJob.objects.create(
                organization=org,
                created_by=request.membership.user,
                families_filename=data["families_file_name"],
                families_csv=data["families_file_text"],
                journals_filename=data["journals_file_name"],
                journals_csv=data["journals_file_text"],
                skip_bad_rows=data["skip_bad_rows"],
            )
            _queue(request, job)
        return redirect("import_job", org_slug=org.slug, import_job_id=job.pk)
    context = {"form": form, "jobs": import_job_list(organization=org)}
    status = 400 if request.method == "POST" else 200
    return render(request, "journals/import_start.html", context, status=status)


def _job(request: OrgRequest, import_job_id: int) -> ImportJob:
    jobs = ImportJob.objects.defer("families_csv", "journals_csv").select_related("created_by")
    return jobs.get_for_org_or_404(request.organization, pk=import_job_id)


@staff_view
def import_job(request: OrgRequest, import_job_id: int) -> HttpResponse:
    job = _job(request, import_job_id)
    report = job.report or {}
    retry = (
        job.status == ImportStatus.REJECTED
        and not report.get("fatal")
        and not report.get("retried_as")
        and (report.get("families_valid") or report.get("journals_valid"))
    )
    context = {"job": job, "report": report, "can_skip_bad_rows": retry}
    return render(request, "journals/import_job.html", context)


@staff_view
def import_job_status(request: OrgRequest, import_job_id: int) -> JsonResponse:
    job = _job(request, import_job_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "total": job.total_rows,
            "done": job.done_rows,
            "percent": job.percent,
            "finished": job.is_finished,
        }
    )


@staff_view
@require_POST
def import_job_retry(request: OrgRequest, import_job_id: int) -> HttpResponse:
    """Import the good rows of a rejected job, skipping the bad ones, as a new job."""
    org = request.organization
    old = ImportJob.objects.get_for_org_or_404(org, pk=import_job_id, status=ImportStatus.REJECTED)
    if (old.report or {}).get("retried_as"):
        back = reverse("import_job", kwargs={"org_slug": org.slug, "import_job_id": old.pk})
        message = _("These files were imported already, skipping their bad rows.")
        context = {"message": message, "back_url": back}
        return render(request, "families/refused.html", context, status=409)
    with transaction.atomic():
        job = ImportJob.objects.create(
            organization=org,
            created_by=request.membership.user,
            families_filename=old.families_filename,
            families_csv=old.families_csv,
            journals_filename=old.journals_filename,
            journals_csv=old.journals_csv,
            skip_bad_rows=True,
        )
        # The copy now lives in the new job; the rejected one keeps only its report.
        old.families_csv = old.journals_csv = ""
        old.report = {**(old.report or {}), "retried_as": job.pk}
        old.save(update_fields=["families_csv", "journals_csv", "report"])
        _queue(request, job)
    return redirect("import_job", org_slug=org.slug, import_job_id=job.pk)


@staff_view
def import_template_families(request: OrgRequest) -> HttpResponse:
    return csv_download(families_template(), filename="fii-families-template.csv")


@staff_view
def import_template_journals(request: OrgRequest) -> HttpResponse:
    template = journals_template(organization=request.organization)
    return csv_download(template, filename="fii-journals-template.csv")
