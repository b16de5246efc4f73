"""Row-level security (fii.rowsecurity): on PostgreSQL, with ROW_SECURITY on, the database keeps
a page of one organization to that organization's rows, whatever SQL runs.

Every test runs in the test's transaction: the policies, the role and the role switch are
rolled back with it. The application's role is made as the deploy guide says: not a superuser
(a superuser is never held by row security), no BYPASSRLS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import override_settings

from families.models import Group
from fii import rowsecurity
from fii.checks import check_row_security_holds
from fii.models import AuditEvent
from tests.conftest import World, client_for
from tests.test_isolation import MARKER, fill, our_routes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row security is PostgreSQL's"),
]

ROLE = "fii_rls_probe"


def run(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def scope(value: str) -> None:
    """Set the organization seen for the rest of the test's transaction."""
    run("SELECT set_config(%s, %s, true)", [rowsecurity.SETTING, value])


def counts(organization_id: int | None = None) -> dict[str, int]:
    """Return each tenant table's rows, or those of one organization (by its column)."""
    found = {}
    for table, column in rowsecurity.tenant_tables():
        name, col = connection.ops.quote_name(table), connection.ops.quote_name(column)
        if organization_id is None:
            found[table] = run(f"SELECT count(*) FROM {name}")[0][0]  # noqa: S608
        else:
            sql = f"SELECT count(*) FROM {name} WHERE {col} = %s"  # noqa: S608
            found[table] = run(sql, [organization_id])[0][0]
    return found


def install() -> int:
    # The test's rows are checked now: a table with foreign-key checks still pending (deferred
    # to the end of the test's transaction) cannot be altered.
    run("SET CONSTRAINTS ALL IMMEDIATE")
    return rowsecurity.install()


def become_application_role() -> None:
    """Install the policies and become a role they hold, until the test's transaction ends."""
    assert install() == len(rowsecurity.tenant_tables())
    run(f"CREATE ROLE {ROLE} NOSUPERUSER NOBYPASSRLS NOLOGIN")
    run(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {ROLE}")
    run(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    run(f"SET LOCAL ROLE {ROLE}")


@pytest.fixture
def as_application_role() -> Iterator[None]:
    become_application_role()
    yield
    run("RESET ROLE")


def test_every_tenant_table_is_forced_under_the_policy(world_a: World) -> None:
    tables = rowsecurity.tenant_tables()
    names = {table for table, _column in tables}
    assert {"journals_journalentry", "families_family", "fii_membership", "fii_auditevent"} <= names
    install()
    forced = dict(
        run(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class"
            " WHERE relname = ANY(%s)",
            [sorted(names)],
        )
    )
    assert forced == dict.fromkeys(names, True)
    policies = {
        row[0]
        for row in run(
            "SELECT tablename FROM pg_policies WHERE policyname = %s", [rowsecurity.POLICY]
        )
    }
    assert policies == names
    # Off again: `migrate` removes every policy it made.
    with override_settings(ROW_SECURITY=False):
        rowsecurity.after_migrate(using="default")
    assert run("SELECT count(*) FROM pg_policies WHERE policyname = %s", [rowsecurity.POLICY]) == [
        (0,)
    ]
    with override_settings(ROW_SECURITY=True):
        run("SET CONSTRAINTS ALL IMMEDIATE")
        rowsecurity.after_migrate(using="default")
    assert run("SELECT count(*) FROM pg_policies WHERE policyname = %s", [rowsecurity.POLICY]) == [
        (len(names),)
    ]


def test_the_application_role_sees_nothing_of_another_organization_even_through_raw_sql(
    world_a: World, world_b: World
) -> None:
    a, b = world_a.org.pk, world_b.org.pk
    everything, of_a, of_b = counts(), counts(a), counts(b)
    assert of_a["journals_journalentry"] > 0 and of_b["journals_journalentry"] > 0  # not vacuous
    become_application_role()

    scope(str(a))
    assert counts(b) == dict.fromkeys(everything, 0)  # asked for B by name: nothing
    assert counts() == of_a  # everything it can see is A's
    scope("")  # nothing set: nothing at all
    assert counts() == dict.fromkeys(everything, 0)
    scope(f"{a} OR true")  # not an organization's id: nothing, and no error
    assert counts() == dict.fromkeys(everything, 0)
    scope(rowsecurity.EVERYTHING)  # what Django's connections open with
    assert counts() == everything


def test_a_statement_cannot_write_into_another_organization(
    world_a: World, world_b: World, as_application_role: None
) -> None:
    family_b = world_b.objects["family"]
    scope(str(world_a.org.pk))
    updated = run(
        "UPDATE families_family SET name = 'taken' WHERE id = %s RETURNING id",
        [family_b.pk],  # type: ignore[attr-defined]
    )
    assert updated == []
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Group.objects.create(organization=world_b.org, name="planted")
    Group.objects.create(organization=world_a.org, name="its own")
    # An audit event of no organization (a failed sign-in) is written outside any organization.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        AuditEvent.objects.create(action="login.failed")
    scope(rowsecurity.EVERYTHING)
    AuditEvent.objects.create(action="login.failed")


def org_pages(world: World) -> list[str]:
    pages = []
    for route in our_routes():
        path = fill(route, world)
        if path is not None and "org_slug" in route.keys:
            pages.append(path)
    return pages


def test_every_page_of_an_organization_works_under_row_security(
    world_a: World, world_b: World
) -> None:
    """A's people get every page of A as they do without row security (same status, A's
    data where it was): nothing the pages read lies outside their organization."""
    people = {
        "family": client_for(world_a.family_user),
        "staff": client_for(world_a.staff_user),
        "admin": client_for(world_a.admin_user),
    }
    pages = org_pages(world_a)
    assert len(pages) > 50

    def visit() -> dict[tuple[str, str], tuple[int, bool]]:
        seen = {}
        for who, client in people.items():
            for path in pages:
                scope(rowsecurity.EVERYTHING)  # each request starts from the connection's own
                response = client.get(path)
                marker = MARKER in response.content.decode(errors="replace")
                seen[(who, path)] = (response.status_code, marker)
        return seen

    without = visit()
    become_application_role()
    with override_settings(ROW_SECURITY=True):
        within = visit()
    assert sum(1 for status, _ in without.values() if status == 200) > 100  # not vacuous
    differences = {
        key: (without[key], within[key]) for key in without if without[key] != within[key]
    }
    assert differences == {}


def test_the_deploy_check_warns_of_a_role_row_security_never_holds() -> None:
    # The test database's role is a superuser: PostgreSQL holds it to no policy.
    with override_settings(ROW_SECURITY=True):
        warnings = check_row_security_holds(None, databases=["default"])
    assert [w.id for w in warnings] == ["fii.W002"]
    with override_settings(ROW_SECURITY=False):
        assert check_row_security_holds(None, databases=["default"]) == []
    run(f"CREATE ROLE {ROLE} NOSUPERUSER NOBYPASSRLS NOLOGIN")
    run(f"SET LOCAL ROLE {ROLE}")
    with override_settings(ROW_SECURITY=True):
        assert check_row_security_holds(None, databases=["default"]) == []
