"""Who may see a referral: its sender and its recipient. Decided here only."""

from __future__ import annotations

import uuid

from sqlalchemy import BindParameter, ColumnElement, or_
from sqlmodel import col

from app.auth.principal import Caller
from app.models import Referral


def readable_referrals(caller: Caller) -> ColumnElement[bool]:
    return readable_referrals_of(caller.agency_id)


def readable_referrals_of(
    agency: uuid.UUID | BindParameter[uuid.UUID],
) -> ColumnElement[bool]:
    """The same rule for an agency id, or a bound parameter that will carry it (a
    statement built once for every caller)."""
    return or_(col(Referral.from_agency_id) == agency, col(Referral.to_agency_id) == agency)
