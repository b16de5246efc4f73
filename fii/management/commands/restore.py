"""Restore a backup written by `manage.py backup` into the configured database."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import postgres_url, require


class Command(BaseCommand):
    help = "Restore the database from a backup file, replacing what it holds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="a .dump (PostgreSQL) or .sqlite3 (SQLite) backup")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"No backup at {source}.")
        config = settings.DATABASES["default"]
        connection.close()
        if connection.vendor == "postgresql":
            command = [
                require("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
            ]
            result = subprocess.run(  # noqa: S603
                [*command, "--dbname", postgres_url(config), str(source)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            with (
                sqlite3.connect(str(source)) as backup,
                sqlite3.connect(str(config["NAME"])) as live,
            ):
                backup.backup(live)
        else:
            raise CommandError(f"No restore method for {connection.vendor}.")
        self.stdout.write(f"Restored from {source}.")
