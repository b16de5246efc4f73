"""A backup restores into a fresh database with every journal in it."""

import datetime as dt

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from fii.management.commands.backup import postgres_url
from journals.models import JournalEntry
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def make_journals() -> int:
    family = f.FamilyFactory()
    for month in range(1, 7):
        f.JournalEntryFactory(
            family=family, period=dt.date(2024, month, 1), income_wages=1000 + month
        )
    return JournalEntry.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
def test_a_postgres_backup_restores_into_a_fresh_database(tmp_path):
    expected = make_journals()
    dump = tmp_path / "fii.dump"
    call_command("backup", output=str(dump))
    config = dict(connection.settings_dict)
    fresh = f"{config['NAME']}_restore"
    admin_url = postgres_url({**config, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        from django.conf import settings

        original = settings.DATABASES["default"]["NAME"]
        settings.DATABASES["default"]["NAME"] = fresh
        connection.settings_dict["NAME"] = fresh
        try:
            call_command("restore", str(dump))
        finally:
            settings.DATABASES["default"]["NAME"] = original
            connection.settings_dict["NAME"] = original
            connection.close()
        with psycopg.connect(postgres_url({**config, "NAME": fresh})) as restored:
            rows = restored.execute(
                "SELECT count(*), sum(income_wages) FROM journals_journalentry"
            ).fetchone()
        assert rows == (expected, sum(1000 + m for m in range(1, 7)))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default")
def test_a_sqlite_backup_keeps_every_journal(tmp_path, settings, monkeypatch):
    # The test database is in memory; back up a file database the way the demo runs.
    db_file = tmp_path / "live.sqlite3"
    import sqlite3

    expected = make_journals()
    with sqlite3.connect(str(db_file)) as live:
        connection.ensure_connection()
        connection.connection.backup(live)  # type: ignore[union-attr]
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", str(db_file))
    copy = tmp_path / "copy.sqlite3"
    call_command("backup", output=str(copy))
    with sqlite3.connect(str(copy)) as restored:
        count = restored.execute("SELECT count(*) FROM journals_journalentry").fetchone()[0]
    assert count == expected
