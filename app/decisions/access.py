"""Who may see an identification decision. Decided here only.

The deciding authority, the referring agency, the victim's registering agency, and every
agency with the ``decision_recipient`` role (government systems such as immigration, so
that an identified victim is not detained or prosecuted). Decisions hold no identity.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true
from sqlmodel import col

from app.auth.principal import Caller
from app.models import Decision, Referral, Victim


def readable_decisions(caller: Caller, *, is_decision_recipient: bool) -> ColumnElement[bool]:
    if is_decision_recipient:
        return true()
    referred = select(col(Referral.id)).where(col(Referral.from_agency_id) == caller.agency_id)
    registered = select(col(Victim.id)).where(
        col(Victim.registered_by_agency_id) == caller.agency_id
    )
    return or_(
        col(Decision.decided_by_agency_id) == caller.agency_id,
        col(Decision.referral_id).in_(referred),
        col(Decision.victim_id).in_(registered),
    )
