"""Plain rows of a table, with the Python values SQLAlchemy would give, read cheaply.

SQLAlchemy's result processing is general: per value it dispatches through the column's
type (and our ``UTCDateTime`` decorator), and on SQLite parses datetimes with a regular
expression. For a page of 50 victims (23 columns) that was 1.7 ms of the 2.0 ms the page
query took, against 0.3 ms to run it. ``FastRows`` selects the columns untyped, so the
driver's values come through as they are, and converts only the columns whose driver
value is not already the Python one, with C-speed functions (``datetime.fromisoformat``,
``uuid.UUID``, ``json.loads``). A test compares every column with SQLAlchemy's own result
on each database.
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, LargeBinary, Table, Uuid, insert, type_coerce
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.elements import Label
from sqlalchemy.types import NullType

from app.core.db import UTCDateTime

Converter = Callable[[Any], Any]


def _uuid(value: Any) -> uuid.UUID | None:
    # SQLite keeps 32 hex digits; psycopg already returns a UUID.
    return uuid.UUID(value) if isinstance(value, str) else value


def instant_value(value: Any) -> datetime | None:
    # SQLite keeps naive UTC text (UTCDateTime); PostgreSQL gives an aware datetime.
    if value is None:
        return None
    instant: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    if instant.tzinfo is UTC:
        return instant
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _json(value: Any) -> Any:
    # SQLite keeps JSON text (only there: psycopg decodes json/jsonb itself, and a JSON
    # string value must not be decoded twice). Most lists are empty.
    if value == "[]":
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def _bytes(value: Any) -> bytes | None:
    return bytes(value) if isinstance(value, memoryview) else value


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _converter(column: Column[Any], dialect: str) -> Converter | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return instant_value
    if isinstance(kind, Uuid):
        return _uuid
    if isinstance(kind, JSON):  # also JSON().with_variant(JSONB(), "postgresql")
        return _json if dialect == "sqlite" else None
    if isinstance(kind, LargeBinary):
        return _bytes
    if isinstance(kind, Boolean):
        return _bool
    return None


class FastRows:
    """``columns`` to select (untyped, labelled by name) and ``records`` to turn the rows
    into named tuples carrying the same values SQLAlchemy's typed result would.

    ``source``: a table (all its columns), or columns (their names must not repeat).
    """

    def __init__(self, source: Table | Sequence[Column[Any]], name: str = "row") -> None:
        self._chosen = list(source.c) if isinstance(source, Table) else list(source)
        self.columns: list[Label[Any]] = [
            type_coerce(c, NullType()).label(c.name) for c in self._chosen
        ]
        self._record = namedtuple(f"{name}_row", [c.name for c in self._chosen])  # type: ignore[misc]
        self._converters: dict[str, list[tuple[int, Converter]]] = {}

    def records(self, result: CursorResult[Any]) -> list[Any]:
        """The rows of ``result`` (a statement selecting ``columns``) as named tuples."""
        dialect = result.context.dialect.name
        convert = self._converters.get(dialect)
        if convert is None:
            convert = self._converters[dialect] = [
                (i, f) for i, c in enumerate(self._chosen) if (f := _converter(c, dialect))
            ]
        out = []
        for row in result:
            values = list(row)
            for i, conversion in convert:
                values[i] = conversion(values[i])
            out.append(self._record(*values))
        return out


def _sqlite_uuid(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _sqlite_instant(value: Any) -> Any:
    # What SQLAlchemy's SQLite DATETIME stores (always six fraction digits), as naive UTC.
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _sqlite_bind(column: Column[Any]) -> Converter | None:
    if isinstance(column.type, UTCDateTime):
        return _sqlite_instant
    if isinstance(column.type, Uuid):
        return _sqlite_uuid
    return None


class FastInsert:
    """An executemany INSERT of complete rows whose values go to the driver as it wants
    them, converted by a few direct functions instead of SQLAlchemy's per-value binding.

    For the audit trail: a list read appends 50 entries, and binding their 600 values
    through SQLAlchemy cost about as much as SQLite's inserting them. Only UUID and
    ``UTCDateTime`` columns need converting, and only on SQLite (psycopg adapts both);
    a test compares the stored rows with those of a plain SQLAlchemy insert.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.names = [c.name for c in table.c]
        self._sqlite = [(i, f) for i, c in enumerate(table.c) if (f := _sqlite_bind(c))]
        self._compiled: dict[str, str] = {}

    def execute(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows``: tuples of every column's value, in the table's column order."""
        if not rows:
            return
        dialect = conn.dialect
        sql = self._compiled.get(dialect.name)
        if sql is None:
            compiled = insert(self.table).compile(dialect=dialect, column_keys=self.names)
            if dialect.positional and getattr(compiled, "positiontup", None) != self.names:
                raise RuntimeError("unexpected parameter order for a fast insert")
            sql = self._compiled[dialect.name] = compiled.string
        params: list[Any]
        if dialect.name == "sqlite":
            params = []
            for row in rows:
                values = list(row)
                for i, convert in self._sqlite:
                    values[i] = convert(values[i])
                params.append(tuple(values))
        elif dialect.positional:
            params = [tuple(row) for row in rows]
        else:
            params = [dict(zip(self.names, row, strict=True)) for row in rows]
        conn.exec_driver_sql(sql, params)
