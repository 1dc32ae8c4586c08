"""Who may see a referral: its sender and its recipient. Decided here only."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from app.auth.principal import Caller
from app.models import Referral


def readable_referrals(caller: Caller) -> ColumnElement[bool]:
    return or_(
        col(Referral.from_agency_id) == caller.agency_id,
        col(Referral.to_agency_id) == caller.agency_id,
    )
