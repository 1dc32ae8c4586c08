"""Reading the audit trail: a filtered page (oversight) and one person's access log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.core.pagination import where_equal
from app.models import Agency, AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    agency_id: uuid.UUID | None = None
    resource_type: str | None = None
    resource_id: uuid.UUID | None = None
    action: str | None = None
    recorded_after: datetime | None = None


def audit_page(
    session: Session, filters: AuditFilters, *, limit: int, after_seq: int | None
) -> list[AuditEvent]:
    """Up to ``limit`` entries matching ``filters`` after chain position ``after_seq``,
    oldest first."""
    stmt = where_equal(
        select(AuditEvent),
        (col(AuditEvent.agency_id), filters.agency_id),
        (col(AuditEvent.resource_type), filters.resource_type),
        (col(AuditEvent.resource_id), filters.resource_id),
        (col(AuditEvent.action), filters.action),
    )
    if filters.recorded_after is not None:
        stmt = stmt.where(col(AuditEvent.at) > filters.recorded_after)
    if after_seq is not None:
        stmt = stmt.where(col(AuditEvent.seq) > after_seq)
    stmt = stmt.order_by(col(AuditEvent.seq)).limit(limit)
    return list(session.execute(stmt).scalars())


def access_log(session: Session, victim_id: uuid.UUID) -> list[tuple[AuditEvent, str | None]]:
    """Every entry about one person's record, oldest first, with the acting agency's name."""
    stmt = (
        select(AuditEvent, col(Agency.name))
        .outerjoin(Agency, col(Agency.id) == col(AuditEvent.agency_id))
        .where(
            col(AuditEvent.resource_type) == "victim",
            col(AuditEvent.resource_id) == victim_id,
        )
        .order_by(col(AuditEvent.seq))
    )
    return [(entry, name) for entry, name in session.execute(stmt)]
