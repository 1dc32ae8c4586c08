"""Consent records: append-only; a withdrawal is recorded beside the consent, never over it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.principal import Caller
from app.core.db import utcnow
from app.events.outbox import EventType
from app.models import Consent, ConsentWithdrawal
from app.victims.errors import ConsentAlreadyWithdrawn, ConsentNotFound
from app.victims.repository import VictimRepository
from app.victims.schemas import ConsentCreate, ConsentRead, ConsentWithdrawalCreate
from app.victims.service import emit_victim_event, get_owned, get_readable


def record(session: Session, caller: Caller, victim_id: uuid.UUID, data: ConsentCreate) -> Consent:
    # Only the registering agency records consent: a recipient must not be able to switch
    # its own identity sharing back on after the person withdrew.
    victim = get_owned(session, caller, victim_id)
    consent = Consent(
        victim_id=victim.id,
        purposes=[p.value for p in data.purposes],
        method=data.method.value,
        language=data.language,
        interpreter_used=data.interpreter_used,
        given_at=data.given_at,
        recorded_by_agency_id=caller.agency_id,
    )
    session.add(consent)
    session.flush()
    emit_victim_event(
        session, victim, EventType.CONSENT_RECORDED,
        {"consent_id": str(consent.id), "purposes": consent.purposes},
    )  # fmt: skip
    return consent


def withdraw(
    session: Session,
    caller: Caller,
    victim_id: uuid.UUID,
    consent_id: uuid.UUID,
    data: ConsentWithdrawalCreate,
) -> tuple[Consent, datetime]:
    victim = get_owned(session, caller, victim_id)
    consent = VictimRepository(session).consent_of(victim.id, consent_id)
    if consent is None:
        raise ConsentNotFound()
    if session.get(ConsentWithdrawal, consent.id) is not None:
        raise ConsentAlreadyWithdrawn()
    withdrawal = ConsentWithdrawal(
        consent_id=consent.id,
        withdrawn_at=data.withdrawn_at or utcnow(),
        recorded_by_agency_id=caller.agency_id,
    )
    try:
        with session.begin_nested():
            session.add(withdrawal)
            session.flush()
    except IntegrityError:
        raise ConsentAlreadyWithdrawn() from None
    emit_victim_event(
        session, victim, EventType.CONSENT_WITHDRAWN,
        {"consent_id": str(consent.id), "purposes": consent.purposes},
    )  # fmt: skip
    return consent, withdrawal.withdrawn_at


def to_read(consent: Consent, withdrawn_at: datetime | None) -> ConsentRead:
    return ConsentRead(
        id=consent.id,
        victim_id=consent.victim_id,
        purposes=consent.purposes,
        method=consent.method,
        language=consent.language,
        interpreter_used=consent.interpreter_used,
        given_at=consent.given_at,
        recorded_by_agency_id=consent.recorded_by_agency_id,
        created_at=consent.created_at,
        withdrawn_at=withdrawn_at,
        active=withdrawn_at is None,
    )


def read_one(
    session: Session, caller: Caller, victim_id: uuid.UUID, consent_id: uuid.UUID
) -> ConsentRead:
    victim = get_readable(session, caller, victim_id)
    for consent, withdrawn_at in VictimRepository(session).consents_for([victim.id])[victim.id]:
        if consent.id == consent_id:
            return to_read(consent, withdrawn_at)
    raise ConsentNotFound()


def active_purposes(consents: list[tuple[Consent, datetime | None]]) -> set[str]:
    """Purposes covered by at least one consent that has not been withdrawn."""
    return {
        p for consent, withdrawn_at in consents if withdrawn_at is None for p in consent.purposes
    }
