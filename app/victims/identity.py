"""Sealing and opening a victim's identity (names, documents, phone, birth date)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel

from app.core.crypto import Keyring
from app.victims.schemas import Identity, IdentityRead

TABLE, COLUMN = "victims", "identity_ciphertext"


def seal(
    keyring: Keyring,
    victim_id: uuid.UUID,
    identity: Identity | IdentityRead | None,
    date_of_birth: date | None,
) -> bytes | None:
    if identity is None and date_of_birth is None:
        return None
    payload: dict[str, Any] = {
        "identity": identity.model_dump(mode="json") if identity is not None else None,
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
    }
    plaintext = json.dumps(payload, separators=(",", ":")).encode()
    return keyring.encrypt(plaintext, table=TABLE, column=COLUMN, row_id=victim_id)


def open_sealed(
    keyring: Keyring, victim_id: uuid.UUID, blob: bytes | None
) -> tuple[IdentityRead | None, date | None]:
    if blob is None:
        return None, None
    plaintext = keyring.decrypt(blob, table=TABLE, column=COLUMN, row_id=victim_id)
    # One parse and validation in pydantic-core, rather than json.loads and a validation
    # per part (a list decrypts 50 of these).
    sealed = _Sealed.model_validate_json(plaintext)
    return sealed.identity, sealed.date_of_birth


class _Sealed(BaseModel):
    """The sealed payload (see ``seal``)."""

    identity: IdentityRead | None = None
    date_of_birth: date | None = None


def reseal(keyring: Keyring, victim_id: uuid.UUID, blob: bytes) -> bytes:
    """Decrypt with whichever version sealed it; encrypt with the current key."""
    plaintext = keyring.decrypt(blob, table=TABLE, column=COLUMN, row_id=victim_id)
    return keyring.encrypt(plaintext, table=TABLE, column=COLUMN, row_id=victim_id)
