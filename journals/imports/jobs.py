"""The import job: claimed once, checked with progress, then written or rejected."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from families.models import ImportJob, ImportStatus
from fii.audit import audit_record

from . import writing
from .checks import CheckResult, Problem, check
from .files import count_rows

logger = logging.getLogger(__name__)

MAX_PROBLEMS_KEPT = 1000


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.__dict__ for p in problems[:MAX_PROBLEMS_KEPT]]


def _report(result: CheckResult) -> dict[str, Any]:
    return {
        "problems": _problem_dicts(result.problems),
        "problem_count": len(result.problems),
        "fatal": result.fatal,
        "bad_rows": result.bad_rows,
        "families_valid": len(result.families),
        "families_existing": result.families_existing,
        "journals_valid": len(result.journals),
        "families_created": 0,
        "journals_created": 0,
        "journals_existing": 0,
    }


def _finish(job: ImportJob, status: str, report: dict[str, Any]) -> None:
    job.status = status
    job.report = report
    job.done_rows = job.total_rows
    job.finished_at = timezone.now()
    fields = ["status", "report", "done_rows", "finished_at"]
    if status != ImportStatus.REJECTED:
        # The files hold families' data: once imported (or failed) no copy is kept here. A
        # rejected job keeps them until it is retried with "skip the bad rows".
        job.families_csv = job.journals_csv = ""
        fields += ["families_csv", "journals_csv"]
    job.save(update_fields=fields)


def _claim(organization_id: int, job_id: int) -> ImportJob | None:
    """Take a queued job for this run; a job already taken (a task run twice) is left alone."""
    jobs = ImportJob.objects.filter(organization_id=organization_id, pk=job_id)
    claimed = jobs.filter(status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING, started_at=timezone.now()
    )
    return jobs.select_related("organization", "created_by").first() if claimed == 1 else None


def import_run(*, organization_id: int, job_id: int) -> ImportJob | None:
    """Check a queued import job, then write it or reject it with its report."""
    job = _claim(organization_id, job_id)
    if job is None:
        return None
    try:
        _run(job)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _finish(job, ImportStatus.FAILED, {**(job.report or {}), "error": "internal"})
    return job


def _run(job: ImportJob) -> None:
    org = job.organization
    job.total_rows = count_rows(job.families_csv) + count_rows(job.journals_csv)
    job.save(update_fields=["total_rows"])
    jobs = ImportJob.objects.filter(pk=job.pk)

    def progress(done: int) -> None:
        # Outside any transaction: the status page sees each step as it happens.
        jobs.update(done_rows=min(done, job.total_rows))

    result = check(
        organization=org,
        families_text=job.families_csv,
        journals_text=job.journals_csv,
        progress=progress,
    )
    report = _report(result)
    if result.fatal or (result.problems and not job.skip_bad_rows):
        _finish(job, ImportStatus.REJECTED, report)
        return
    jobs.update(status=ImportStatus.WRITING)
    report.update(writing.import_write(organization=org, actor=job.created_by, result=result))
    _finish(job, ImportStatus.DONE, report)
    audit_record(
        action="import.completed",
        actor=job.created_by,
        organization=org,
        obj=job,
        detail={k: report[k] for k in ("families_created", "journals_created", "bad_rows")},
    )
