"""HTTP routes of referrals and their status transitions."""

from __future__ import annotations

import uuid
from enum import StrEnum

from fastapi import APIRouter, Request, Response

from app.audit.trail import record as audit
from app.auth.deps import ReferralsRead, ReferralsWrite
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import utcnow
from app.core.deps import Db
from app.core.enums import Purpose, ReferralStatus
from app.core.errors import PreconditionFailed, PreconditionRequired
from app.core.idempotency import (
    IdempotencyKeyHeader,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    Outcome,
)
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent
from app.core.responses import problems
from app.referrals import service
from app.referrals.errors import (
    ConsentRequired,
    DuplicateOpenReferral,
    InvalidReferral,
    ReasonRequired,
    RecipientNotAccepting,
    ReferralNotFound,
    TransitionNotAllowed,
    WrongSide,
)
from app.referrals.repository import ReferralFilters
from app.referrals.schemas import (
    ReferralCreate,
    ReferralHistory,
    ReferralRead,
    StatusChangeRead,
    TransitionCreate,
)


class Direction(StrEnum):
    """`incoming`: referrals sent to your agency; `outgoing`: referrals it sent."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


router = APIRouter(prefix="/referrals", tags=["referrals"])


@router.post(
    "",
    status_code=201,
    responses=problems(
        InvalidReferral,
        RecipientNotAccepting,
        ConsentRequired,
        DuplicateOpenReferral,
        IdempotencyKeyReused,
        IdempotencyKeyInFlight,
    ),
)
def create_referral(
    request: Request,
    response: Response,
    data: ReferralCreate,
    caller: ReferralsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReferralRead:
    """Refer a person to another agency for one purpose.

    Identification goes to a competent authority only; other purposes to an agency that
    offers them and is accepting referrals. An adult needs an active consent for the
    purpose (and for data_sharing when identity is shared): otherwise 409 consent-required.
    """
    days = request.app.state.settings.identification_decision_days
    with db.begin(caller) as session:

        def work() -> Outcome:
            return Outcome(201, [service.create(session, caller, data, decision_days=days).id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        [result] = service.render(
            session, [service.get_readable(session, caller, outcome.resource_ids[0])]
        )
        audit(session, caller, "referral.create", "victim", [result.victim_id])
    finish_create(response, outcome, f"/v1/referrals/{result.id}")
    set_etag(response, result.version)
    return result


@router.get("", responses=problems(InvalidCursor))
def list_referrals(
    request: Request,
    response: Response,
    caller: ReferralsRead,
    db: Db,
    direction: Direction | None = None,
    status: ReferralStatus | None = None,
    purpose: Purpose | None = None,
    victim_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ReferralRead]:
    """List referrals to and from your agency; `overdue=true`: decisions past due."""
    filters = ReferralFilters(
        direction=direction,
        status=status.value if status else None,
        purpose=purpose.value if purpose else None,
        victim_id=victim_id,
        overdue_at=utcnow() if overdue else None,
    )
    with db.begin(caller, durable=False) as session:
        rows, next_cursor = service.list_page(session, caller, filters, limit=limit, cursor=cursor)
        items = service.render(session, rows)
        audit(session, caller, "referral.list", "victim", [r.victim_id for r in rows])
    set_next_link(request, response, next_cursor)
    return Page[ReferralRead](items=items, next_cursor=next_cursor)


@router.get("/{referral_id}", response_model=ReferralRead, responses=problems(ReferralNotFound))
def get_referral(referral_id: uuid.UUID, caller: ReferralsRead, db: Db) -> Response:
    """Get one referral."""
    with db.begin(caller, durable=False) as session:
        body, fields = service.read_json(session, caller, referral_id)
        audit(session, caller, "referral.read", "victim", [fields["victim_id"]])
    # Encoded once from the fields read; the documented model above is what they are.
    response = Response(body, media_type="application/json")
    set_etag(response, fields["version"])
    return response


@router.get("/{referral_id}/history", responses=problems(ReferralNotFound))
def get_referral_history(referral_id: uuid.UUID, caller: ReferralsRead, db: Db) -> ReferralHistory:
    """Every status change of a referral: who, when, from, to and why."""
    with db.begin(caller, durable=False) as session:
        referral, changes = service.history(session, caller, referral_id)
        audit(session, caller, "referral.history.read", "victim", [referral.victim_id])
        items = [
            StatusChangeRead(
                from_status=c.from_status,
                to_status=c.to_status,
                reason=c.reason,
                changed_by_agency_id=c.changed_by_agency_id,
                changed_at=c.changed_at,
            )
            for c in changes
        ]
    return ReferralHistory(items=items)


@router.post(
    "/{referral_id}/transitions",
    responses=problems(
        ReferralNotFound,
        WrongSide,
        TransitionNotAllowed,
        ReasonRequired,
        PreconditionFailed,
        PreconditionRequired,
    ),
)
def transition_referral(
    referral_id: uuid.UUID,
    data: TransitionCreate,
    response: Response,
    caller: ReferralsWrite,
    db: Db,
    if_match: IfMatchHeader = None,
) -> ReferralRead:
    """Move a referral to its next status (If-Match required).

    The recipient sets received, accepted, rejected (with a reason), in_progress and
    completed; the sender sets cancelled (with a reason). Anything else is 409 with the
    allowed transitions.
    """
    with db.begin(caller) as session:
        referral = service.transition(session, caller, referral_id, data, if_match)
        [result] = service.render(session, [referral])
        audit(session, caller, "referral.transition", "victim", [referral.victim_id])
    set_etag(response, result.version)
    return result
