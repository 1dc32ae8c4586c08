"""Who may see a rescue operation: its lead agency and its participating agencies."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from app.auth.principal import Caller
from app.models import RescueOperation, RescueOperationParticipant


def readable_operations(caller: Caller) -> ColumnElement[bool]:
    """The one predicate every operation query starts from (need to know)."""
    participating = select(col(RescueOperationParticipant.rescue_operation_id)).where(
        RescueOperationParticipant.agency_id == caller.agency_id
    )
    return or_(
        col(RescueOperation.lead_agency_id) == caller.agency_id,
        col(RescueOperation.id).in_(participating),
    )
