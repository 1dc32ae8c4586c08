"""Idempotency-Key for creates: stored in the same transaction as the effect.

- same key, same request  -> the original status and resource again, ``Idempotent-Replayed``;
- same key, other request -> 422;
- same key, still running -> 409 (PostgreSQL; SQLite's single writer makes the second wait,
  then replay).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import delete, text
from sqlmodel import Session

from app.auth.principal import Caller
from app.core.crypto import keyed_fingerprint
from app.core.db import utcnow
from app.core.errors import Conflict, Problem
from app.models import IdempotencyKey

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes a retried create take effect once (kept at least 24 hours).",
    ),
]


class IdempotencyKeyReused(Problem):
    status = 422
    title = "Idempotency key reused"
    slug = "idempotency-key-reused"
    default_detail = "This Idempotency-Key was used with a different request."


class IdempotencyKeyInFlight(Conflict):
    slug = "idempotency-key-in-flight"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."


@dataclass(frozen=True)
class Outcome:
    status_code: int
    resource_ids: list[uuid.UUID]
    replayed: bool = False


def request_fingerprint(hmac_key: bytes, method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return keyed_fingerprint(hmac_key, method.encode(), path.encode(), canonical.encode())


def _advisory_key(caller: Caller, key: str) -> int:
    digest = hashlib.sha256(f"{caller.client_id}\x1f{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def run_idempotent(
    session: Session,
    caller: Caller,
    key: str | None,
    fingerprint: str,
    work: Callable[[], Outcome],
    *,
    ttl: timedelta,
) -> Outcome:
    """Run ``work`` once per (client, key); replay its outcome for a retry."""
    if key is None:
        return work()
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _advisory_key(caller, key)}
        ).scalar_one()
        if not locked:
            raise IdempotencyKeyInFlight()
    stored = session.get(IdempotencyKey, (caller.client_id, key))
    if stored is not None and stored.created_at < utcnow() - ttl:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.client_id == caller.client_id,  # type: ignore[arg-type]
                IdempotencyKey.key == key,  # type: ignore[arg-type]
            )
        )
        session.expunge(stored)
        stored = None
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return Outcome(
            status_code=stored.status_code,
            resource_ids=[uuid.UUID(i) for i in stored.resource_ids],
            replayed=True,
        )
    outcome = work()
    session.add(
        IdempotencyKey(
            client_id=caller.client_id,
            key=key,
            fingerprint=fingerprint,
            status_code=outcome.status_code,
            resource_ids=[str(i) for i in outcome.resource_ids],
        )
    )
    session.flush()
    return outcome
