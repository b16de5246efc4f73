"""Row-level security on PostgreSQL: the database itself keeps a page to its organization.

Defense in depth under the application's own scoping (fii.tenancy, fii.access), switched on
with ROW_SECURITY=1. Every tenant table (a model with an `organization` key) then has a policy
that shows, and lets a statement write, a row only when its organization is the one set for
the transaction in `fii.organization`:

- an organization's id: that organization's rows only. A page or an API call of an
  organization runs in one transaction that sets it first (set_config with is_local, so it
  ends with the transaction and never outlives it on a kept or pooled connection): a query
  that forgot its organization, or any SQL at all, finds nothing of another one;
- "all": every row. Django's connections open with it (the connection option in
  fii.settings), for everything that is not one organization's: signing in, the funders'
  pages, the nightly run, the admin, migrations;
- not set, or anything else: no row. Someone connected without that option (psql, another
  program under the same role) sees nothing.

The tables are FORCEd, so their owner is held too; a superuser or a role with BYPASSRLS never
is (PostgreSQL's rule), which the deploy check (fii.checks) points out. `migrate` installs the
policies when ROW_SECURITY is on and removes them when it is off, whatever tables there are by
then. A row of no organization (an audit event of a failed sign-in) belongs to "all" only: a
page of one organization can neither read nor write one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

SETTING = "fii.organization"
EVERYTHING = "all"
CONNECTION_OPTION = f"-c {SETTING}={EVERYTHING}"
POLICY = "fii_tenant"
FUNCTION = "fii_row_visible"

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(organization bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN current_setting('{SETTING}', true) = '{EVERYTHING}' THEN true
    WHEN current_setting('{SETTING}', true) ~ '^[0-9]{{1,18}}$'
      THEN organization = current_setting('{SETTING}', true)::bigint
    ELSE false
  END
$$
"""


def enabled() -> bool:
    """Return whether the pages of an organization set it for the database (PostgreSQL only)."""
    return bool(getattr(settings, "ROW_SECURITY", False)) and connection.vendor == "postgresql"


def tenant_tables() -> list[tuple[str, str]]:
    """Return (table, organization column) of every tenant model."""
    tables = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        field = next((f for f in meta.concrete_fields if f.name == "organization"), None)
        if isinstance(field, models.ForeignKey):
            tables.append((meta.db_table, str(field.column)))
    return sorted(tables)


def _policy_sql(table: str, column: str, quote: Any) -> list[str]:
    name, visible = quote(table), f"{FUNCTION}({quote(column)})"
    return [
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {name}",
        f"CREATE POLICY {POLICY} ON {name} USING ({visible}) WITH CHECK ({visible})",
    ]


def install(using: Any = connection) -> int:
    """Create or refresh the policy of every tenant table; return how many tables have one."""
    tables = tenant_tables()
    with using.cursor() as cursor:
        cursor.execute(_FUNCTION_SQL)
        for table, column in tables:
            for sql in _policy_sql(table, column, using.ops.quote_name):
                cursor.execute(sql)
    return len(tables)


def uninstall(using: Any = connection) -> int:
    """Remove the policies (and row security) from every table that has ours; return how many."""
    with using.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [POLICY])
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            name = using.ops.quote_name(table)
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {name}")
            cursor.execute(f"ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {name} DISABLE ROW LEVEL SECURITY")
    return len(tables)


def after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Install or remove the policies after `migrate`, as ROW_SECURITY says (PostgreSQL)."""
    from django.db import connections

    target = connections[using]
    if target.vendor != "postgresql":
        return
    if getattr(settings, "ROW_SECURITY", False):
        install(target)
    else:
        uninstall(target)


def set_organization(organization_id: int) -> None:
    """Keep this transaction's statements to one organization's rows."""
    if not connection.in_atomic_block:
        raise ValueError("The organization is set for a transaction: open one first.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, str(int(organization_id))])


@contextmanager
def _scoped(organization_id: int) -> Iterator[None]:
    with transaction.atomic():
        set_organization(organization_id)
        yield


def organization_scope(organization_id: int) -> Any:
    """Return a context that runs in one transaction kept to the organization's rows, or
    nothing at all when row security is off."""
    return _scoped(organization_id) if enabled() else nullcontext()
