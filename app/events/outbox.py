"""Writing events: in the caller's transaction, with their audience, never identity."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, literal, select, text
from sqlmodel import Session, col

from app.core.db import utcnow
from app.models import Event, EventAudience

DECISION_RECIPIENTS = "role:decision_recipient"


class EventType(StrEnum):
    """`<resource>.<change>`: what happened. Payloads carry ids and statuses, never identity."""

    RESCUE_OPERATION_CREATED = "rescue_operation.created"
    VICTIM_REGISTERED = "victim.registered"
    VICTIM_UPDATED = "victim.updated"
    VICTIM_ERASED = "victim.erased"
    CONSENT_RECORDED = "consent.recorded"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    REFERRAL_CREATED = "referral.created"
    REFERRAL_STATUS_CHANGED = "referral.status_changed"
    DECISION_ISSUED = "decision.issued"
    RECONSIDERATION_REQUESTED = "reconsideration.requested"


def _xid(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        # The writing transaction's id, so readers can hold back events of transactions
        # that are still running (SECURITY.md §7).
        return text("pg_current_xact_id()::text::bigint")
    return literal(0)


def emit(
    session: Session,
    event_type: EventType,
    resource_type: str,
    resource_id: uuid.UUID,
    data: dict[str, Any],
    audience: Iterable[uuid.UUID | str],
) -> None:
    """Record an event; ``data`` holds ids and small facts only (never identity)."""
    row = session.execute(
        insert(Event)
        .values(
            id=uuid.uuid4(),
            xid=_xid(session),
            type=event_type.value,
            occurred_at=utcnow(),
            resource_type=resource_type,
            resource_id=resource_id,
            data=data,
        )
        .returning(col(Event.position), col(Event.xid))
    ).one()
    position, xid = row
    audiences = sorted({str(a) for a in audience})
    session.execute(
        insert(EventAudience),
        [{"event_position": position, "audience": a, "xid": xid} for a in audiences],
    )


def emit_many(
    session: Session,
    event_type: EventType,
    resource_type: str,
    events: list[tuple[uuid.UUID, dict[str, Any], Iterable[uuid.UUID | str]]],
) -> None:
    """``emit`` for many events of one type in three statements, for bulk intake.

    Each item is (resource_id, data, audience). The events go out as one executemany in
    the order given, so positions still follow the order of the intake; their positions
    are then read back by id. (An INSERT ... RETURNING that must keep the parameters'
    order ran once per row on SQLite: 260 statements for an intake of 260.)
    """
    if not events:
        return
    xid = session.execute(select(_xid(session))).scalar_one()
    now = utcnow()
    table = Event.__table__  # type: ignore[attr-defined]
    ids = [uuid.uuid4() for _ in events]
    conn = session.connection()
    conn.execute(
        table.insert(),
        [
            {"id": event_id, "xid": xid, "type": event_type.value, "occurred_at": now,
             "resource_type": resource_type, "resource_id": resource_id, "data": data}
            for event_id, (resource_id, data, _) in zip(ids, events, strict=True)
        ],
    )  # fmt: skip
    by_id = select(table.c.id, table.c.position).where(table.c.id.in_(ids))
    positions: dict[uuid.UUID, int] = dict(conn.execute(by_id).all())
    conn.execute(
        EventAudience.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"event_position": positions[event_id], "audience": a, "xid": xid}
            for event_id, (_, _, audience) in zip(ids, events, strict=True)
            for a in sorted({str(a) for a in audience})
        ],
    )
