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
    """``emit`` for many events of one type in two statements, for bulk intake.

    Each item is (resource_id, data, audience). The rows go out as one multi-row INSERT
    with RETURNING in the order given, so positions still follow the order of the intake.
    """
    if not events:
        return
    xid = session.execute(select(_xid(session))).scalar_one()
    now = utcnow()
    table = Event.__table__  # type: ignore[attr-defined]
    returned = session.connection().execute(
        table.insert().returning(table.c.position, sort_by_parameter_order=True),
        [
            {"id": uuid.uuid4(), "xid": xid, "type": event_type.value, "occurred_at": now,
             "resource_type": resource_type, "resource_id": resource_id, "data": data}
            for resource_id, data, _ in events
        ],
    )  # fmt: skip
    positions = [position for (position,) in returned]
    session.connection().execute(
        EventAudience.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"event_position": position, "audience": a, "xid": xid}
            for position, (_, _, audience) in zip(positions, events, strict=True)
            for a in sorted({str(a) for a in audience})
        ],
    )
