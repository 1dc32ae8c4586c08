"""HTTP routes of identification decisions and reconsideration requests."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.audit.trail import record as audit
from app.auth.deps import DecisionsRead, DecisionsWrite, ReferralsWrite
from app.core.concurrency import set_etag
from app.core.deps import Db
from app.core.enums import DecisionOutcome, DecisionStage
from app.core.errors import BadRequest
from app.core.idempotency import (
    IdempotencyKeyHeader,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    Outcome,
)
from app.core.pagination import CursorParam, InvalidCursor, LimitParam, Page, set_next_link
from app.core.requests import finish_create, idempotent
from app.core.responses import problems
from app.core.types import UtcInstant
from app.decisions import service
from app.decisions.errors import (
    DecisionNotAllowed,
    DecisionNotFound,
    InvalidDecision,
    NotDecidingAuthority,
    NotReferringAgency,
    ReconsiderationNotAllowed,
)
from app.decisions.repository import DecisionFilters
from app.decisions.schemas import (
    DecisionCreate,
    DecisionRead,
    ReconsiderationCreate,
    ReconsiderationRead,
)
from app.models import ReconsiderationRequest
from app.referrals.errors import ReferralNotFound

router = APIRouter(tags=["decisions"])
_IDEMPOTENCY = (IdempotencyKeyReused, IdempotencyKeyInFlight)


@router.post(
    "/referrals/{referral_id}/decisions",
    status_code=201,
    responses=problems(
        ReferralNotFound, NotDecidingAuthority, DecisionNotAllowed, InvalidDecision, *_IDEMPOTENCY
    ),
)
def issue_decision(
    request: Request,
    response: Response,
    referral_id: uuid.UUID,
    data: DecisionCreate,
    caller: DecisionsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> DecisionRead:
    """Record an identification decision on an accepted or in-progress referral.

    A final decision (legal_basis required), or a negative preliminary one, completes the
    referral. The newest final decision sets the person's identification_status.
    """
    with db.begin(caller) as session:

        def work() -> Outcome:
            return Outcome(201, [service.issue(session, caller, referral_id, data).id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        decision = service.get_readable(session, caller, outcome.resource_ids[0])
        [result] = service.render(session, [decision])
        audit(session, caller, "decision.create", "victim", [decision.victim_id])
    finish_create(response, outcome, f"/v1/decisions/{result.id}")
    set_etag(response, result.version)
    return result


@router.get("/decisions", responses=problems(InvalidCursor, BadRequest))
def list_decisions(
    request: Request,
    response: Response,
    caller: DecisionsRead,
    db: Db,
    outcome: DecisionOutcome | None = None,
    stage: DecisionStage | None = None,
    decided_after: UtcInstant | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[DecisionRead]:
    """List the identification decisions your agency may see, oldest first."""
    filters = DecisionFilters(
        outcome=outcome.value if outcome else None,
        stage=stage.value if stage else None,
        decided_after=decided_after,
    )
    with db.begin(caller, durable=False) as session:
        rows, next_cursor = service.list_page(session, caller, filters, limit=limit, cursor=cursor)
        items = service.render(session, rows)
        audit(session, caller, "decision.list", "victim", [d.victim_id for d in rows])
    set_next_link(request, response, next_cursor)
    return Page[DecisionRead](items=items, next_cursor=next_cursor)


@router.get("/decisions/{decision_id}", responses=problems(DecisionNotFound))
def get_decision(
    decision_id: uuid.UUID, response: Response, caller: DecisionsRead, db: Db
) -> DecisionRead:
    """Get one identification decision."""
    with db.begin(caller, durable=False) as session:
        [result] = service.render(session, [service.get_readable(session, caller, decision_id)])
        audit(session, caller, "decision.read", "victim", [result.victim_id])
    set_etag(response, result.version)
    return result


@router.post(
    "/decisions/{decision_id}/reconsideration-requests",
    status_code=201,
    responses=problems(
        DecisionNotFound, NotReferringAgency, ReconsiderationNotAllowed, *_IDEMPOTENCY
    ),
)
def request_reconsideration(
    request: Request,
    response: Response,
    decision_id: uuid.UUID,
    data: ReconsiderationCreate,
    caller: ReferralsWrite,
    db: Db,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReconsiderationRead:
    """Ask for a final negative decision to be reconsidered (the referring agency).

    Reopens the referral (in_progress); the authority's next final decision supersedes it.
    """
    with db.begin(caller) as session:

        def work() -> Outcome:
            created = service.request_reconsideration(session, caller, decision_id, data)
            return Outcome(201, [created.id])

        outcome = idempotent(request, session, caller, idempotency_key, data, work)
        row = session.get(ReconsiderationRequest, outcome.resource_ids[0])
        assert row is not None
        decision = service.get_readable(session, caller, row.decision_id)
        audit(session, caller, "reconsideration.create", "victim", [decision.victim_id])
        result = ReconsiderationRead.model_validate(row, from_attributes=True)
    finish_create(response, outcome, None)
    return result
