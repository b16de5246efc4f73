"""manage.py run_nightly: the same runs in-process, a progress bar, a summary and an exit code."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insights import pipeline
from insights.models import AggregationRun, FamilySnapshot, RunStatus

pytestmark = pytest.mark.django_db


def nightly(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("run_nightly", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def table_row(out: str, slug: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(slug))


def test_it_runs_every_organization_and_prints_a_summary(world_a, world_b) -> None:
    out, err = nightly("--as-of", "2024-07-02")

    assert "Nightly run as of 2024-07-02" in out
    assert out.splitlines()[1].split() == [
        "organization",
        "families",
        "journals",
        "deviants",
        "flags",
        "seconds",
        "status",
    ]
    alpha = table_row(out, "alpha")
    assert alpha[1:4] == ["2", "1", "0"]
    assert alpha[-1] == "succeeded"
    assert table_row(out, "beta")[-1] == "succeeded"
    assert "nightly" in err and "2/2" in err  # the progress bar, on stderr
    assert AggregationRun.objects.filter(status=RunStatus.SUCCEEDED).count() == 2


def test_it_runs_only_the_organization_asked_for(world_a, world_b) -> None:
    out, _ = nightly("--org", "beta", "--as-of", "2024-07-02")

    assert table_row(out, "beta")[-1] == "succeeded"
    assert "alpha" not in out
    assert [r.organization.slug for r in AggregationRun.objects.all()] == ["beta"]


def test_it_recomputes_a_date_already_run(world_a) -> None:
    nightly("--as-of", "2024-07-02")

    out, _ = nightly("--as-of", "2024-07-02")

    run = AggregationRun.objects.get()
    assert table_row(out, "alpha")[-1] == "succeeded"
    assert run.attempts == 2
    assert FamilySnapshot.objects.count() == 2


def test_it_defaults_to_today(world_a) -> None:
    nightly()

    assert AggregationRun.objects.get().as_of == pipeline.default_as_of()


def test_it_rejects_an_unknown_organization_and_a_bad_date(world_a) -> None:
    with pytest.raises(CommandError, match="No organization"):
        nightly("--org", "nowhere")
    with pytest.raises(CommandError, match="--as-of"):
        nightly("--as-of", "July")
    assert not AggregationRun.objects.exists()


def test_it_exits_non_zero_when_a_run_fails_and_still_runs_the_others(
    world_a, world_b, monkeypatch
) -> None:
    real_compute = pipeline.compute

    def fail_for_alpha(*, run, timer):  # type: ignore[no-untyped-def]
        if run.organization.slug == "alpha":
            raise RuntimeError("alpha is broken")
        return real_compute(run=run, timer=timer)

    monkeypatch.setattr(pipeline, "compute", fail_for_alpha)

    out, err = StringIO(), StringIO()
    # manage.py prints a CommandError and exits with its returncode.
    with pytest.raises(CommandError, match="1 of 2 runs failed: alpha") as error:
        call_command("run_nightly", "--as-of", "2024-07-02", stdout=out, stderr=err)

    out, err = out.getvalue(), err.getvalue()
    assert error.value.returncode == 1
    assert table_row(out, "alpha")[-1] == "failed"
    assert table_row(out, "beta")[-1] == "succeeded"
    assert "alpha: RuntimeError: alpha is broken" in err
    statuses = dict(AggregationRun.objects.values_list("organization__slug", "status"))
    assert statuses == {"alpha": RunStatus.FAILED, "beta": RunStatus.SUCCEEDED}


def test_it_reports_a_run_held_by_a_worker_as_busy(world_a) -> None:
    from django.utils import timezone

    AggregationRun.objects.create(
        organization=world_a.org,
        as_of=dt.date(2024, 7, 2),
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        attempts=1,
    )

    out, _ = nightly("--as-of", "2024-07-02")

    assert table_row(out, "alpha")[-1] == "busy"
