"""Write a consistent copy of the database to a file: pg_dump on PostgreSQL, SQLite's backup API."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def postgres_url(config: Mapping[str, Any]) -> str:
    """Return a libpq connection URI for Django's database settings."""
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = config.get("HOST") or "localhost"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{config['NAME']}"


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise CommandError(f"{tool} is not installed (apt-get install postgresql-client).")
    return path


class Command(BaseCommand):
    help = "Back the database up to a file (default: backups/fii-<UTC time>.<dump|sqlite3>)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.DATABASES["default"]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if connection.vendor == "postgresql":
            target = Path(options["output"] or f"backups/fii-{stamp}.dump")
            target.parent.mkdir(parents=True, exist_ok=True)
            command = [require("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)]
            result = subprocess.run(  # noqa: S603 (our own tool path and settings)
                [*command, postgres_url(config)], capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            target = Path(options["output"] or f"backups/fii-{stamp}.sqlite3")
            target.parent.mkdir(parents=True, exist_ok=True)
            with (
                sqlite3.connect(str(config["NAME"])) as source,
                sqlite3.connect(str(target)) as copy,
            ):
                source.backup(copy)
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size:,} bytes).")
