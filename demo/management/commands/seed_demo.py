"""manage.py seed_demo: demo organizations, families, two years of journals and accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.services import (
    DEFAULT_FAMILIES,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DEMO_ORGS,
    SeedReport,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Create demo organizations with groups, families, journals, goals, help and stipends, "
        "and one account of every role. Safe to run again: an organization that already has "
        "families is left as it is, and accounts are only added when missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=int,
            default=DEFAULT_FAMILIES,
            help=(
                f"Families per organization (default {DEFAULT_FAMILIES}); there are "
                f"{len(DEMO_ORGS)} organizations, so the total is {len(DEMO_ORGS)} times this."
            ),
        )
        parser.add_argument(
            "--months",
            type=int,
            default=DEFAULT_MONTHS,
            help=f"Months of journals, ending last month (default {DEFAULT_MONTHS}).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed: same seed, same data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        families, months = options["families"], options["months"]
        if not 5 <= families <= 100_000:
            raise CommandError("--families must be between 5 and 100000.")
        if not 1 <= months <= 240:
            raise CommandError("--months must be between 1 and 240.")
        report = seed_demo(
            families_per_org=families,
            months=months,
            seed=options["seed"],
            progress=options["verbosity"] > 0,
        )
        if options["verbosity"] > 0:
            self.print_report(report)

    def print_report(self, report: SeedReport) -> None:
        for line in report.lines:
            self.stdout.write(line)
        header = ("role", "organization", "e-mail", "password", "account")
        rows = [
            (
                a.role,
                a.organization,
                a.email,
                a.password,
                "created" if a.created else "already there",
            )
            for a in report.accounts
        ]
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        self.stdout.write("")
        for k, row in enumerate([header, *rows]):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
            if k == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
