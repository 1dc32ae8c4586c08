"""HTTP routes of the victim registry and consent records."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit.trail import record as audit
from app.auth.deps import VictimsRead, VictimsWrite
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.deps import Db
from app.core.enums import ExploitationType, IdentificationStatus
from app.core.errors import BadRequest, PreconditionFailed, PreconditionRequired
from app.core.idempotency import (
    IdempotencyKeyHeader,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    Outcome,
)
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent, keyring
from app.core.responses import problems
from app.core.types import CountryCode, UtcInstant
from app.victims import consents, service
from app.victims.errors import (
    ConsentAlreadyWithdrawn,
    ConsentNotFound,
    IdentityScopeRequired,
    InvalidVictimInput,
    NotRegisteringAgency,
    VictimErased,
    VictimNotFound,
)
from app.victims.render import page_json, render_one, victim_fields
from app.victims.repository import VictimFilters
from app.victims.schemas import (
    ConsentCreate,
    ConsentRead,
    ConsentWithdrawalCreate,
    VictimCreate,
    VictimRead,
    VictimUpdate,
)

router = APIRouter(prefix="/victims", tags=["victims"])

_IDEMPOTENCY = (IdempotencyKeyReused, IdempotencyKeyInFlight)


@router.post(
    "",
    status_code=201,
    response_model_exclude_unset=True,
    responses={
        **problems(InvalidVictimInput, IdentityScopeRequired, *_IDEMPOTENCY),
        200: {
            "model": VictimRead,
            "description": "Your agency registered this external_ref before: that record.",
        },
    },
)
def register_victim(
    request: Request,
    response: Response,
    data: VictimCreate,
    caller: VictimsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> VictimRead:
    """Register one presumed victim."""
    ring = keyring(request)
    with db.begin(caller) as session:

        def work() -> Outcome:
            victim, created = service.register(session, caller, data, ring)
            return Outcome(201 if created else 200, [victim.id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        victim = service.get_readable(session, caller, outcome.resource_ids[0])
        result = render_one(session, caller, victim, ring)
        audit(session, caller, "victim.create", "victim", [victim.id])
    finish_create(response, outcome, f"/v1/victims/{result.id}")
    set_etag(response, result.version)
    return result


@router.get(
    "",
    response_model=Page[VictimRead],
    response_model_exclude_unset=True,
    responses=problems(InvalidCursor),
)
def list_victims(
    request: Request,
    caller: VictimsRead,
    db: Db,
    rescue_operation_id: uuid.UUID | None = None,
    nationality: Annotated[CountryCode | None, Query()] = None,
    identification_status: IdentificationStatus | None = None,
    exploitation_type: ExploitationType | None = None,
    updated_after: UtcInstant | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Response:
    """List the victim records your agency may see, oldest first."""
    filters = VictimFilters(
        rescue_operation_id=rescue_operation_id,
        nationality=nationality,
        identification_status=identification_status.value if identification_status else None,
        exploitation_type=exploitation_type.value if exploitation_type else None,
        updated_after=updated_after,
    )
    ring = keyring(request)
    with db.begin(caller, durable=False) as session:
        rows, next_cursor = service.list_page(session, caller, filters, limit=limit, cursor=cursor)
        items = victim_fields(session, caller, rows, ring)
        audit(session, caller, "victim.list", "victim", [v.id for v in rows])
    # Encoded once from the fields we built; the documented model above is what they are.
    response = Response(page_json(items, next_cursor), media_type="application/json")
    set_next_link(request, response, next_cursor)
    return response


@router.get("/{victim_id}", response_model_exclude_unset=True, responses=problems(VictimNotFound))
def get_victim(
    request: Request, victim_id: uuid.UUID, response: Response, caller: VictimsRead, db: Db
) -> VictimRead:
    """Get one victim record (identity only where you may see it)."""
    with db.begin(caller, durable=False) as session:
        result = render_one(
            session, caller, service.get_readable(session, caller, victim_id), keyring(request)
        )
        audit(session, caller, "victim.read", "victim", [victim_id])
    set_etag(response, result.version)
    return result


@router.patch(
    "/{victim_id}",
    response_model_exclude_unset=True,
    responses=problems(
        VictimNotFound,
        NotRegisteringAgency,
        IdentityScopeRequired,
        VictimErased,
        BadRequest,
        PreconditionFailed,
        PreconditionRequired,
    ),
)
def update_victim(
    request: Request,
    victim_id: uuid.UUID,
    data: VictimUpdate,
    response: Response,
    caller: VictimsWrite,
    db: Db,
    if_match: IfMatchHeader = None,
) -> VictimRead:
    """Change a victim record (registering agency; If-Match required)."""
    ring = keyring(request)
    with db.begin(caller) as session:
        victim = service.update(session, caller, victim_id, data, if_match, ring)
        result = render_one(session, caller, victim, ring)
        audit(session, caller, "victim.update", "victim", [victim.id])
    set_etag(response, result.version)
    return result


@router.delete(
    "/{victim_id}", status_code=204, responses=problems(VictimNotFound, NotRegisteringAgency)
)
def erase_victim(victim_id: uuid.UUID, caller: VictimsWrite, db: Db) -> Response:
    """Erase a person's identity; the pseudonymous record stays for statistics and audit."""
    with db.begin(caller) as session:
        service.erase(session, caller, victim_id)
        audit(session, caller, "victim.erase", "victim", [victim_id])
    return Response(status_code=204)


@router.post(
    "/{victim_id}/consents",
    status_code=201,
    responses=problems(VictimNotFound, *_IDEMPOTENCY),
)
def record_consent(
    request: Request,
    response: Response,
    victim_id: uuid.UUID,
    data: ConsentCreate,
    caller: VictimsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ConsentRead:
    """Record the person's consent for one or more purposes (append-only)."""
    with db.begin(caller) as session:

        def work() -> Outcome:
            return Outcome(201, [consents.record(session, caller, victim_id, data).id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        result = consents.read_one(session, caller, victim_id, outcome.resource_ids[0])
        audit(session, caller, "consent.create", "victim", [victim_id])
    finish_create(response, outcome, None)
    return result


@router.post(
    "/{victim_id}/consents/{consent_id}/withdrawal",
    status_code=201,
    responses=problems(VictimNotFound, ConsentNotFound, ConsentAlreadyWithdrawn, *_IDEMPOTENCY),
)
def withdraw_consent(
    request: Request,
    response: Response,
    victim_id: uuid.UUID,
    consent_id: uuid.UUID,
    caller: VictimsWrite,
    db: Db,
    data: ConsentWithdrawalCreate | None = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ConsentRead:
    """Record that the person withdrew a consent; it stops counting at once."""
    body = data or ConsentWithdrawalCreate()
    with db.begin(caller) as session:

        def work() -> Outcome:
            consent, _ = consents.withdraw(session, caller, victim_id, consent_id, body)
            return Outcome(201, [consent.id])

        outcome = idempotent(request, session, caller, idempotency_key, body, work)
        result = consents.read_one(session, caller, victim_id, outcome.resource_ids[0])
        audit(session, caller, "consent.withdraw", "victim", [victim_id])
    finish_create(response, outcome, None)
    return result
