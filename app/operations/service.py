"""Rescue-operation rules. Never commits."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.principal import Caller
from app.core.concurrency import check_version
from app.core.errors import BadRequest
from app.core.pagination import paginate
from app.core.versioning import guarded_update
from app.events.outbox import EventType, emit
from app.models import RescueOperation
from app.operations.errors import (
    NotLeadAgency,
    OperationNotFound,
    ReferenceTaken,
    UnknownAgencies,
)
from app.operations.repository import OperationRepository
from app.operations.schemas import (
    IdentificationCounts,
    LocationRead,
    OperationCreate,
    OperationRead,
    OperationSummary,
    OperationUpdate,
)

CURSOR_KIND = "operations"


def get_readable(session: Session, caller: Caller, operation_id: uuid.UUID) -> RescueOperation:
    operation = OperationRepository(session).get_readable(caller, operation_id)
    if operation is None:
        raise OperationNotFound()
    return operation


def _check_agencies(repo: OperationRepository, agency_ids: list[uuid.UUID]) -> None:
    missing = repo.missing_agencies(agency_ids)
    if missing:
        raise UnknownAgencies(
            extra={
                "errors": [
                    {
                        "loc": ["body", "participating_agency_ids", str(agency_ids.index(m))],
                        "msg": "No such agency.",
                        "type": "not_found",
                    }
                    for m in missing
                ]
            }
        )


def create(session: Session, caller: Caller, data: OperationCreate) -> RescueOperation:
    repo = OperationRepository(session)
    participants = [a for a in data.participating_agency_ids if a != caller.agency_id]
    _check_agencies(repo, participants)
    reference = data.reference or _new_reference(repo, caller.agency_id)
    if data.reference and repo.reference_taken(caller.agency_id, reference):
        raise ReferenceTaken()
    operation = RescueOperation(
        reference=reference,
        name=data.name,
        started_on=data.started_on,
        ended_on=data.ended_on,
        location_place=data.location.place,
        location_region=data.location.region,
        location_country=data.location.country,
        country_of_exploitation=data.country_of_exploitation,
        handed_over_by=data.handed_over_by,
        notes=data.notes,
        lead_agency_id=caller.agency_id,
    )
    try:
        with session.begin_nested():
            repo.add(operation)
    except IntegrityError:
        raise ReferenceTaken() from None  # a concurrent create with the same reference
    repo.set_participants(operation.id, participants)
    emit(
        session,
        EventType.RESCUE_OPERATION_CREATED,
        "rescue_operation",
        operation.id,
        {"reference": operation.reference, "lead_agency_id": str(caller.agency_id)},
        [caller.agency_id, *participants],
    )
    return operation


def _new_reference(repo: OperationRepository, lead_agency_id: uuid.UUID) -> str:
    while True:
        reference = f"OP-{secrets.token_hex(4).upper()}"
        if not repo.reference_taken(lead_agency_id, reference):
            return reference


def list_page(
    session: Session, caller: Caller, *, limit: int, cursor: str | None
) -> tuple[list[RescueOperation], str | None]:
    repo = OperationRepository(session)
    return paginate(
        CURSOR_KIND, cursor, limit, lambda n, after: repo.page(caller, limit=n, after=after)
    )


def update(
    session: Session,
    caller: Caller,
    operation_id: uuid.UUID,
    data: OperationUpdate,
    if_match: str | None,
) -> RescueOperation:
    operation = get_readable(session, caller, operation_id)
    if operation.lead_agency_id != caller.agency_id:
        raise NotLeadAgency()
    check_version(if_match, operation.version)
    fields = data.model_fields_set
    for required in ("name", "started_on", "location"):
        if required in fields and getattr(data, required) is None:
            raise BadRequest(f"{required} cannot be null.")
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in fields
        if name not in ("location", "participating_agency_ids")
    }
    if data.location is not None:
        changes.update(
            location_place=data.location.place,
            location_region=data.location.region,
            location_country=data.location.country,
        )
    started = changes.get("started_on", operation.started_on)
    ended = changes.get("ended_on", operation.ended_on)
    if ended is not None and ended < started:
        raise BadRequest("ended_on must not be before started_on.")
    repo = OperationRepository(session)
    if "participating_agency_ids" in fields:
        participants = [a for a in (data.participating_agency_ids or []) if a != caller.agency_id]
        _check_agencies(repo, participants)
        repo.set_participants(operation.id, participants)
    guarded_update(session, operation, changes, operation.version)
    return operation


def render(session: Session, operations: list[RescueOperation]) -> list[OperationRead]:
    participants = OperationRepository(session).participants_of([o.id for o in operations])
    return [
        OperationRead(
            id=o.id,
            reference=o.reference,
            name=o.name,
            started_on=o.started_on,
            ended_on=o.ended_on,
            location=LocationRead(
                place=o.location_place, region=o.location_region, country=o.location_country
            ),
            country_of_exploitation=o.country_of_exploitation,
            handed_over_by=o.handed_over_by,
            participating_agency_ids=participants.get(o.id, []),
            notes=o.notes,
            lead_agency_id=o.lead_agency_id,
            created_at=o.created_at,
            updated_at=o.updated_at,
            version=o.version,
        )
        for o in operations
    ]


def summary(session: Session, caller: Caller, operation_id: uuid.UUID) -> OperationSummary:
    get_readable(session, caller, operation_id)
    total, by_status, by_nationality = OperationRepository(session).victim_counts(operation_id)
    referred, referrals_by_status = OperationRepository(session).referral_counts(operation_id)
    return OperationSummary(
        victims_registered=total,
        referred=referred,
        identification=IdentificationCounts(
            identified=by_status.get("identified", 0),
            not_identified=by_status.get("not_identified", 0),
            pending=by_status.get("presumed", 0),
        ),
        referrals_by_status=referrals_by_status,
        nationalities=by_nationality,
    )
