"""Benchmark the nightly run against its floor, at 10,000 and 100,000 families x 36 months.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fii .venv/bin/python benchmarks/nightly.py

It creates (or, with --reuse, keeps) its own database, fii_bench on the same server, migrates
it and fills one organization per size with generate_series (no ORM rows). Each size then runs
in a fresh child process, so the peak memory (ru_maxrss) is that size's own: the whole night
(insights.pipeline.aggregate_organization: load, features, deviance, write, and capital if a
receiver is connected) --repeat times on fresh dates, then the floor measured in the same
process: reading the same columns to the client with binary COPY (bytes discarded) plus
writing the same snapshot rows with binary COPY (rolled back). Medians are reported.

Targets: whole night within 3x the floor, peak memory under 2 GB at 100,000 families, and
10x the families for at most 12x the time. --write-docs updates docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BENCH_DB = "fii_bench"
MONTHS = 36
FIRST_PERIOD = "2023-01-01"  # 36 months: 2023-01 .. 2025-12
AS_OF = date(2026, 1, 5)  # last complete month: 2025-12
FLOOR_AS_OF = date(2026, 2, 1)
GROUP_SIZE = 6
MB = 1024 * 1024


# --- database -------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fii.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data -----------------------------------------------------------------------------------


def _other_columns() -> str:
    from journals.catalog import BUILTIN_CODES

    main = {"income_wages", "income_business", "savings_balance", "savings_deposited", "debt_total"}
    return ", ".join(c for c in BUILTIN_CODES if c not in main)


def generate(families: int) -> str:
    """Create one organization with ``families`` families, 36 months of journals, goals, help."""
    from django.db import connection

    from fii.models import Organization

    slug = f"bench-{families}"
    org = Organization.objects.create(slug=slug, name=f"Benchmark {families}")
    others = _other_columns()
    n_others = len(others.split(", "))
    groups = -(-families // GROUP_SIZE)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            """
            INSERT INTO families_group (organization_id, name, started_on)
            SELECT %s, 'Group ' || g, DATE '2023-01-01' FROM generate_series(1, %s) g
            """,
            [org.pk, groups],
        )
        cursor.execute("SELECT min(id) FROM families_group WHERE organization_id = %s", [org.pk])
        first_group = cursor.fetchone()[0]
        # Most families joined before the window; one in ten joined during it.
        cursor.execute(
            """
            INSERT INTO families_family (organization_id, name, group_id, joined_on,
                household_size, baseline_monthly_income, baseline_savings, baseline_debt,
                reminders_enabled)
            SELECT %s, 'Family ' || i, %s + (i - 1) / %s,
                CASE WHEN i %% 10 = 0 THEN DATE '2023-01-01' + ((i * 37) %% 900)
                     ELSE DATE '2022-06-01' END,
                1 + (i * 3) %% 7, 600 + random() * 3600, random() * 800, random() * 6000, true
            FROM generate_series(1, %s) i
            """,
            [org.pk, first_group, GROUP_SIZE, families],
        )
        # One row per family and month, but about 3% missing (gaps) and 1 in 1,000 absurd.
        cursor.execute(
            f"""
            INSERT INTO journals_journalentry (organization_id, family_id, period, status, extra,
                draft, created_at, updated_at, submitted_at, income_wages, income_business,
                savings_balance, savings_deposited, debt_total, {others})
            SELECT f.organization_id, f.id, p.period, 'submitted', '{{}}', '{{}}', now(), now(),
                now(),
                CASE WHEN random() < 0.001 THEN 1e9
                     ELSE f.baseline_monthly_income * (0.8 + (f.id %% 50) * 0.01 * p.m / 12.0)
                          * (0.9 + random() * 0.2) END,
                CASE WHEN f.id %% 4 = 0 THEN random() * 400 END,
                f.baseline_savings + p.m * random() * 40,
                random() * 80,
                greatest(f.baseline_debt - p.m * random() * 60, 0),
                {", ".join(["round(random() * 5)"] * n_others)}
            FROM families_family f
            CROSS JOIN LATERAL (
                SELECT m, (DATE '{FIRST_PERIOD}' + make_interval(months => m))::date AS period
                FROM generate_series(0, {MONTHS - 1}) m
            ) p
            WHERE f.organization_id = %s AND p.period >= date_trunc('month', f.joined_on)
              AND random() > 0.03
            """,
            [org.pk],
        )
        cursor.execute(
            """
            INSERT INTO journals_goal (organization_id, family_id, domain, title,
                success_looks_like, priority, status, created_at)
            SELECT organization_id, id, 'savings', 'Save', '', 3,
                CASE WHEN id %% 3 = 0 THEN 'achieved' ELSE 'active' END, now()
            FROM families_family WHERE organization_id = %s AND id %% 2 = 0
            """,
            [org.pk],
        )
        cursor.execute(
            """
            INSERT INTO journals_helpexchange (organization_id, period, giver_id, receiver_id,
                recorded_by_id, kind, hours, amount, note, confirmed_at, created_at)
            SELECT a.organization_id, DATE '2025-06-01', a.id, b.id, a.id, 'childcare',
                2 + a.id %% 5, NULL, '', now(), now()
            FROM families_family a JOIN families_family b
              ON b.group_id = a.group_id AND b.id = a.id + 1
            WHERE a.organization_id = %s AND a.id %% 5 = 0
            """,
            [org.pk],
        )
    print(f"  generated {families:,} families in {time.perf_counter() - started:.1f} s")
    return slug


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- measuring (in a child process per size) -----------------------------------------------


def _night(org_id: int, as_of: date) -> dict[str, float]:
    from insights.pipeline import aggregate_organization

    started = time.perf_counter()
    result = aggregate_organization(organization_id=org_id, as_of=as_of, force=True)
    wall = time.perf_counter() - started
    if result.outcome != "succeeded":
        raise SystemExit(f"run {as_of} ended {result.outcome}")
    return {**result.run.timings, "night": wall, "counts": result.run.counts}  # type: ignore[dict-item]


def _floor_read(org_id: int, last_period: date) -> float:
    """Time reading every column the night reads, to the client, with binary COPY."""
    from django.db.models import F

    from families.models import Family
    from insights import loader
    from insights.pipeline import HELP_MONTHS, WINDOW_MONTHS
    from journals.periods import add_months

    queries = [
        (
            loader.journals_queryset(
                organization_id=org_id,
                first_period=add_months(last_period, 1 - WINDOW_MONTHS),
                last_period=last_period,
                families=(0, 2**62),
            ),
            loader.JOURNAL_INPUTS,
        ),
        (
            Family.objects.filter(organization_id=org_id)
            .order_by("id")
            .annotate(family_id=F("id")),
            loader.FAMILY_INPUTS,
        ),
    ]
    started = time.perf_counter()
    for queryset, columns in queries:
        names = [c.name for c in columns]
        loader.copy_out_bytes(queryset.values_list(*names), columns)
    loader.load_goals(organization_id=org_id)
    loader.load_help(
        organization_id=org_id,
        first_period=add_months(last_period, 1 - HELP_MONTHS),
        last_period=last_period,
    )
    return time.perf_counter() - started


def _floor_write(org_id: int, run_id: int) -> float:
    """Time writing the same snapshot rows with binary COPY, in a transaction rolled back."""
    from django.db import connection, transaction

    from insights.loader import model_columns
    from insights.models import AggregationRun, FamilySnapshot, GroupSnapshot
    from insights.pgcopy import encode
    from insights.pipeline import run_get_or_create
    from insights.selectors import snapshot_frames

    families, groups = snapshot_frames(run=AggregationRun.objects.get(pk=run_id))
    target = run_get_or_create(organization_id=org_id, as_of=FLOOR_AS_OF)
    streams = []
    for model, frame in ((FamilySnapshot, families), (GroupSnapshot, groups)):
        frame = frame.assign(organization_id=org_id, run_id=target.pk)
        columns = model_columns(model)
        names = ", ".join(f'"{c.name}"' for c in columns)
        statement = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN (FORMAT binary)'
        streams.append((statement, encode([(c.kind, frame[c.name]) for c in columns])))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, data in streams:
            with cursor.cursor.copy(statement) as copy:
                copy.write(data)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def child(url: str, slug: str, repeat: int) -> None:
    setup_django(url)
    from fii.models import Organization

    org = Organization.objects.get(slug=slug)
    nights = [_night(org.pk, date(AS_OF.year, AS_OF.month, AS_OF.day + i)) for i in range(repeat)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    from insights.models import AggregationRun

    run = AggregationRun.objects.get(organization=org, as_of=AS_OF)
    reads = [_floor_read(org.pk, run.last_period) for _ in range(repeat)]
    writes = [_floor_write(org.pk, run.pk) for _ in range(repeat)]
    stages = ["load", "features", "deviance", "write", "capital", "total", "night"]
    result = {
        "slug": slug,
        "stages": {s: statistics.median(n[s] for n in nights) for s in stages},
        "counts": nights[0]["counts"],
        "floor_read": statistics.median(reads),
        "floor_write": statistics.median(writes),
        "peak_bytes": peak,
    }
    print("RESULT " + json.dumps(result))


def measure(url: str, slug: str, repeat: int) -> dict:
    command = [sys.executable, __file__, "--child", slug, "--repeat", str(repeat)]
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"child {slug} failed:\n{done.stderr[-4000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- reporting ------------------------------------------------------------------------------


def report(results: dict[int, dict]) -> list[str]:
    lines = [
        "| families | journals | load | features | deviance | write | capital | whole night "
        "| floor (read + write) | night / floor | peak memory |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for families, r in sorted(results.items()):
        s, floor = r["stages"], r["floor_read"] + r["floor_write"]
        lines.append(
            f"| {families:,} | {r['counts']['journals_read']:,} | {s['load']:.2f} s "
            f"| {s['features']:.2f} s | {s['deviance']:.2f} s | {s['write']:.2f} s "
            f"| {s['capital']:.2f} s | **{s['night']:.2f} s** "
            f"| {floor:.2f} s ({r['floor_read']:.2f} + {r['floor_write']:.2f}) "
            f"| **{s['night'] / floor:.2f}x** | {r['peak_bytes'] / MB:,.0f} MB |"
        )
    return lines


def summary(results: dict[int, dict]) -> str:
    big, small = max(results), min(results)
    r = results[big]
    ratio = r["stages"]["night"] / (r["floor_read"] + r["floor_write"])
    growth = r["stages"]["night"] / results[small]["stages"]["night"]
    return (
        f"whole night / floor at {big:,} families: {ratio:.2f}x (target <= 3); "
        f"peak memory {r['peak_bytes'] / MB:,.0f} MB (target < 2048); "
        f"{big // small}x families cost {growth:.2f}x time (target <= 12)"
    )


def machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    import numpy
    import pandas

    return (
        f"{cores} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"pandas {pandas.__version__}, numpy {numpy.__version__}"
    )


def write_docs(lines: list[str], last: str, repeat: int) -> None:
    section = "\n".join(
        [
            "<!-- nightly:begin -->",
            f"Measured on {datetime.now(tz=UTC).date().isoformat()}, {machine()},",
            f"PostgreSQL 15 on the same machine; medians of {repeat} runs, each size in a fresh",
            "process.",
            "",
            *lines,
            "",
            f"`{last}`",
            "<!-- nightly:end -->",
        ]
    )
    text = DOCS.read_text()
    pattern = re.compile(r"<!-- nightly:begin -->.*<!-- nightly:end -->", re.DOTALL)
    DOCS.write_text(pattern.sub(lambda _: section, text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="Keep fii_bench if filled.")
    parser.add_argument("--write-docs", action="store_true", help="Update docs/benchmarks.md.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fii")
    url = with_database(base, BENCH_DB)
    if args.child:
        child(url, args.child, args.repeat)
        return
    if not args.reuse:
        create_database(base, BENCH_DB)
    setup_django(url)
    from django.core.management import call_command

    from fii.models import Organization

    call_command("migrate", verbosity=0)
    for families in args.families:
        if not Organization.objects.filter(slug=f"bench-{families}").exists():
            generate(families)
    analyze()
    results = {}
    for families in args.families:
        results[families] = measure(url, f"bench-{families}", args.repeat)
        print(f"  measured {families:,} families")
    lines = report(results)
    print("\n".join(lines))
    last = summary(results) if len(results) > 1 else ""
    if args.write_docs:
        write_docs(lines, last, args.repeat)
    print(last)


if __name__ == "__main__":
    main()
