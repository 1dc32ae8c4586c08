"""Keyset pagination: opaque cursors, ``{"items", "next_cursor"}`` and a ``Link`` header."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, tuple_

from app.core.errors import BadRequest
from app.core.examples import CURSOR, schema_example

T = TypeVar("T")

MAX_CURSOR_LENGTH = 512


class InvalidCursor(BadRequest):
    title = "Invalid cursor"
    slug = "invalid-cursor"
    default_detail = "The cursor is not one this list returned; start again without it."


def _page_example(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # Page[VictimRead] shows one VictimRead example and a next cursor.
    args = cls.__pydantic_generic_metadata__["args"]
    item = schema_example(args[0]) if args else None
    if item is not None:
        schema["examples"] = [{"items": [item], "next_cursor": CURSOR}]


class Page(BaseModel, Generic[T]):
    """One page of a list, oldest first."""

    model_config = ConfigDict(json_schema_extra=_page_example)

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= to get the next page; null on the last page."
    )


LimitParam = Annotated[int, Query(ge=1, le=200, description="Page size (1..200).")]
CursorParam = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="Opaque cursor from a previous page."),
]


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "u" in value:
            return uuid.UUID(value["u"])
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise ValueError("unexpected cursor value")


def encode_cursor(kind: str, key: tuple[Any, ...]) -> str:
    raw = json.dumps([kind, [_encode_value(v) for v in key]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str, kind: str, arity: int) -> tuple[Any, ...]:
    """The key a cursor names; any tampering or a cursor of another list is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not (isinstance(data, list) and len(data) == 2 and data[0] == kind):
            raise ValueError("wrong kind")
        values = data[1]
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("wrong arity")
        decoded = tuple(_decode_value(v) for v in values)
        # Keys are (created_at, id) or a sequence number; anything else was not issued here.
        expected = (datetime, uuid.UUID) if arity == 2 else (int,)
        if not all(isinstance(v, t) for v, t in zip(decoded, expected, strict=True)):
            raise ValueError("wrong value types")
        if arity == 2 and decoded[0].tzinfo is None:
            raise ValueError("naive timestamp")
        return decoded
    except (ValueError, TypeError, UnicodeError, binascii.Error) as exc:
        raise InvalidCursor() from exc


def set_next_link(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'


R = TypeVar("R")
S = TypeVar("S", bound=Select[Any])


def where_equal(stmt: S, *pairs: tuple[Any, Any]) -> S:
    """``stmt`` narrowed to ``column == value`` for each (column, value) whose value was
    given (not None): the list filters of the contract."""
    for column, value in pairs:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def keyset(stmt: S, model: Any, after: tuple[Any, ...] | None, limit: int) -> S:
    """Order ``stmt`` by (created_at, id) and start after ``after``: the one keyset shape
    every list uses (an index on those columns serves it; never OFFSET)."""
    created_at, row_id = model.created_at, model.id
    if after is not None:
        stmt = stmt.where(tuple_(created_at, row_id) > tuple_(*after))
    return stmt.order_by(created_at, row_id).limit(limit)


def paginate(
    kind: str,
    cursor: str | None,
    limit: int,
    fetch: Callable[[int, tuple[Any, ...] | None], list[R]],
) -> tuple[list[R], str | None]:
    """Decode the cursor, fetch one row more than a page, and name the next cursor."""
    after = decode_cursor(cursor, kind, 2) if cursor else None
    return keyset_page(fetch(limit + 1, after), limit, kind)


def keyset_page(rows: list[R], limit: int, kind: str) -> tuple[list[R], str | None]:
    """Trim a ``limit + 1`` fetch to a page and name the cursor after its last row.

    Rows are ordered by ``(created_at, id)``; fetching one extra row tells whether more
    exist without a COUNT.
    """
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last: Any = rows[-1]
    return rows, encode_cursor(kind, (last.created_at, last.id))
