"""Victim registry rules: registration (single and mass intake), reads, changes, erasure.

Never commits: the request's unit of work does. Need to know is applied by the repository
(``readable_victims``) and identity visibility by ``may_see_identity``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.principal import Caller
from app.auth.scopes import Scope
from app.core.concurrency import check_version
from app.core.crypto import Keyring
from app.core.db import new_id, utcnow
from app.core.errors import BadRequest, Conflict
from app.core.pagination import paginate
from app.core.versioning import guarded_update
from app.events.outbox import EventType, emit, emit_many
from app.models import Victim
from app.operations import service as operations
from app.operations.errors import OperationNotFound
from app.victims import derived
from app.victims.access import is_owner, victim_audience
from app.victims.errors import (
    IdentityScopeRequired,
    InvalidVictimInput,
    NotRegisteringAgency,
    VictimErased,
    VictimNotFound,
)
from app.victims.identity import open_sealed, seal
from app.victims.records import VictimRecord
from app.victims.repository import VictimFilters, VictimRepository
from app.victims.schemas import VictimBatchCreate, VictimCreate, VictimFields, VictimUpdate

CURSOR_KIND = "victims"


def _today() -> date:
    return datetime.now(UTC).date()


def _require_identity_scope(caller: Caller, data: VictimFields | VictimUpdate) -> None:
    """Writing identity fields needs ``victims:identity`` (leaving them out does not)."""
    # Setting identity fields to null erases them: that is writing identity too.
    writes_identity = bool(data.model_fields_set & {"identity", "date_of_birth"})
    if writes_identity and not caller.has(Scope.VICTIMS_IDENTITY):
        raise IdentityScopeRequired()


def _age_fields(date_of_birth: date | None, age_estimate: int | None) -> dict[str, Any]:
    """The columns derived from the age (registration and every change that moves it)."""
    age = derived.age_at_registration(date_of_birth, age_estimate, _today())
    return {
        "age_at_registration": age,
        "age_band": derived.age_band(age),
        "is_child": derived.is_child(age),
    }


def _new_victim(
    caller: Caller,
    data: VictimCreate,
    keyring: Keyring,
    *,
    rescue_operation_id: uuid.UUID | None,
    case_number: str,
) -> Victim:
    return Victim(
        **_new_victim_row(
            caller, data, keyring, rescue_operation_id=rescue_operation_id, case_number=case_number
        )
    )


def _new_victim_row(
    caller: Caller,
    data: VictimCreate,
    keyring: Keyring,
    *,
    rescue_operation_id: uuid.UUID | None,
    case_number: str,
) -> dict[str, Any]:
    """Every column of a new ``victims`` row (the model's defaults included), so that a
    bulk intake can insert plain rows: building 260 mapped instances cost more than the
    encryption and the INSERT together."""
    victim_id = new_id()
    ciphertext = seal(keyring, victim_id, data.identity, data.date_of_birth)
    now = utcnow()
    return {
        "id": victim_id,
        "case_number": case_number,
        "registered_by_agency_id": caller.agency_id,
        "rescue_operation_id": rescue_operation_id,
        "external_ref": data.external_ref,
        "sex": data.sex.value,
        "age_estimate": data.age_estimate,
        **_age_fields(data.date_of_birth, data.age_estimate),
        "nationality": data.nationality,
        "languages": list(data.languages),
        "exploitation_types": [e.value for e in data.exploitation_types],
        "country_of_exploitation": data.country_of_exploitation,
        "recruitment_method": data.recruitment_method.value if data.recruitment_method else None,
        "needs": [n.value for n in data.needs],
        "identification_status": "presumed",
        "identity_ciphertext": ciphertext,
        "identity_key_version": keyring.current_version if ciphertext else None,
        "erased_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _fresh_case_numbers(repo: VictimRepository, count: int) -> list[str]:
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = count - len(numbers)
        candidates = list({derived.new_case_number() for _ in range(wanted)} - set(numbers))
        taken = repo.taken_case_numbers(candidates)
        numbers += [n for n in candidates if n not in taken]
    return numbers


def register(
    session: Session, caller: Caller, data: VictimCreate, keyring: Keyring
) -> tuple[Victim, bool]:
    """Register one person; an ``external_ref`` seen before returns that record (False)."""
    _require_identity_scope(caller, data)
    repo = VictimRepository(session)
    if data.external_ref is not None:
        existing = repo.by_external_refs(caller.agency_id, [data.external_ref])
        if data.external_ref in existing:
            return existing[data.external_ref], False
    if data.rescue_operation_id is not None:
        try:
            operations.get_readable(session, caller, data.rescue_operation_id)
        except OperationNotFound:
            raise InvalidVictimInput(
                ["body", "rescue_operation_id"], "No such rescue operation.", "not_found"
            ) from None
    [case_number] = _fresh_case_numbers(repo, 1)
    victim = _new_victim(
        caller, data, keyring, rescue_operation_id=data.rescue_operation_id, case_number=case_number
    )
    try:
        with session.begin_nested():
            repo.add_all([victim])
    except IntegrityError:
        # A concurrent create with the same external_ref won (PostgreSQL); return theirs.
        existing = repo.by_external_refs(caller.agency_id, [data.external_ref or ""])
        if data.external_ref and data.external_ref in existing:
            return existing[data.external_ref], False
        raise
    _registered(session, victim)
    return victim, True


def _registered(session: Session, victim: Victim) -> None:
    emit(
        session,
        EventType.VICTIM_REGISTERED,
        "victim",
        victim.id,
        _registered_data(victim),
        [victim.registered_by_agency_id],
    )


def _registered_data(victim: VictimRecord) -> dict[str, Any]:
    return {
        "case_number": victim.case_number,
        "rescue_operation_id": _str(victim.rescue_operation_id),
    }


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def emit_victim_event(
    session: Session, victim: Victim, event_type: EventType, data: dict[str, Any]
) -> None:
    """An event about a person's record, to every agency that may see the record now."""
    emit(session, event_type, "victim", victim.id, data, victim_audience(session, victim))


def register_intake(
    session: Session,
    caller: Caller,
    operation_id: uuid.UUID,
    batch: VictimBatchCreate,
    keyring: Keyring,
) -> tuple[list[VictimRecord], bool]:
    """Register a whole intake, all or nothing. Items whose ``external_ref`` is already
    known come back as the existing records; returns (records in order, any created)."""
    operations.get_readable(session, caller, operation_id)
    items = batch.victims
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        _check_batch_item(caller, item, index, operation_id)
        if item.external_ref is not None:
            if item.external_ref in seen:
                raise InvalidVictimInput(
                    ["body", "victims", index, "external_ref"],
                    f"Same external_ref as item {seen[item.external_ref]}.",
                    "duplicate",
                )
            seen[item.external_ref] = index
    repo = VictimRepository(session)
    existing = repo.by_external_refs(caller.agency_id, seen)
    new_items = [i for i in items if i.external_ref is None or i.external_ref not in existing]
    numbers = iter(_fresh_case_numbers(repo, len(new_items)))
    rows: dict[int, dict[str, Any]] = {}
    for index, item in enumerate(items):
        if item.external_ref is None or item.external_ref not in existing:
            rows[index] = _new_victim_row(
                caller, item, keyring, rescue_operation_id=operation_id, case_number=next(numbers)
            )
    try:
        with session.begin_nested():
            repo.insert_rows(list(rows.values()))
    except IntegrityError:
        raise Conflict(
            "Another request registered some of these external_ref values at the same time; "
            "retry the request (already registered people will be returned, not duplicated)."
        ) from None
    created = {index: cast(VictimRecord, SimpleNamespace(**row)) for index, row in rows.items()}
    emit_many(
        session,
        EventType.VICTIM_REGISTERED,
        "victim",
        [(v.id, _registered_data(v), [v.registered_by_agency_id]) for v in created.values()],
    )
    records = [
        created[index] if index in created else existing[item.external_ref or ""]
        for index, item in enumerate(items)
    ]
    return records, bool(created)


def _check_batch_item(
    caller: Caller, item: VictimCreate, index: int, operation_id: uuid.UUID
) -> None:
    try:
        _require_identity_scope(caller, item)
    except IdentityScopeRequired:
        raise IdentityScopeRequired(
            f"Item {index}: writing identity fields needs victims:identity."
        ) from None
    if item.rescue_operation_id is not None and item.rescue_operation_id != operation_id:
        raise InvalidVictimInput(
            ["body", "victims", index, "rescue_operation_id"],
            "Must be left out or equal the operation in the path.",
            "value_error",
        )


def get_readable(session: Session, caller: Caller, victim_id: uuid.UUID) -> Victim:
    victim = VictimRepository(session).get_readable(caller, victim_id)
    if victim is None:
        raise VictimNotFound()
    return victim


def get_any(session: Session, victim_id: uuid.UUID) -> Victim:
    """For rules that act on a record the caller reached through another resource
    (a decision's referral); never for answering a request about the victim itself."""
    victim = session.get(Victim, victim_id)
    if victim is None:
        raise VictimNotFound()
    return victim


def get_owned(session: Session, caller: Caller, victim_id: uuid.UUID) -> Victim:
    victim = get_readable(session, caller, victim_id)
    if not is_owner(caller, victim):
        raise NotRegisteringAgency()
    return victim


def list_page(
    session: Session, caller: Caller, filters: VictimFilters, *, limit: int, cursor: str | None
) -> tuple[list[VictimRecord], str | None]:
    repo = VictimRepository(session)
    return paginate(
        CURSOR_KIND,
        cursor,
        limit,
        lambda n, after: repo.page(caller, filters, limit=n, after=after),
    )


def update(
    session: Session,
    caller: Caller,
    victim_id: uuid.UUID,
    data: VictimUpdate,
    if_match: str | None,
    keyring: Keyring,
) -> Victim:
    victim = get_owned(session, caller, victim_id)
    check_version(if_match, victim.version)
    _require_identity_scope(caller, data)
    fields = data.model_fields_set
    if "sex" in fields and data.sex is None:
        raise BadRequest("sex cannot be null; use 'unknown'.")
    changes: dict[str, Any] = data.model_dump(
        mode="json", include=fields - {"identity", "date_of_birth"}
    )
    for list_field in ("languages", "exploitation_types", "needs"):
        if list_field in changes and changes[list_field] is None:
            changes[list_field] = []
    if fields & {"identity", "date_of_birth", "age_estimate"}:
        changes.update(_identity_and_age_changes(victim, data, keyring))
    guarded_update(session, victim, changes, victim.version)
    # Field names only: the values may be identity.
    emit_victim_event(
        session, victim, EventType.VICTIM_UPDATED,
        {"fields": sorted(fields), "version": victim.version},
    )  # fmt: skip
    return victim


def _identity_and_age_changes(
    victim: Victim, data: VictimUpdate, keyring: Keyring
) -> dict[str, Any]:
    fields = data.model_fields_set
    current_identity, date_of_birth = open_sealed(keyring, victim.id, victim.identity_ciphertext)
    changes: dict[str, Any] = {}
    if fields & {"identity", "date_of_birth"}:
        if victim.erased_at is not None:
            raise VictimErased()
        identity = data.identity if "identity" in fields else current_identity
        if "date_of_birth" in fields:
            date_of_birth = data.date_of_birth
        ciphertext = seal(keyring, victim.id, identity, date_of_birth)
        changes["identity_ciphertext"] = ciphertext
        changes["identity_key_version"] = keyring.current_version if ciphertext else None
    estimate = data.age_estimate if "age_estimate" in fields else victim.age_estimate
    changes.update(_age_fields(date_of_birth, estimate))
    return changes


def erase(session: Session, caller: Caller, victim_id: uuid.UUID) -> None:
    """Destroy the identity; keep the pseudonymous record for statistics and the audit."""
    victim = get_owned(session, caller, victim_id)
    if victim.erased_at is not None:
        return
    guarded_update(
        session,
        victim,
        {
            "identity_ciphertext": None,
            "identity_key_version": None,
            "erased_at": utcnow(),
        },
        victim.version,
    )
    emit_victim_event(session, victim, EventType.VICTIM_ERASED, {"version": victim.version})
