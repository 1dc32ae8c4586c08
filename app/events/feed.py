"""Reading the feed: every visible event exactly once, in a stable order.

Order is (xid, position). On SQLite every write transaction holds the single write lock
(BEGIN IMMEDIATE) while it assigns positions, so positions commit in order and xid is 0.
On PostgreSQL transactions commit out of order, so the feed serves only events whose
writing transaction id is below the reader's snapshot xmin: every transaction older than
that has finished, so no event can later appear behind a cursor already handed out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.types import NullType
from sqlmodel import Session, col

from app.agencies.repository import AgencyRepository
from app.core.errors import BadRequest
from app.core.rows import instant_value
from app.events.outbox import DECISION_RECIPIENTS
from app.models import Event, EventAudience


class InvalidEventCursor(BadRequest):
    title = "Invalid cursor"
    slug = "invalid-cursor"
    default_detail = "This cursor was not issued to your agency by this feed."


@dataclass(frozen=True)
class FeedPosition:
    xid: int
    position: int


START = FeedPosition(0, 0)


def _mac(key: bytes, agency_id: uuid.UUID, payload: bytes) -> str:
    digest = hmac.new(key, str(agency_id).encode() + b"\x1f" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def encode_cursor(key: bytes, agency_id: uuid.UUID, at: FeedPosition) -> str:
    """Opaque and bound to the agency: another agency's cursor does not verify."""
    payload = json.dumps([at.xid, at.position], separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    return f"{body}.{_mac(key, agency_id, payload)}"


def decode_cursor(key: bytes, agency_id: uuid.UUID, cursor: str) -> FeedPosition:
    try:
        body, mac = cursor.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if not hmac.compare_digest(mac, _mac(key, agency_id, payload)):
            raise ValueError("not this agency's cursor")
        xid, position = json.loads(payload)
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (xid, position)
        ):
            raise ValueError("bad cursor values")
        return FeedPosition(xid, position)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise InvalidEventCursor() from exc


def audiences_of(session: Session, agency_id: uuid.UUID) -> list[str]:
    """The audience keys an agency's feed reads: its id, and a role it holds."""
    roles = AgencyRepository(session).roles_of(agency_id)
    audiences = [str(agency_id)]
    if roles is not None and "decision_recipient" in roles:
        audiences.append(DECISION_RECIPIENTS)
    return audiences


# Feed statements, built once per (columns, dialect, filtered by type or not) with bound
# parameters: building and hashing the statement was ~0.2 ms of every page.
_FEED_STATEMENTS: dict[tuple[str, str, bool], Select[Any]] = {}


def _feed_statement(columns: tuple[Any, ...], dialect: str, by_type: bool) -> Select[Any]:
    """``columns`` plus the audience's xid and position of up to ``:limit`` visible events
    of ``:audiences`` after (``:after_xid``, ``:after_position``), in feed order."""
    audience = EventAudience
    after = tuple_(
        bindparam("after_xid", type_=BigInteger()), bindparam("after_position", type_=BigInteger())
    )
    stmt = (
        select(*columns, col(audience.xid), col(audience.event_position))
        .join(audience, col(audience.event_position) == col(Event.position))
        .where(
            col(audience.audience).in_(bindparam("audiences", expanding=True)),
            tuple_(col(audience.xid), col(audience.event_position)) > after,
        )
    )
    if dialect == "postgresql":
        stmt = stmt.where(
            col(audience.xid) < text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        )
    if by_type:
        stmt = stmt.where(col(Event.type).in_(bindparam("types", expanding=True)))
    return stmt.order_by(col(audience.xid), col(audience.event_position)).limit(
        bindparam("limit", type_=Integer())
    )


def _feed_select(
    session: Session,
    reading: str,
    audiences: list[str],
    after: FeedPosition,
    *,
    limit: int,
    types: list[str] | None,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement and parameters for up to ``limit`` visible events after ``after``;
    ``reading`` names what each row carries (``_READINGS``)."""
    shape = (reading, session.get_bind().dialect.name, bool(types))
    stmt = _FEED_STATEMENTS.get(shape)
    if stmt is None:
        stmt = _feed_statement(_READINGS[reading], shape[1], shape[2])
        _FEED_STATEMENTS[shape] = stmt
    params: dict[str, Any] = {
        "audiences": audiences,
        "after_xid": after.xid,
        "after_position": after.position,
        "limit": limit,
    }
    if types:
        params["types"] = types
    return stmt, params


def read_events(
    session: Session,
    audiences: list[str],
    after: FeedPosition,
    *,
    limit: int,
    types: list[str] | None,
) -> tuple[list[Event], FeedPosition]:
    """Up to ``limit`` visible events after ``after`` and the position to continue from."""
    stmt, params = _feed_select(session, "events", audiences, after, limit=limit, types=types)
    rows, last = _once_each(session.execute(stmt, params), after)
    return [event for event, _, _ in rows], last


def _once_each(rows: Iterable[Any], after: FeedPosition) -> tuple[list[Any], FeedPosition]:
    """Feed rows (ending in xid, position) with each event once, and the position the
    last of them leaves the feed at: an event reached through two audiences comes in
    adjacent rows."""
    distinct, last_xid, last_position = [], after.xid, after.position
    for row in rows:
        xid, position = row[-2], row[-1]
        if position == last_position and xid == last_xid:
            continue  # the same event reached through two audiences
        distinct.append(row)
        last_xid, last_position = xid, position
    return distinct, FeedPosition(last_xid, last_position)


_ITEM_COLUMNS = (
    # Ids as text (PostgreSQL prints the dashed form; SQLite keeps 32 hex digits, dashed
    # by _uuid_text): a page of 500 parsed and printed 1,000 UUID objects. (Dashing them
    # in SQLite's SQL, with substr and ||, measured slower than in Python.)
    cast(col(Event.id), Text),
    col(Event.type),
    # The driver's value (SQLite text, PostgreSQL datetime), converted once by
    # _instant_text: the UTCDateTime decorator was a sixth of a page's time.
    type_coerce(col(Event.occurred_at), NullType()),
    col(Event.resource_type),
    cast(col(Event.resource_id), Text),
    # The stored JSON text as it is: spliced into the page unparsed (it was written by
    # our own encoder, and holds ids and small facts only).
    cast(col(Event.data), Text),
)

# What a feed statement selects before (xid, position): mapped events (the webhook
# worker) or the columns of a page's JSON items.
_READINGS: dict[str, tuple[Any, ...]] = {"events": (Event,), "items": _ITEM_COLUMNS}


def read_items_json(
    session: Session,
    audiences: list[str],
    after: FeedPosition,
    *,
    limit: int,
    types: list[str] | None,
) -> tuple[list[bytes], FeedPosition]:
    """``read_events`` for the feed page: each event already encoded as its JSON item
    (the fields of ``event_item``), from plain rows rather than ORM objects."""
    stmt, params = _feed_select(session, "items", audiences, after, limit=limit, types=types)
    items: list[bytes] = []
    rows, last = _once_each(session.connection().execute(stmt, params).all(), after)
    for id_, type_, occurred_at, resource_type, resource_id, data, _, _ in rows:
        head = to_json(
            {"id": _uuid_text(id_), "type": type_,
             "occurred_at": _instant_text(occurred_at),
             "resource_type": resource_type, "resource_id": _uuid_text(resource_id)}
        )  # fmt: skip
        items.append(head[:-1] + b',"data":' + data.encode() + b"}")
    return items, last


def _instant_text(value: object) -> str:
    """``occurred_at`` as the API writes every instant (RFC 3339 UTC with ``Z``, the
    fraction only when not zero: pydantic's encoding, as in webhooks and other reads)."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " " and value[19] == ".":
        # SQLite's naive UTC text ('YYYY-MM-DD HH:MM:SS.ffffff', always 26 characters)
        # rewritten without parsing it: parsing and printing 500 instants was ~1.5 ms of a
        # 4 ms page.
        fraction = "" if value.endswith(".000000") else value[19:]
        return f"{value[:10]}T{value[11:19]}{fraction}Z"
    instant = instant_value(value)
    if instant is None:  # NOT NULL in the schema
        raise ValueError("an event without occurred_at")
    return to_json(instant)[1:-1].decode()


def _uuid_text(value: object) -> str:
    """A UUID column's text in the canonical dashed form: SQLite keeps 32 hex digits,
    PostgreSQL prints it dashed."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def page_json(items: list[bytes], next_cursor: str | None) -> bytes:
    """An ``EventPage`` body from encoded items."""
    return b'{"items":[' + b",".join(items) + b'],"next_cursor":' + to_json(next_cursor) + b"}"


def event_item(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at,
        "resource_type": event.resource_type,
        "resource_id": str(event.resource_id),
        "data": event.data,
    }
