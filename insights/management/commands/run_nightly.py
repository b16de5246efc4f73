"""manage.py run_nightly: the nightly aggregation, in this process, with a progress bar."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fii.models import Organization
from insights.models import AggregationRun
from insights.pipeline import aggregate_organization, default_as_of

# Names this process on the runs it holds; a run left 'running' by the same host and pid was
# left by a process that is gone, so this one may take it back.
CLAIMANT = f"run_nightly@{socket.gethostname()}:{os.getpid()}"
HEADINGS = ("organization", "families", "journals", "deviants", "flags", "seconds", "status")


@dataclass(frozen=True)
class Row:
    organization: str
    run: AggregationRun | None
    status: str

    def cells(self) -> tuple[str, ...]:
        counts = self.run.counts if self.run else {}
        timings = self.run.timings if self.run else {}
        seconds = timings.get("total")
        return (
            self.organization,
            str(counts.get("families", "-")),
            str(counts.get("journals_read", "-")),
            str(counts.get("positive_deviants", "-")),
            _flags(counts),
            f"{seconds:.2f}" if isinstance(seconds, int | float) else "-",
            self.status,
        )


def _flags(counts: dict[str, Any]) -> str:
    """Return the flags capital opened or kept on this run, when its receiver reported them."""
    capital = counts.get("capital")
    if not isinstance(capital, dict) or "opened" not in capital:
        return "-"
    return str(capital.get("opened", 0) + capital.get("refreshed", 0))


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must be a date like 2026-03-01, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Run the nightly aggregation now, in this process: every organization, or one with "
        "--org. A run of the same date is computed again and replaces the earlier results. "
        "Exits with an error if any run failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="Only this organization.")
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Date of the run (default: today in UTC); it covers the month before it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _iso_date(options["as_of"]) if options["as_of"] else default_as_of()
        organizations = self._organizations(options["org"])
        quiet = options["verbosity"] == 0
        # The bar goes to the real stream: Django's wrapper would end every update with a newline.
        stream = getattr(self.stderr, "_out", self.stderr)
        bar = tqdm(organizations, desc="nightly", unit="org", file=stream, disable=quiet)
        rows = [self._run(organization, as_of) for organization in bar]
        if not quiet:
            self._print_table(rows, as_of)
        failed = [row.organization for row in rows if row.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} of {len(rows)} runs failed: {', '.join(failed)}.")

    def _organizations(self, slug: str | None) -> list[Organization]:
        organizations = Organization.objects.order_by("slug")
        if slug is None:
            return list(organizations)
        found = list(organizations.filter(slug=slug))
        if not found:
            raise CommandError(f"No organization with the slug {slug!r}.")
        return found

    def _run(self, organization: Organization, as_of: date) -> Row:
        try:
            result = aggregate_organization(
                organization_id=organization.pk, as_of=as_of, force=True, claimant=CLAIMANT
            )
        except Exception as exc:
            # The run recorded the failure; report it and go on with the other organizations.
            self.stderr.write(f"{organization.slug}: {type(exc).__name__}: {exc}")
            run = AggregationRun.objects.for_org(organization).filter(as_of=as_of).first()
            return Row(organization.slug, run, "failed")
        return Row(organization.slug, result.run, result.outcome)

    def _print_table(self, rows: list[Row], as_of: date) -> None:
        table = [HEADINGS, *(row.cells() for row in rows)]
        widths = [max(len(line[i]) for line in table) for i in range(len(HEADINGS))]
        self.stdout.write(f"Nightly run as of {as_of.isoformat()}")
        for line in table:
            cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
