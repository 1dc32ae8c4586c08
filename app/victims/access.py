"""Need to know for victim records, decided here and nowhere else.

An agency sees a victim it registered (and, once referrals exist, one it holds a live
referral for). Identity is shown only to callers with ``victims:identity`` who may see it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from app.auth.principal import Caller
from app.auth.scopes import Scope
from app.models import Victim


def readable_victims(caller: Caller) -> ColumnElement[bool]:
    """The one predicate every victim query starts from."""
    return col(Victim.registered_by_agency_id) == caller.agency_id


def is_owner(caller: Caller, victim: Victim) -> bool:
    return victim.registered_by_agency_id == caller.agency_id


def may_see_identity(caller: Caller, victim: Victim) -> bool:
    return caller.has(Scope.VICTIMS_IDENTITY) and is_owner(caller, victim)
