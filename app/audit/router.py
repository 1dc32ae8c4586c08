"""GET /v1/audit-events, its verification, and a person's access log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit.repository import AuditFilters, access_log, audit_page
from app.audit.schemas import AccessLogEntry, AuditEventRead, VerificationRead
from app.audit.trail import record
from app.audit.verify import verify_chain
from app.auth.deps import AuditRead, VictimsRead
from app.core.deps import Db
from app.core.errors import BadRequest
from app.core.pagination import (
    CursorParam,
    InvalidCursor,
    LimitParam,
    Page,
    decode_cursor,
    encode_cursor,
    set_next_link,
)
from app.core.responses import problems
from app.core.types import UtcInstant
from app.victims import service as victims
from app.victims.errors import NotRegisteringAgency, VictimNotFound

router = APIRouter(tags=["audit"])


@router.get("/audit-events", responses=problems(InvalidCursor, BadRequest))
def list_audit_events(
    request: Request,
    response: Response,
    caller: AuditRead,
    db: Db,
    agency_id: Annotated[
        uuid.UUID | None, Query(description="Only entries of this agency's clients.")
    ] = None,
    resource_type: Annotated[str | None, Query(max_length=32)] = None,
    resource_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    after: Annotated[
        UtcInstant | None, Query(description="Only entries recorded after this instant.")
    ] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[AuditEventRead]:
    """The audit trail, oldest first (oversight)."""
    filters = AuditFilters(
        agency_id=agency_id,
        resource_type=resource_type,
        resource_id=resource_id,
        action=action,
        recorded_after=after,
    )
    after_seq = decode_cursor(cursor, "audit", 1)[0] if cursor else None
    with db.begin(caller, write=False) as session:
        rows = audit_page(session, filters, limit=limit + 1, after_seq=after_seq)
    next_cursor = encode_cursor("audit", (rows[limit - 1].seq,)) if len(rows) > limit else None
    items = [AuditEventRead.model_validate(r.model_dump()) for r in rows[:limit]]
    set_next_link(request, response, next_cursor)
    return Page[AuditEventRead](items=items, next_cursor=next_cursor)


@router.get("/audit-events/verify")
def verify_audit_events(caller: AuditRead, db: Db) -> VerificationRead:
    """Recompute the hash chain; name the first entry that was edited, deleted or moved."""
    with db.begin(caller, write=False) as session:
        result = verify_chain(session)
    return VerificationRead(
        valid=result.valid,
        entries=result.entries,
        head_hash=result.head_hash,
        first_bad_id=result.first_bad_id,
    )


@router.get(
    "/victims/{victim_id}/access-log",
    tags=["victims"],
    responses=problems(VictimNotFound, NotRegisteringAgency),
)
def get_victim_access_log(
    victim_id: uuid.UUID, caller: VictimsRead, db: Db
) -> Page[AccessLogEntry]:
    """Who read or changed this person's record, when and how (registering agency only),
    so an agency can answer a survivor who asks."""
    with db.begin(caller, durable=False) as session:
        victim = victims.get_owned(session, caller, victim_id)
        items = [
            AccessLogEntry(
                at=e.at, agency_id=e.agency_id, agency_name=name, action=e.action,
                outcome=e.outcome,
            )
            for e, name in access_log(session, victim.id)
        ]  # fmt: skip
        record(session, caller, "victim.access_log.read", "victim", [victim.id])
    return Page[AccessLogEntry](items=items, next_cursor=None)
