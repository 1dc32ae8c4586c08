"""Small helpers shared by routers: the keyring, idempotency fingerprints, Location."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.principal import Caller
from app.core.crypto import Keyring
from app.core.idempotency import Outcome, request_fingerprint, run_idempotent


def keyring(request: Request) -> Keyring:
    ring: Keyring = request.app.state.keyring
    return ring


def fingerprint(request: Request, body: BaseModel | None) -> str:
    payload: Any = body.model_dump(mode="json") if body is not None else None
    return request_fingerprint(
        request.app.state.hmac_key, request.method, request.url.path, payload
    )


def idempotency_ttl(request: Request) -> timedelta:
    return timedelta(hours=request.app.state.settings.idempotency_ttl_hours)


def idempotent(
    request: Request,
    session: Session,
    caller: Caller,
    key: str | None,
    body: BaseModel | None,
    work: Callable[[], Outcome],
) -> Outcome:
    """Run a create once per Idempotency-Key (see app.core.idempotency)."""
    return run_idempotent(
        session, caller, key, fingerprint(request, body), work, ttl=idempotency_ttl(request)
    )


def finish_create(response: Response, outcome: Outcome, location: str | None) -> None:
    """Status, Location and the replay marker of a create."""
    response.status_code = outcome.status_code
    if location is not None and outcome.status_code == 201:
        response.headers["Location"] = location
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
