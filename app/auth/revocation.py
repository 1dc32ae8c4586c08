"""A revoked client's tokens stop working at once: checked in every unit of work."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.auth.errors import InvalidTokenProblem
from app.auth.principal import Caller
from app.models import ApiClient

_clients = ApiClient.__table__  # type: ignore[attr-defined]
# Core, on the session's connection: the check runs on every request, and the ORM's
# execution path (events, result wrapping) cost several times the indexed lookup.
_ACTIVE = select(_clients.c.id).where(
    _clients.c.id == bindparam("client_id"),
    _clients.c.agency_id == bindparam("agency_id"),
    _clients.c.revoked_at.is_(None),
)


def ensure_client_active(session: Session, caller: Caller) -> None:
    params = {"client_id": caller.client_id, "agency_id": caller.agency_id}
    if session.connection().execute(_ACTIVE, params).first() is None:
        raise InvalidTokenProblem()
