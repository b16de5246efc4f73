"""Import of families and their past journals from CSV: checked first, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from families.models import Family, ImportJob, ImportStatus
from fii.models import AuditEvent
from journals import imports
from journals.imports import writing
from journals.models import EntryStatus, JournalEntry
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FAMILIES = (
    "household_name,group_name,joined_on,household_size,baseline_income,baseline_savings\n"
    "The Rivera household,{group},2024-01-15,4,2200,150\n"
    "Casa Nguyen,,2023-11-01,2,1800,\n"
)
JOURNALS = (
    "household_name,period,income_wages,savings_balance,debt_total,health_insured,{custom}\n"
    "The Rivera household,2024-02,2100,160,3000,yes,2\n"
    'the rivera household ,2024-03,"2,250",170,2900,0,\n'
    "Casa Nguyen,2024-01,1700,0,500,1,\n"
)


@pytest.fixture(autouse=True)
def _july():  # type: ignore[no-untyped-def]
    # Every import here happens on 5 July 2024: June is the latest month that may be imported.
    with freeze_time("2024-07-05 12:00"):
        yield


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def good_files(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "families": FAMILIES.format(group=world.objects["group"].name),
        "journals": JOURNALS.format(custom=world.objects["indicator"].code),
    }


def post_import(client, captured, families="", journals="", skip=False):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {}
    if families:
        data["families_file"] = upload("families.csv", families)
    if journals:
        data["journals_file"] = upload("journals.csv", journals)
    if skip:
        data["skip_bad_rows"] = "on"
    with captured(execute=True):
        return client.post("/o/alpha/import/", data)


def latest_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()  # type: ignore[return-value]


# Happy path and idempotence ----------------------------------------------------------------


def test_it_imports_families_and_their_past_journals(
    staff, world_a, django_capture_on_commit_callbacks
):
    files = good_files(world_a)
    response = post_import(staff, django_capture_on_commit_callbacks, **files)
    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == f"/o/alpha/import/{job.pk}/"
    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.done_rows) == (5, 5)
    rivera = Family.objects.get(organization=world_a.org, name="The Rivera household")
    assert (rivera.group, rivera.household_size, rivera.baseline_savings) == (
        world_a.objects["group"],
        4,
        150.0,
    )
    assert Family.objects.get(name="Casa Nguyen").group is None
    entries = JournalEntry.objects.filter(family=rivera).order_by("period")
    assert [e.period for e in entries] == [dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert all(e.status == EntryStatus.SUBMITTED and e.submitted_at for e in entries)
    assert entries[1].income_wages == 2250.0
    assert (entries[0].health_insured, entries[1].health_insured) == (1.0, 0.0)
    assert entries[0].extra == {world_a.objects["indicator"].code: 2.0}
    assert not rivera.stipends.exists()
    assert job.report["families_created"] == 2 and job.report["journals_created"] == 3
    event = AuditEvent.objects.get(action="import.completed")
    assert event.detail == {"families_created": 2, "journals_created": 3, "bad_rows": 0}
    body = staff.get(f"/o/alpha/import/{job.pk}/").content.decode()
    assert "Families added" in body and "import.js" not in body
    assert (job.families_csv, job.journals_csv) == ("", "")  # no copy of the data is kept


def test_importing_the_same_files_again_changes_nothing(
    staff, world_a, django_capture_on_commit_callbacks
):
    files = good_files(world_a)
    post_import(staff, django_capture_on_commit_callbacks, **files)
    families, entries = Family.objects.count(), JournalEntry.objects.count()
    post_import(staff, django_capture_on_commit_callbacks, **files)
    job = latest_job()
    assert job.status == ImportStatus.DONE
    assert (Family.objects.count(), JournalEntry.objects.count()) == (families, entries)
    report = job.report
    assert (report["families_created"], report["families_existing"]) == (0, 2)
    assert (report["journals_created"], report["journals_existing"]) == (0, 3)


def test_a_familys_own_journal_is_never_overwritten(
    staff, world_a, django_capture_on_commit_callbacks
):
    family = world_a.objects["family"]  # submitted June 2024 with 2100 in wages
    journals = f"household_name,period,income_wages\n{family.name},2024-06,9999\n"
    post_import(staff, django_capture_on_commit_callbacks, journals=journals)
    assert latest_job().report["journals_existing"] == 1
    assert JournalEntry.objects.get(family=family, period=dt.date(2024, 6, 1)).income_wages == 2100


# Problems, all or nothing ------------------------------------------------------------------


def problems(job: ImportJob) -> set[tuple[str, int, str]]:
    return {(p["file"], p["row"], p["column"]) for p in job.report["problems"]}


def test_every_bad_row_is_reported_and_nothing_is_written(
    staff, world_a, django_capture_on_commit_callbacks
):
    families = (
        "household_name,group_name,joined_on,household_size,baseline_income\n"
        "Good household,,2024-01-01,3,1000\n"
        "Bad numbers,,2024-01-01,three,-5\n"
        "Unknown group,Martians,2024-01-01,3,1000\n"
        "Future joiner,,2030-01-01,3,1000\n"
        ",,2024-01-01,3,1000\n"
        "Twin household,,2024-01-01,3,1000\n"
        "Twin household,,2024-01-01,3,1000\n"
        "Too many,,2024-01-01,3,1000,extra\n"
    )
    journals = (
        "household_name,period,income_wages,debt_overdue_bills,education_school_going\n"
        "Good household,2024-13,100,0,3\n"
        "Good household,2024-09,100,0,3\n"
        "Good household,2024-07,100,0,3\n"
        "Nobody we know,2024-03,100,0,3\n"
        "Good household,2024-02,-1,maybe,9\n"
        "Good household,2024-03,,,\n"
        "Bad numbers,2024-03,100,0,3\n"
        "Good household,2023-12,100,0,3\n"
        "Good household,2024-04,100,1,4\n"
        "Good household,2024-04,100,1,4\n"
    )
    response = post_import(
        staff, django_capture_on_commit_callbacks, families=families, journals=journals
    )
    assert response.status_code == 302
    job = latest_job()
    assert job.status == ImportStatus.REJECTED
    assert problems(job) >= {
        ("families", 3, "household_size"),
        ("families", 3, "baseline_income"),
        ("families", 4, "group_name"),
        ("families", 5, "joined_on"),
        ("families", 6, "household_name"),
        ("families", 8, "household_name"),
        ("families", 9, ""),
        ("journals", 2, "period"),
        ("journals", 3, "period"),
        ("journals", 4, "period"),
        ("journals", 5, "household_name"),
        ("journals", 6, "income_wages"),
        ("journals", 6, "debt_overdue_bills"),
        ("journals", 6, "education_school_going"),
        ("journals", 7, ""),
        ("journals", 8, "household_name"),
        ("journals", 9, "period"),
        ("journals", 11, "period"),
    }
    messages = {p["message"] for p in job.report["problems"]}
    assert {"Not a number.", "Must be 0 or more.", "This date is in the future."} <= messages
    assert any("Unknown group" in m for m in messages)
    assert any("Only past months" in m for m in messages)
    assert not Family.objects.filter(name="Good household").exists()
    assert not JournalEntry.objects.filter(family__name="Good household").exists()
    body = staff.get(f"/o/alpha/import/{job.pk}/").content.decode()
    assert "Nothing was imported" in body
    assert "Import the good rows, skip the bad ones" in body


def test_skipping_the_bad_rows_writes_the_good_ones(
    staff, world_a, django_capture_on_commit_callbacks
):
    families = (
        "household_name,group_name,joined_on,household_size,baseline_income\n"
        "Good household,,2024-01-01,3,1000\n"
        "Bad household,,2024-01-01,0,1000\n"
    )
    journals = (
        "household_name,period,income_wages\n"
        "Good household,2024-02,100\n"
        "Bad household,2024-02,100\n"
    )
    post_import(
        staff, django_capture_on_commit_callbacks, families=families, journals=journals, skip=True
    )
    job = latest_job()
    assert job.status == ImportStatus.DONE
    assert Family.objects.filter(name="Good household").exists()
    assert not Family.objects.filter(name="Bad household").exists()
    assert JournalEntry.objects.filter(family__name="Good household").count() == 1
    assert job.report["bad_rows"] == 2
    assert problems(job) == {("families", 3, "household_size"), ("journals", 3, "household_name")}


def test_a_rejected_import_can_be_retried_skipping_the_bad_rows(
    staff, world_a, django_capture_on_commit_callbacks
):
    families = (
        "household_name,group_name,joined_on,household_size,baseline_income\n"
        "Good household,,2024-01-01,3,1000\n"
        "Bad household,,2024-01-01,0,1000\n"
    )
    post_import(staff, django_capture_on_commit_callbacks, families=families)
    rejected = latest_job()
    assert rejected.status == ImportStatus.REJECTED
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/o/alpha/import/{rejected.pk}/skip-bad-rows/")
    retried = latest_job()
    assert response["Location"] == f"/o/alpha/import/{retried.pk}/"
    assert (retried.status, retried.skip_bad_rows) == (ImportStatus.DONE, True)
    assert Family.objects.filter(name="Good household").count() == 1
    rejected.refresh_from_db()
    assert (rejected.families_csv, rejected.report["retried_as"]) == ("", retried.pk)
    assert staff.post(f"/o/alpha/import/{rejected.pk}/skip-bad-rows/").status_code == 409
    assert "later import" in staff.get(f"/o/alpha/import/{rejected.pk}/").content.decode()
    assert Family.objects.filter(name="Good household").count() == 1


def test_missing_or_unknown_columns_reject_the_whole_file(
    staff, world_a, django_capture_on_commit_callbacks
):
    families = "name,group,joined\nSomeone,,2024-01-01\n"
    journals = "household_name,period,income_wages,astrology_sign\nX,2024-01,1,leo\n"
    post_import(
        staff, django_capture_on_commit_callbacks, families=families, journals=journals, skip=True
    )
    job = latest_job()
    assert job.status == ImportStatus.REJECTED and job.report["fatal"] is True
    assert ("families", 1, "household_name") in problems(job)
    assert ("families", 1, "baseline_income") in problems(job)
    assert ("journals", 1, "astrology_sign") in problems(job)
    body = staff.get(f"/o/alpha/import/{job.pk}/").content.decode()
    assert "skip the bad ones" not in body


def test_a_file_the_csv_reader_cannot_parse_is_reported_not_crashed(
    staff, world_a, django_capture_on_commit_callbacks
):
    huge_cell = '"' + "x" * 200_000 + '"'
    families = (
        "household_name,group_name,joined_on,household_size,baseline_income\n"
        f"{huge_cell},,2024-01-01,2,900\n"
    )
    post_import(staff, django_capture_on_commit_callbacks, families=families)
    job = latest_job()
    assert job.status == ImportStatus.REJECTED
    assert "not valid CSV" in job.report["problems"][0]["message"]


def test_headers_as_people_write_them_are_understood(
    staff, world_a, django_capture_on_commit_callbacks
):
    families = (
        "Household Name,Group name,Joined on,Household size,Baseline income\n"
        "Spaced household,,2024-01-01,2,900\n"
    )
    post_import(staff, django_capture_on_commit_callbacks, families=families)
    assert latest_job().status == ImportStatus.DONE
    assert Family.objects.filter(name="Spaced household").exists()


# Files that cannot be read -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Familia Peña,,2024-01-01,2,900\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        (b"", "The submitted file is empty."),
        (b"\n\n", "at least one file that is not empty"),
    ],
)
def test_an_unreadable_file_is_refused_before_any_job(staff, content, message):
    response = staff.post("/o/alpha/import/", {"families_file": upload("f.csv", content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.filter(created_by__isnull=False).exists()


def test_a_file_over_five_megabytes_is_refused(staff):
    big = b"household_name\n" + b"x" * (5 * 1024 * 1024)
    response = staff.post("/o/alpha/import/", {"journals_file": upload("big.csv", big)})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_no_file_at_all_is_refused(staff):
    response = staff.post("/o/alpha/import/", {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


# Progress, templates, robustness -----------------------------------------------------------


def test_the_status_endpoint_and_page_show_progress_while_running(staff, world_a):
    job = f.ImportJobFactory(
        organization=world_a.org, status=ImportStatus.CHECKING, total_rows=400, done_rows=100
    )
    data = staff.get(f"/o/alpha/import/{job.pk}/status.json").json()
    assert data == {
        "status": "checking",
        "label": "Checking the rows",
        "total": 400,
        "done": 100,
        "percent": 25,
        "finished": False,
    }
    body = staff.get(f"/o/alpha/import/{job.pk}/").content.decode()
    assert '<progress id="import-progress" max="100" value="25"' in body
    assert "/static/js/import.js" in body
    assert "<script>" not in body  # no inline script


def test_a_large_check_reports_progress_as_it_goes(world_a):
    rows = "".join(f"Household {n},,2024-01-01,2,1000\n" for n in range(600))
    text = "household_name,group_name,joined_on,household_size,baseline_income\n" + rows
    seen: list[int] = []
    result = imports.check(
        organization=world_a.org, families_text=text, journals_text="", progress=seen.append
    )
    assert seen == [250, 500, 600]
    assert len(result.families) == 600 and not result.problems


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(staff, world_a):
    job = f.ImportJobFactory(
        organization=world_a.org,
        status=ImportStatus.QUEUED,
        families_csv=(
            "household_name,group_name,joined_on,household_size,baseline_income\n"
            "Once household,,2024-01-01,2,1000\n"
        ),
    )
    assert imports.import_run(organization_id=world_a.org.pk, job_id=job.pk) is not None
    assert imports.import_run(organization_id=world_a.org.pk, job_id=job.pk) is None
    assert Family.objects.filter(name="Once household").count() == 1


@pytest.mark.parametrize("status", [ImportStatus.CHECKING, ImportStatus.WRITING])
def test_a_job_whose_worker_died_is_run_again_after_the_time_limit(world_a, settings, status):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    started = dt.datetime(2024, 7, 5, 10, 59, tzinfo=dt.UTC)  # 61 minutes ago: no task lives on
    alive = dt.datetime(2024, 7, 5, 11, 30, tzinfo=dt.UTC)  # 30 minutes ago: may be running
    text = "household_name,group_name,joined_on,household_size,baseline_income\n{}\n"
    dead = f.ImportJobFactory(
        organization=world_a.org,
        status=status,
        started_at=started,
        families_csv=text.format("Dead worker household,,2024-01-01,2,1000"),
    )
    running = f.ImportJobFactory(organization=world_a.org, status=status, started_at=alive)
    waiting = imports.import_jobs_waiting(queued_before=dt.datetime(2024, 7, 5, tzinfo=dt.UTC))
    assert list(waiting) == [(world_a.org.pk, dead.pk)]

    assert imports.import_run(organization_id=world_a.org.pk, job_id=running.pk) is None
    assert imports.import_run(organization_id=world_a.org.pk, job_id=dead.pk) is not None
    dead.refresh_from_db()
    assert dead.status == ImportStatus.DONE
    assert Family.objects.filter(name="Dead worker household").count() == 1
    assert imports.import_run(organization_id=world_a.org.pk, job_id=dead.pk) is None
    assert (dead.attempts, running.attempts) == (1, 0)


@freeze_time("2024-07-05 12:00")
def test_a_job_that_stopped_its_worker_every_time_fails_instead_of_looping(
    world_a, settings, staff
):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    settings.IMPORT_MAX_ATTEMPTS = 3
    job = f.ImportJobFactory(
        organization=world_a.org,
        status=ImportStatus.CHECKING,
        started_at=dt.datetime(2024, 7, 5, 10, 0, tzinfo=dt.UTC),
        attempts=3,
        families_csv="household_name\nKiller household\n",
    )
    assert imports.import_run(organization_id=world_a.org.pk, job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.families_csv) == (ImportStatus.FAILED, 3, "")
    assert "unexpected error" in staff.get(f"/o/alpha/import/{job.pk}/").content.decode()
    waiting = imports.import_jobs_waiting(queued_before=dt.datetime(2024, 7, 5, tzinfo=dt.UTC))
    assert list(waiting) == []


def test_an_unexpected_error_fails_the_job_cleanly(staff, world_a, monkeypatch):
    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "import_write", boom)
    job = f.ImportJobFactory(
        organization=world_a.org,
        status=ImportStatus.QUEUED,
        families_csv=(
            "household_name,group_name,joined_on,household_size,baseline_income\n"
            "Doomed household,,2024-01-01,2,1000\n"
        ),
    )
    imports.import_run(organization_id=world_a.org.pk, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert not Family.objects.filter(name="Doomed household").exists()
    assert "unexpected error" in staff.get(f"/o/alpha/import/{job.pk}/").content.decode()


def test_the_templates_list_the_columns(staff, world_a):
    families = staff.get("/o/alpha/import/template-families.csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(families)))
    assert header[:5] == imports.FAMILY_REQUIRED
    journals = staff.get("/o/alpha/import/template-journals.csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(journals)))
    assert header[:3] == ["household_name", "period", "income_wages"]
    assert world_a.objects["indicator"].code in header


def test_the_import_page_lists_recent_imports_in_fixed_queries(
    staff, world_a, django_assert_max_num_queries
):
    for _ in range(15):
        f.ImportJobFactory(organization=world_a.org, created_by=world_a.staff_user)
    with django_assert_max_num_queries(6):
        body = staff.get("/o/alpha/import/").content.decode()
    assert body.count("/o/alpha/import/") >= 10


def test_families_cannot_import(world_a, django_capture_on_commit_callbacks):
    client = client_for(world_a.family_user)
    response = post_import(
        client, django_capture_on_commit_callbacks, families=good_files(world_a)["families"]
    )
    assert response.status_code == 403
    assert client.get("/o/alpha/import/").status_code == 403
    assert not Family.objects.filter(name="The Rivera household").exists()


def test_another_organizations_job_is_not_found(staff, world_b):
    job = world_b.objects["import_job"]
    assert staff.get(f"/o/alpha/import/{job.pk}/").status_code == 404
    assert staff.get(f"/o/alpha/import/{job.pk}/status.json").status_code == 404
    assert staff.post(f"/o/alpha/import/{job.pk}/skip-bad-rows/").status_code == 404


def test_dates_are_checked_against_the_organizations_today(world_a):
    with freeze_time("2024-08-01 03:30"):  # already 1 August in UTC, still July in California
        result = imports.check(
            organization=world_a.org,
            families_text="household_name,group_name,joined_on,household_size,baseline_income\n"
            "Late household,,2024-08-01,2,1000\n",
            journals_text="",
        )
    assert [p.column for p in result.problems] == ["joined_on"]
    assert result.problems[0].message == "This date is in the future."


def test_without_a_broker_an_error_of_the_import_itself_is_raised_not_taken_for_redis(
    world_a, monkeypatch
):
    # The embedded default runs tasks in-process: only a broker that cannot be reached leaves
    # the job waiting quietly for the sweeper; a bug in the import must surface.
    from journals import tasks

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the import")

    monkeypatch.setattr(tasks, "import_run", broken)
    job = f.ImportJobFactory(organization=world_a.org, status=ImportStatus.QUEUED)
    with pytest.raises(RuntimeError, match="a bug in the import"):
        tasks.import_enqueue(organization_id=world_a.org.pk, job_id=job.pk)
