"""Need to know for victim records, decided here and nowhere else.

An agency sees a victim it registered, or one it holds a live referral for (requested,
received, accepted, in progress — and completed, for its own record); a rejected or
cancelled referral ends that. Identity is shown only to callers with ``victims:identity``
whose agency registered the person, or whose live referral shares identity while consent
allows it (a child needs none; an adult needs an active ``data_sharing`` consent, so a
withdrawal stops sharing at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import BindParameter, ColumnElement, Subquery, or_, select, union
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.auth.scopes import Scope
from app.models import Referral, Victim
from app.victims.records import VictimRecord

# The caller's agency id, or a bound parameter that will carry it (a statement built once).
Agency = uuid.UUID | BindParameter[uuid.UUID]

# Referral statuses that let the recipient see the victim.
ACCESS_STATUSES = ("requested", "received", "accepted", "in_progress", "completed")


def _referred_to(agency: Agency) -> ColumnElement[bool]:
    held = select(col(Referral.victim_id)).where(
        col(Referral.to_agency_id) == agency,
        col(Referral.status).in_(ACCESS_STATUSES),
    )
    return col(Victim.id).in_(held)


def _registered_by(agency: Agency) -> ColumnElement[bool]:
    return col(Victim.registered_by_agency_id) == agency


def readable_victims(caller: Caller) -> ColumnElement[bool]:
    """The one predicate every victim query starts from."""
    return or_(_registered_by(caller.agency_id), _referred_to(caller.agency_id))


def readable_victim_page_ids(
    agency: Agency, conditions: list[ColumnElement[bool]], limit: int | BindParameter[int]
) -> Subquery:
    """Ids of one keyset page of the victims the caller may see, in (created_at, id) order.

    The same rule as ``readable_victims``, as a UNION of its two branches, each ordered and
    limited on its own index: a page costs O(limit) rows whatever the registry's size,
    where the OR form makes SQLite read and sort every visible row.
    """
    branches = []
    for branch in (_registered_by(agency), _referred_to(agency)):
        inner = (
            select(col(Victim.id), col(Victim.created_at))
            .where(branch, *conditions)
            .order_by(col(Victim.created_at), col(Victim.id))
            .limit(limit)
            .subquery()
        )
        branches.append(select(inner.c.id, inner.c.created_at))
    return union(*branches).subquery()


def is_owner(caller: Caller, victim: VictimRecord) -> bool:
    return victim.registered_by_agency_id == caller.agency_id


def identity_shared_with(
    session: Session, caller: Caller, victim_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Victims among ``victim_ids`` that a live referral to the caller shares identity of."""
    ids = list(victim_ids)
    if not ids:
        return set()
    stmt = select(col(Referral.victim_id)).where(
        col(Referral.victim_id).in_(ids),
        col(Referral.to_agency_id) == caller.agency_id,
        col(Referral.status).in_(ACCESS_STATUSES),
        col(Referral.share_identity).is_(True),
    )
    return set(session.execute(stmt).scalars())


def may_see_identity(
    caller: Caller, victim: VictimRecord, *, shared_by_referral: bool, active_purposes: set[str]
) -> bool:
    if not caller.has(Scope.VICTIMS_IDENTITY):
        return False
    if is_owner(caller, victim):
        return True
    return shared_by_referral and (victim.is_child or "data_sharing" in active_purposes)


def victim_audience(session: Session, victim: Victim) -> set[uuid.UUID]:
    """Agencies that may see this person now: who events about the record go to."""
    stmt = select(col(Referral.to_agency_id)).where(
        col(Referral.victim_id) == victim.id, col(Referral.status).in_(ACCESS_STATUSES)
    )
    return {victim.registered_by_agency_id, *session.execute(stmt).scalars()}
