"""The import job: claimed once, checked with progress, then written or rejected."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
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


def _abandoned() -> Q:
    """Match jobs whose worker died: started longer ago than a task may live (its hard limit).

    Nothing of such a job was written (the writing is one transaction), or all of it was and
    a second run keeps the journals it finds, so running it again is safe.
    """
    started_before = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    running = (ImportStatus.CHECKING, ImportStatus.WRITING)
    return Q(status__in=running, started_at__lt=started_before)


def _claim(organization_id: int, job_id: int) -> ImportJob | None:
    """Take a queued or abandoned job; a job another run holds (a task run twice) is left alone.

    An abandoned job that already had IMPORT_MAX_ATTEMPTS fails instead: whatever killed its
    worker would kill the next one too.
    """
    jobs = ImportJob.objects.filter(organization_id=organization_id, pk=job_id)
    may_retry = _abandoned() & Q(attempts__lt=settings.IMPORT_MAX_ATTEMPTS)
    claimed = jobs.filter(Q(status=ImportStatus.QUEUED) | may_retry).update(
        status=ImportStatus.CHECKING,
        started_at=timezone.now(),
        done_rows=0,
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        _give_up(jobs.filter(_abandoned(), attempts__gte=settings.IMPORT_MAX_ATTEMPTS))
        return None
    return jobs.select_related("organization", "created_by").first()


def _give_up(abandoned: QuerySet[ImportJob]) -> None:
    for job in abandoned:
        logger.error("Import job %s failed: its worker stopped %d times", job.pk, job.attempts)
        _finish(job, ImportStatus.FAILED, {**(job.report or {}), "error": "internal"})


def import_jobs_waiting(*, queued_before: datetime) -> QuerySet[ImportJob, tuple[int, int]]:
    """Return (organization id, job id) of the jobs queued before a time, or abandoned."""
    waiting = Q(status=ImportStatus.QUEUED, created_at__lt=queued_before)
    jobs = ImportJob.objects.filter(waiting | _abandoned())
    return jobs.order_by("created_at").values_list("organization_id", "pk")


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
