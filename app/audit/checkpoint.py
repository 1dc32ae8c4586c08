"""Signed checkpoints of the chain head, kept outside the database, detect truncation:
a chain cut back to before a checkpoint still verifies on its own, but no longer holds
the checkpoint's entry."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import select
from sqlmodel import Session, col

from app.audit.verify import Verification, verify_chain
from app.auth.keys import SigningKey
from app.core.db import utcnow
from app.models import AuditEvent


def _payload(seq: int, head_hash: str, at: str, kid: str) -> bytes:
    return json.dumps(
        {"seq": seq, "head_hash": head_hash, "at": at, "kid": kid}, sort_keys=True
    ).encode()


def make_checkpoint(session: Session, key: SigningKey) -> dict[str, Any]:
    result = verify_chain(session)
    if not result.valid:
        raise ValueError("the audit chain does not verify; refusing to sign a checkpoint")
    at = utcnow().isoformat()
    signature = key.private_key.sign(
        _payload(result.head_seq, result.head_hash, at, key.kid),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    return {
        "seq": result.head_seq,
        "head_hash": result.head_hash,
        "at": at,
        "kid": key.kid,
        "signature": base64.b64encode(signature).decode(),
    }


@dataclass(frozen=True)
class CheckpointCheck:
    valid: bool
    reason: str | None


def check_checkpoint(
    session: Session, key: SigningKey, checkpoint: dict[str, Any], chain: Verification
) -> CheckpointCheck:
    try:
        key.public_key.verify(
            base64.b64decode(checkpoint["signature"]),
            _payload(
                checkpoint["seq"], checkpoint["head_hash"], checkpoint["at"], checkpoint["kid"]
            ),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return CheckpointCheck(False, "the checkpoint's signature does not verify")
    if checkpoint["seq"] == 0:
        return CheckpointCheck(True, None)
    entry = session.execute(
        select(AuditEvent).where(col(AuditEvent.seq) == checkpoint["seq"])
    ).scalar_one_or_none()
    if entry is None or chain.head_seq < checkpoint["seq"]:
        return CheckpointCheck(False, f"entry {checkpoint['seq']} is gone: the chain was truncated")
    if entry.hash != checkpoint["head_hash"]:
        return CheckpointCheck(False, f"entry {checkpoint['seq']} differs from the checkpoint")
    return CheckpointCheck(True, None)
