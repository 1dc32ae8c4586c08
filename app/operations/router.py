"""HTTP routes of rescue operations (and the mass-intake route under them)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.audit.trail import record as audit
from app.auth.deps import OperationsRead, OperationsWrite, VictimsWrite
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.deps import Db
from app.core.errors import BadRequest, Conflict, PreconditionFailed, PreconditionRequired
from app.core.idempotency import (
    IdempotencyKeyHeader,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    Outcome,
)
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent, keyring
from app.core.responses import problems
from app.operations import service
from app.operations.errors import (
    NotLeadAgency,
    OperationNotFound,
    ReferenceTaken,
    UnknownAgencies,
)
from app.operations.schemas import OperationCreate, OperationRead, OperationSummary, OperationUpdate
from app.victims import service as victims
from app.victims.errors import IdentityScopeRequired, InvalidVictimInput
from app.victims.records import VictimRecord
from app.victims.render import render_victims
from app.victims.repository import VictimRepository
from app.victims.schemas import VictimBatchCreate, VictimBatchRead

router = APIRouter(prefix="/rescue-operations", tags=["rescue operations"])

_IDEMPOTENCY = (IdempotencyKeyReused, IdempotencyKeyInFlight)


@router.post(
    "",
    status_code=201,
    responses=problems(UnknownAgencies, ReferenceTaken, *_IDEMPOTENCY),
)
def create_rescue_operation(
    request: Request,
    response: Response,
    data: OperationCreate,
    caller: OperationsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OperationRead:
    """Open a rescue operation; your agency leads it."""
    with db.begin(caller) as session:

        def work() -> Outcome:
            return Outcome(201, [service.create(session, caller, data).id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        operation = service.get_readable(session, caller, outcome.resource_ids[0])
        [result] = service.render(session, [operation])
    finish_create(response, outcome, f"/v1/rescue-operations/{result.id}")
    set_etag(response, result.version)
    return result


@router.get("", responses=problems(InvalidCursor))
def list_rescue_operations(
    request: Request,
    response: Response,
    caller: OperationsRead,
    db: Db,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[OperationRead]:
    """List the rescue operations your agency leads or takes part in."""
    with db.begin(caller, write=False) as session:
        rows, next_cursor = service.list_page(session, caller, limit=limit, cursor=cursor)
        items = service.render(session, rows)
    set_next_link(request, response, next_cursor)
    return Page[OperationRead](items=items, next_cursor=next_cursor)


@router.get("/{operation_id}", responses=problems(OperationNotFound))
def get_rescue_operation(
    operation_id: uuid.UUID, response: Response, caller: OperationsRead, db: Db
) -> OperationRead:
    """Get one rescue operation."""
    with db.begin(caller, write=False) as session:
        [result] = service.render(session, [service.get_readable(session, caller, operation_id)])
    set_etag(response, result.version)
    return result


@router.patch(
    "/{operation_id}",
    responses=problems(
        OperationNotFound,
        NotLeadAgency,
        UnknownAgencies,
        BadRequest,
        PreconditionFailed,
        PreconditionRequired,
    ),
)
def update_rescue_operation(
    operation_id: uuid.UUID,
    data: OperationUpdate,
    response: Response,
    caller: OperationsWrite,
    db: Db,
    if_match: IfMatchHeader = None,
) -> OperationRead:
    """Change a rescue operation (lead agency; If-Match required)."""
    with db.begin(caller) as session:
        operation = service.update(session, caller, operation_id, data, if_match)
        [result] = service.render(session, [operation])
    set_etag(response, result.version)
    return result


@router.get("/{operation_id}/summary", responses=problems(OperationNotFound))
def get_rescue_operation_summary(
    operation_id: uuid.UUID, caller: OperationsRead, db: Db
) -> OperationSummary:
    """Counts for the whole intake: registered, referred, identification, nationalities."""
    with db.begin(caller, write=False) as session:
        return service.summary(session, caller, operation_id)


@router.post(
    "/{operation_id}/victims",
    status_code=201,
    responses={
        **problems(
            OperationNotFound, InvalidVictimInput, IdentityScopeRequired, Conflict, *_IDEMPOTENCY
        ),
        200: {
            "model": VictimBatchRead,
            "description": "Every item's external_ref was already registered: nothing new.",
        },
    },
)
def register_intake(
    request: Request,
    response: Response,
    operation_id: uuid.UUID,
    data: VictimBatchCreate,
    caller: VictimsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> VictimBatchRead:
    """Register a whole intake (1..1000 people) at once: all or nothing.

    One invalid item fails the request with 422 naming its index; nothing is stored.
    Items whose `external_ref` your agency registered before come back as those records.
    """
    ring = keyring(request)
    with db.begin(caller) as session:
        registered: list[VictimRecord] = []

        def work() -> Outcome:
            records, any_created = victims.register_intake(
                session, caller, operation_id, data, ring
            )
            registered.extend(records)
            return Outcome(201 if any_created else 200, [v.id for v in records])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        # A replay reads its records back; a fresh intake already holds them (its own or
        # its agency's, so readable), and reading 260 rows again was a per-item cost.
        records = registered or VictimRepository(session).by_ids(caller, outcome.resource_ids)
        items = render_victims(session, caller, records, ring)
        audit(session, caller, "victim.create", "victim", [v.id for v in records])
    finish_create(response, outcome, None)
    return VictimBatchRead(items=items)
