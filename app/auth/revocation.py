"""A revoked client's tokens stop working at once: checked in every unit of work."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.auth.errors import InvalidTokenProblem
from app.auth.principal import Caller
from app.models import ApiClient


def ensure_client_active(session: Session, caller: Caller) -> None:
    stmt = select(col(ApiClient.id)).where(
        ApiClient.id == caller.client_id,
        ApiClient.agency_id == caller.agency_id,
        col(ApiClient.revoked_at).is_(None),
    )
    if session.exec(stmt).first() is None:
        raise InvalidTokenProblem()
