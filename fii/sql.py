"""Hand-written SQL for the few queries that run on nearly every request.

Building and compiling an ORM query costs about half a millisecond of Python before the
database sees it, more than the indexed lookup itself. The session, the user and the
membership are read on every signed-in request, and the family's month, goals and questions
on most of a family's: those queries are written with this module, as SQL, and their rows
turned into ordinary model instances with the ORM's own converters (`Model.from_db`), exactly
as a QuerySet would return them (tests compare the two on SQLite and PostgreSQL).

Everything else goes through the ORM. A query here names its tables with `Table`, so the
columns always follow the models, and a tenant table is still read with its organization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


class Table(Generic[M]):
    """One model's concrete columns under an alias, for a SELECT list and to build instances."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.names = tuple(field.attname for field in self.fields)
        self.pk_index = self.fields.index(model._meta.pk)
        self._by_connection: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()

    @property
    def name(self) -> str:
        """Return the quoted table name with its alias, for FROM and JOIN."""
        quote = connections[self.db].ops.quote_name
        return f"{quote(self.model._meta.db_table)} {quote(self.alias)}"

    @property
    def db(self) -> str:
        return router.db_for_read(self.model)

    def columns(self) -> str:
        """Return the SELECT list of every concrete column, in the model's order."""
        quote = connections[self.db].ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(str(f.column))}" for f in self.fields)

    def column(self, name: str) -> str:
        """Return one column, by field name, qualified with the alias."""
        quote = connections[self.db].ops.quote_name
        return f"{quote(self.alias)}.{quote(str(self.field(name).column))}"

    def order(self, *names: str) -> str:
        """Return an ORDER BY list of fields by name, "-name" descending (as in Meta.ordering).

        With no names, the model's own Meta.ordering, so that the order is written once.
        """
        names = names or tuple(self.model._meta.ordering)  # type: ignore[arg-type]
        return ", ".join(
            f"{self.column(name[1:])} DESC" if name.startswith("-") else self.column(name)
            for name in names
        )

    def fetch(self, sql: str, params: Sequence[Any]) -> list[M]:
        """Return the instances of a SELECT of this table's columns only."""
        return [self.build(row) for row in fetch_rows(self.db, sql, params)]  # type: ignore[misc]

    def fetch_one(self, sql: str, params: Sequence[Any]) -> M | None:
        """Return the instance of the first row of a SELECT of this table's columns, or None."""
        rows = fetch_rows(self.db, sql, params)
        return self.build(rows[0]) if rows else None

    def value(self, name: str, value: Any) -> Any:
        """Return a value as the database takes it for one column (a date as text on SQLite)."""
        return self.field(name).get_db_prep_value(value, connections[self.db], prepared=False)

    def field(self, name: str) -> models.Field[Any, Any]:
        field = self.model._meta.get_field(name)
        assert isinstance(field, models.Field)  # a column, not a reverse relation
        return field

    def converted(self, name: str, value: Any) -> Any:
        """Return one column's value as the ORM gives it (a datetime from SQLite's text)."""
        connection = connections[self.db]
        index = self.names.index(self.field(name).attname)
        for at, converters, column in self._converters(connection):
            if at == index:
                for converter in converters:
                    value = converter(value, column, connection)
        return value

    def build(self, values: Sequence[Any]) -> M | None:
        """Return the instance of a row's values (None when a LEFT JOIN found no row)."""
        if values[self.pk_index] is None:
            return None
        connection = connections[self.db]
        row = list(values)
        for index, converters, column in self._converters(connection):
            value = row[index]
            for converter in converters:
                value = converter(value, column, connection)
            row[index] = value
        return self.model.from_db(self.db, self.names, row)

    def _converters(self, connection: Any) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
        """Return, per column that needs them, the converters the ORM would apply.

        They are the backend's (dates on SQLite, say) and the field's (JSON), kept per
        connection since the backend's are bound to it.
        """
        found = self._by_connection.get(connection)
        if found is None:
            found = tuple(self._find_converters(connection))
            self._by_connection[connection] = found
        return found

    def _find_converters(self, connection: Any) -> Iterator[tuple[int, tuple[Converter, ...], Any]]:
        for index, field in enumerate(self.fields):
            column = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(column)
            converters += column.get_db_converters(connection)
            if converters:
                yield index, tuple(converters), column


def update(instance: models.Model) -> None:
    """Write every column of a saved instance by its primary key, as Model.save() does.

    The values go through each field's pre_save (auto_now) and get_db_prep_save, as in the
    ORM. No signal is sent: use it only for a model that has no save receivers and no save()
    of its own (tests check the row against the ORM's).
    """
    model = type(instance)
    db = router.db_for_write(model)
    connection = connections[db]
    fields, sql = _update_sql(model, db)
    values = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
    instance._state.db = db


@cache
def _update_sql(model: type[models.Model], db: str) -> tuple[list[Any], str]:
    """Return the columns an update writes and its SQL, for one model on one database."""
    connection = connections[db]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    return fields, f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (model names)


def fetch_rows(db: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one SELECT through Django's cursor (so it is logged and counted like any other)."""
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def split(row: Sequence[Any], *tables: Table[Any]) -> list[Any]:
    """Return the instances of one row that holds each table's columns in turn."""
    instances = []
    start = 0
    for table in tables:
        end = start + len(table.fields)
        instances.append(table.build(row[start:end]))
        start = end
    return instances


def select(
    *tables: Table[Any],
    where: str,
    joins: str = "",
    order_by: str = "",
    limit: int | str | None = None,
    for_update: bool = False,
) -> str:
    """Return a SELECT of every table's columns, FROM the first one, with joins and a WHERE.

    Only names taken from the models go into the text; every value is a parameter (`limit`
    too, when it is given as "%s"). A lock
    (`for_update`) is asked only of a database that has one, as the ORM does.
    """
    columns = ", ".join(table.columns() for table in tables)
    sql = f"SELECT {columns} FROM {tables[0].name} {joins} WHERE {where}"  # noqa: S608
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += " LIMIT %s" if limit == "%s" else f" LIMIT {int(limit)}"
    if for_update and connections[tables[0].db].features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql
