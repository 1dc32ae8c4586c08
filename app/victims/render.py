"""Victim records as this caller may see them: identity only where allowed.

``victim_fields`` builds the JSON-ready fields of ``VictimRead`` once; single reads wrap
them in the model, the list encodes them straight to JSON (``page_json``) so that 50
records are not built as models and validated a second time by FastAPI.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic_core import to_json
from sqlmodel import Session

from app.auth.principal import Caller
from app.auth.scopes import Scope
from app.core.crypto import DecryptionError, Keyring
from app.victims.access import identity_shared_with, is_owner, may_see_identity
from app.victims.consents import active_purposes, to_read
from app.victims.identity import open_sealed
from app.victims.records import VictimRecord
from app.victims.repository import VictimRepository
from app.victims.schemas import IdentityRead, VictimRead

logger = logging.getLogger(__name__)


def victim_fields(
    session: Session, caller: Caller, victims: Sequence[VictimRecord], keyring: Keyring
) -> list[dict[str, Any]]:
    """Each record's ``VictimRead`` fields as this caller may see them (unset ones left out,
    as ``response_model_exclude_unset`` would)."""
    consents = VictimRepository(session).consents_for([v.id for v in victims])
    foreign = [v.id for v in victims if not is_owner(caller, v)]
    shared = (
        identity_shared_with(session, caller, foreign)
        if caller.has(Scope.VICTIMS_IDENTITY)
        else set()
    )
    return [
        _fields(v, caller, keyring, consents.get(v.id, []), shared_by_referral=v.id in shared)
        for v in victims
    ]


def render_victims(
    session: Session, caller: Caller, victims: Sequence[VictimRecord], keyring: Keyring
) -> list[VictimRead]:
    return [VictimRead(**f) for f in victim_fields(session, caller, victims, keyring)]


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> bytes:
    """A ``Page[VictimRead]`` body, encoded by pydantic's serializer (same output)."""
    return to_json({"items": items, "next_cursor": next_cursor})


def _fields(
    victim: VictimRecord,
    caller: Caller,
    keyring: Keyring,
    consents: list[Any],
    *,
    shared_by_referral: bool,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": victim.id,
        "case_number": victim.case_number,
        "external_ref": victim.external_ref
        if victim.registered_by_agency_id == caller.agency_id
        else None,
        "registered_by_agency_id": victim.registered_by_agency_id,
        "rescue_operation_id": victim.rescue_operation_id,
        "sex": victim.sex,
        "age_estimate": victim.age_estimate,
        "age_band": victim.age_band,
        "is_child": victim.is_child,
        "nationality": victim.nationality,
        "languages": victim.languages,
        "exploitation_types": victim.exploitation_types,
        "country_of_exploitation": victim.country_of_exploitation,
        "recruitment_method": victim.recruitment_method,
        "needs": victim.needs,
        "identification_status": victim.identification_status,
        "consents": [to_read(c, withdrawn_at) for c, withdrawn_at in consents],
        "erased_at": victim.erased_at,
        "created_at": victim.created_at,
        "updated_at": victim.updated_at,
        "version": victim.version,
    }
    visible = may_see_identity(
        caller,
        victim,
        shared_by_referral=shared_by_referral,
        active_purposes=active_purposes(consents),
    )
    if visible:
        identity, date_of_birth = _open_or_log(keyring, victim)
        fields.update(identity_redacted=False, identity=identity, date_of_birth=date_of_birth)
    else:
        fields["identity_redacted"] = True
    return fields


def _open_or_log(keyring: Keyring, victim: VictimRecord) -> tuple[IdentityRead | None, date | None]:
    try:
        return open_sealed(keyring, victim.id, victim.identity_ciphertext)
    except DecryptionError:
        # Tampered, moved between rows, or sealed with a key this process lacks. Show no
        # identity rather than fail the whole list; operators get the record id.
        logger.error("identity could not be decrypted", extra={"victim_id": str(victim.id)})
        return None, None


def render_one(
    session: Session, caller: Caller, victim: VictimRecord, keyring: Keyring
) -> VictimRead:
    return render_victims(session, caller, [victim], keyring)[0]
