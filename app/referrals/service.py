"""Referral rules: who may refer what to whom, the consent gate, the status machine.

Never commits. The access rule for referrals lives in ``access.py``; for the victim the
sender refers, in ``app.victims.access`` (through the victims service).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from pydantic_core import to_json
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.agencies.repository import AgencyRepository
from app.auth.principal import Caller
from app.core.concurrency import check_version
from app.core.db import utcnow
from app.core.pagination import paginate
from app.core.versioning import guarded_update
from app.events.outbox import EventType, emit
from app.models import Referral, ReferralStatusChange
from app.referrals import transitions
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
from app.referrals.repository import ReferralFilters, ReferralRepository
from app.referrals.schemas import ReferralCreate, ReferralRead, TransitionCreate
from app.victims import service as victims
from app.victims.consents import active_purposes
from app.victims.errors import VictimNotFound
from app.victims.repository import VictimRepository

CURSOR_KIND = "referrals"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_reference(repo: ReferralRepository) -> str:
    while True:
        chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        reference = f"R-{chars[:4]}-{chars[4:]}"
        if not repo.reference_taken(reference):
            return reference


def required_consents(purpose: str, share_identity: bool) -> list[str]:
    needed = ["identification" if purpose == "identification" else "services"]
    if share_identity:
        needed.append("data_sharing")
    return needed


def create(
    session: Session, caller: Caller, data: ReferralCreate, *, decision_days: int
) -> Referral:
    try:
        victim = victims.get_readable(session, caller, data.victim_id)
    except VictimNotFound:
        raise InvalidReferral("victim_id", "No such victim.", "not_found") from None
    if data.to_agency_id == caller.agency_id:
        raise InvalidReferral("to_agency_id", "An agency cannot refer to itself.")
    recipient = AgencyRepository(session).get(data.to_agency_id)
    if recipient is None:
        raise InvalidReferral("to_agency_id", "No such agency.", "not_found")
    purpose = data.purpose.value
    if purpose == "identification":
        if "competent_authority" not in recipient.roles:
            raise InvalidReferral(
                "to_agency_id", "Identification referrals go to a competent authority only."
            )
    else:
        if purpose not in recipient.services:
            raise InvalidReferral("to_agency_id", f"This agency does not offer {purpose}.")
        if not recipient.accepting_referrals:
            raise RecipientNotAccepting()
    if not victim.is_child:
        consents = VictimRepository(session).consents_for([victim.id])[victim.id]
        missing = [
            p
            for p in required_consents(purpose, data.share_identity)
            if p not in active_purposes(consents)
        ]
        if missing:
            raise ConsentRequired(missing)
    repo = ReferralRepository(session)
    if repo.open_exists(victim.id, recipient.id, purpose):
        raise DuplicateOpenReferral()
    now = utcnow()
    referral = Referral(
        reference=_new_reference(repo),
        victim_id=victim.id,
        from_agency_id=caller.agency_id,
        to_agency_id=recipient.id,
        purpose=purpose,
        urgency=data.urgency.value,
        share_identity=data.share_identity,
        notes=data.notes,
        decision_due_at=now + timedelta(days=decision_days)
        if purpose == "identification"
        else None,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(referral)
            session.flush()
    except IntegrityError:
        # The partial unique index caught a concurrent duplicate.
        raise DuplicateOpenReferral() from None
    _record_change(session, caller, referral, None, "requested", None)
    emit(
        session, EventType.REFERRAL_CREATED, "referral", referral.id,
        {"reference": referral.reference, "victim_id": str(referral.victim_id),
         "from_agency_id": str(referral.from_agency_id),
         "to_agency_id": str(referral.to_agency_id), "purpose": purpose, "status": "requested"},
        [referral.from_agency_id, referral.to_agency_id],
    )  # fmt: skip
    return referral


def _record_change(
    session: Session,
    caller: Caller,
    referral: Referral,
    from_status: str | None,
    to_status: str,
    reason: str | None,
) -> None:
    session.add(
        ReferralStatusChange(
            referral_id=referral.id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changed_by_agency_id=caller.agency_id,
            changed_by_client_id=caller.client_id,
        )
    )
    session.flush()


def get_readable(session: Session, caller: Caller, referral_id: uuid.UUID) -> Referral:
    referral = ReferralRepository(session).get_readable(caller, referral_id)
    if referral is None:
        raise ReferralNotFound()
    return referral


def read_json(
    session: Session, caller: Caller, referral_id: uuid.UUID
) -> tuple[bytes, dict[str, Any]]:
    """One readable referral as its ``ReferralRead`` JSON (and the fields), encoded once
    from a plain row: the model would be validated again and encoded by FastAPI."""
    fields = ReferralRepository(session).read_fields(caller, referral_id)
    if fields is None:
        raise ReferralNotFound()
    ordered = {name: fields[name] for name in ReferralRead.model_fields}
    return to_json(ordered), ordered


def get_unscoped(session: Session, referral_id: uuid.UUID) -> Referral:
    """For rules reached through a resource the caller may see (a decision)."""
    referral = ReferralRepository(session).get(referral_id)
    if referral is None:
        raise ReferralNotFound()
    return referral


def list_page(
    session: Session, caller: Caller, filters: ReferralFilters, *, limit: int, cursor: str | None
) -> tuple[list[Referral], str | None]:
    repo = ReferralRepository(session)
    return paginate(
        CURSOR_KIND,
        cursor,
        limit,
        lambda n, after: repo.page(caller, filters, limit=n, after=after),
    )


def transition(
    session: Session,
    caller: Caller,
    referral_id: uuid.UUID,
    data: TransitionCreate,
    if_match: str | None,
) -> Referral:
    referral = get_readable(session, caller, referral_id)
    check_version(if_match, referral.version)
    to = data.to.value
    side = (
        transitions.RECIPIENT if referral.to_agency_id == caller.agency_id else transitions.SENDER
    )
    rule = transitions.RULES.get(to)
    if rule is None:
        raise TransitionNotAllowed(
            referral.status,
            transitions.allowed_from(referral.status, side),
            f"No one sets a referral to {to} directly.",
        )
    if rule.by != side:
        raise WrongSide(rule.by)
    if referral.status not in rule.sources:
        raise TransitionNotAllowed(referral.status, transitions.allowed_from(referral.status, side))
    if to == "completed" and referral.purpose == "identification":
        raise TransitionNotAllowed(
            referral.status,
            [s for s in transitions.allowed_from(referral.status, side) if s != "completed"],
            "An identification referral is completed by a decision (POST .../decisions).",
        )
    if rule.reason_required and not data.reason:
        raise ReasonRequired(to)
    set_status(session, caller, referral, to, data.reason)
    return referral


def set_status(
    session: Session, caller: Caller, referral: Referral, to: str, reason: str | None
) -> None:
    """Move a referral and record who did it; decisions and reconsiderations use this too."""
    previous = referral.status
    guarded_update(session, referral, {"status": to, "status_reason": reason}, referral.version)
    _record_change(session, caller, referral, previous, to, reason)
    emit(
        session, EventType.REFERRAL_STATUS_CHANGED, "referral", referral.id,
        {"from": previous, "to": to, "version": referral.version},
        [referral.from_agency_id, referral.to_agency_id],
    )  # fmt: skip


def history(
    session: Session, caller: Caller, referral_id: uuid.UUID
) -> tuple[Referral, list[ReferralStatusChange]]:
    referral = get_readable(session, caller, referral_id)
    return referral, ReferralRepository(session).history(referral.id)


def render(session: Session, referrals: list[Referral]) -> list[ReferralRead]:
    numbers = ReferralRepository(session).case_numbers(list({r.victim_id for r in referrals}))
    return [
        ReferralRead(
            id=r.id,
            reference=r.reference,
            victim_id=r.victim_id,
            victim_case_number=numbers[r.victim_id],
            from_agency_id=r.from_agency_id,
            to_agency_id=r.to_agency_id,
            purpose=r.purpose,
            urgency=r.urgency,
            share_identity=r.share_identity,
            notes=r.notes,
            status=r.status,
            status_reason=r.status_reason,
            decision_due_at=r.decision_due_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
        )
        for r in referrals
    ]
