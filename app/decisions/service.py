"""Identification decisions and reconsideration. Never commits.

A final decision, or a negative preliminary one, completes the referral; a positive
preliminary one moves an accepted referral to in_progress. The newest final decision sets
the victim's ``identification_status``. Only the referring agency may ask for a final
negative decision to be reconsidered; that reopens the referral (in_progress) and the next
final decision must name the one it supersedes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.principal import Caller
from app.core.db import utcnow
from app.core.pagination import paginate
from app.decisions.errors import (
    DecisionNotAllowed,
    DecisionNotFound,
    InvalidDecision,
    NotDecidingAuthority,
    NotReferringAgency,
    ReconsiderationNotAllowed,
)
from app.decisions.repository import DecisionFilters, DecisionRepository
from app.decisions.schemas import DecisionCreate, DecisionRead, ReconsiderationCreate
from app.events.outbox import DECISION_RECIPIENTS, EventType, emit
from app.models import Decision, ReconsiderationRequest
from app.referrals import service as referrals
from app.victims import service as victims

CURSOR_KIND = "decisions"
CLOCK_SKEW = timedelta(minutes=5)
STATUS_BY_OUTCOME = {"positive": "identified", "negative": "not_identified"}


def issue(
    session: Session, caller: Caller, referral_id: uuid.UUID, data: DecisionCreate
) -> Decision:
    referral = referrals.get_readable(session, caller, referral_id)
    if referral.to_agency_id != caller.agency_id:
        raise NotDecidingAuthority()
    if referral.purpose != "identification":
        raise DecisionNotAllowed("Only identification referrals take decisions.")
    if referral.status not in ("accepted", "in_progress"):
        raise DecisionNotAllowed(
            f"The referral is {referral.status}; accept it before deciding.",
            extra={"current_status": referral.status},
        )
    if data.stage.value == "final" and not data.legal_basis:
        raise InvalidDecision("legal_basis", "Required for a final decision.", "missing")
    now = utcnow()
    decided_at = data.decided_at or now
    if decided_at > now + CLOCK_SKEW:
        raise InvalidDecision("decided_at", "Must not be in the future.")
    repo = DecisionRepository(session)
    _check_supersedes(repo, referral_id, data)
    decision = Decision(
        referral_id=referral.id,
        victim_id=referral.victim_id,
        stage=data.stage.value,
        outcome=data.outcome.value,
        exploitation_types=[e.value for e in data.exploitation_types],
        legal_basis=data.legal_basis,
        reasons=data.reasons,
        decided_by_agency_id=caller.agency_id,
        decided_at=decided_at,
        supersedes_id=data.supersedes_id,
    )
    try:
        with session.begin_nested():
            session.add(decision)
            session.flush()
    except IntegrityError:
        raise DecisionNotAllowed("That decision was superseded already.") from None
    note = f"{data.stage.value} {data.outcome.value} decision"
    if data.stage.value == "final" or data.outcome.value == "negative":
        referrals.set_status(session, caller, referral, "completed", note)
    elif referral.status == "accepted":
        referrals.set_status(session, caller, referral, "in_progress", note)
    victim = victims.get_any(session, referral.victim_id)
    emit(
        session, EventType.DECISION_ISSUED, "decision", decision.id,
        {"referral_id": str(referral.id), "victim_id": str(referral.victim_id),
         "stage": decision.stage, "outcome": decision.outcome},
        [caller.agency_id, referral.from_agency_id, victim.registered_by_agency_id,
         DECISION_RECIPIENTS],
    )  # fmt: skip
    newest = repo.newest_final_outcome(referral.victim_id)
    if newest is not None and victim.identification_status != STATUS_BY_OUTCOME[newest]:
        repo.set_identification_status(referral.victim_id, STATUS_BY_OUTCOME[newest])
        session.refresh(victim)
        victims.emit_victim_event(
            session, victim, EventType.VICTIM_UPDATED,
            {"fields": ["identification_status"], "version": victim.version},
        )  # fmt: skip
    return decision


def _check_supersedes(
    repo: DecisionRepository, referral_id: uuid.UUID, data: DecisionCreate
) -> None:
    existing = repo.of_referral(referral_id)
    superseded = repo.superseded_ids([d.id for d in existing])
    standing_finals = [d for d in existing if d.stage == "final" and d.id not in superseded]
    if data.supersedes_id is None:
        if standing_finals and data.stage.value == "final":
            raise InvalidDecision(
                "supersedes_id",
                f"A final decision stands on this referral; name it ({standing_finals[-1].id}).",
                "missing",
            )
        return
    target = next((d for d in existing if d.id == data.supersedes_id), None)
    if target is None:
        raise InvalidDecision("supersedes_id", "Not a decision on this referral.", "not_found")
    if target.id in superseded:
        raise DecisionNotAllowed("That decision was superseded already.")


def get_readable(session: Session, caller: Caller, decision_id: uuid.UUID) -> Decision:
    decision = DecisionRepository(session).get_readable(caller, decision_id)
    if decision is None:
        raise DecisionNotFound()
    return decision


def list_page(
    session: Session, caller: Caller, filters: DecisionFilters, *, limit: int, cursor: str | None
) -> tuple[list[Decision], str | None]:
    repo = DecisionRepository(session)
    return paginate(
        CURSOR_KIND,
        cursor,
        limit,
        lambda n, after: repo.page(caller, filters, limit=n, after=after),
    )


def request_reconsideration(
    session: Session, caller: Caller, decision_id: uuid.UUID, data: ReconsiderationCreate
) -> ReconsiderationRequest:
    decision = get_readable(session, caller, decision_id)
    # The caller may see the decision without seeing its referral (the registering agency,
    # a decision recipient): that is "not yours to ask", not "no such decision".
    referral = referrals.get_unscoped(session, decision.referral_id)
    if referral.from_agency_id != caller.agency_id:
        raise NotReferringAgency()
    if decision.stage != "final" or decision.outcome != "negative":
        raise ReconsiderationNotAllowed("Only a final negative decision can be reconsidered.")
    repo = DecisionRepository(session)
    if decision.id in repo.superseded_ids([decision.id]):
        raise ReconsiderationNotAllowed("This decision was superseded; ask about the newer one.")
    if repo.reconsideration_of(decision.id) is not None:
        raise ReconsiderationNotAllowed("Reconsideration of this decision was already requested.")
    request = ReconsiderationRequest(
        decision_id=decision.id,
        referral_id=referral.id,
        requested_by_agency_id=caller.agency_id,
        reasons=data.reasons,
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        raise ReconsiderationNotAllowed(
            "Reconsideration of this decision was already requested."
        ) from None
    if referral.status == "completed":
        referrals.set_status(session, caller, referral, "in_progress", "reconsideration requested")
    victim = victims.get_any(session, referral.victim_id)
    emit(
        session, EventType.RECONSIDERATION_REQUESTED, "decision", decision.id,
        {"referral_id": str(referral.id), "request_id": str(request.id)},
        [caller.agency_id, decision.decided_by_agency_id, victim.registered_by_agency_id],
    )  # fmt: skip
    return request


def render(session: Session, decisions: list[Decision]) -> list[DecisionRead]:
    facts = DecisionRepository(session).victim_facts(list({d.victim_id for d in decisions}))
    return [
        DecisionRead(
            id=d.id,
            referral_id=d.referral_id,
            victim_id=d.victim_id,
            victim_case_number=facts[d.victim_id][0],
            victim_nationality=facts[d.victim_id][1],
            stage=d.stage,
            outcome=d.outcome,
            exploitation_types=d.exploitation_types,
            legal_basis=d.legal_basis,
            reasons=d.reasons,
            decided_by_agency_id=d.decided_by_agency_id,
            decided_at=d.decided_at,
            supersedes_id=d.supersedes_id,
            created_at=d.created_at,
            version=d.version,
        )
        for d in decisions
    ]
