"""Referral queries. Every read starts from ``readable_referrals(caller)``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.core.pagination import keyset, where_equal
from app.models import Referral, ReferralStatusChange, Victim
from app.models.referrals import OPEN_STATUSES
from app.referrals.access import readable_referrals, readable_referrals_of


@dataclass(frozen=True)
class ReferralFilters:
    direction: str | None = None
    status: str | None = None
    purpose: str | None = None
    victim_id: uuid.UUID | None = None
    overdue_at: datetime | None = None  # "overdue now": due before this and still open


# The columns of ``ReferralRead`` that are the referral's own.
_READ_COLUMNS = (
    "id", "reference", "victim_id", "from_agency_id", "to_agency_id", "purpose", "urgency",
    "share_identity", "notes", "status", "status_reason", "decision_due_at", "created_at",
    "updated_at", "version",
)  # fmt: skip


_referrals = Referral.__table__  # type: ignore[attr-defined]
_victims = Victim.__table__  # type: ignore[attr-defined]
# Built once with bound parameters: building the statement per request cost as much as
# running it.
_READ_ONE = (
    select(*(_referrals.c[name] for name in _READ_COLUMNS), _victims.c.case_number)
    .join(_victims, _victims.c.id == _referrals.c.victim_id)
    .where(
        readable_referrals_of(bindparam("agency_id", type_=_referrals.c.to_agency_id.type)),
        _referrals.c.id == bindparam("referral_id"),
    )
)


class ReferralRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_readable(self, caller: Caller, referral_id: uuid.UUID) -> Referral | None:
        stmt = select(Referral).where(readable_referrals(caller), col(Referral.id) == referral_id)
        return self.session.execute(stmt).scalars().first()

    def read_fields(self, caller: Caller, referral_id: uuid.UUID) -> dict[str, Any] | None:
        """``ReferralRead``'s fields of one readable referral, from one plain-row query
        (the referral with its victim's case number), for the hot single read."""
        params = {"agency_id": caller.agency_id, "referral_id": referral_id}
        row = self.session.connection().execute(_READ_ONE, params).first()
        if row is None:
            return None
        fields = dict(zip(_READ_COLUMNS, row, strict=False))
        fields["victim_case_number"] = row[-1]
        return fields

    def get(self, referral_id: uuid.UUID) -> Referral | None:
        return self.session.get(Referral, referral_id)

    def page(
        self, caller: Caller, filters: ReferralFilters, *, limit: int, after: tuple[Any, ...] | None
    ) -> list[Referral]:
        if filters.direction == "incoming":
            stmt = select(Referral).where(col(Referral.to_agency_id) == caller.agency_id)
        elif filters.direction == "outgoing":
            stmt = select(Referral).where(col(Referral.from_agency_id) == caller.agency_id)
        else:
            stmt = select(Referral).where(readable_referrals(caller))
        stmt = where_equal(
            stmt,
            (col(Referral.status), filters.status),
            (col(Referral.purpose), filters.purpose),
            (col(Referral.victim_id), filters.victim_id),
        )
        if filters.overdue_at is not None:
            stmt = stmt.where(
                col(Referral.decision_due_at) < filters.overdue_at,
                col(Referral.status).in_(OPEN_STATUSES),
            )
        return list(self.session.execute(keyset(stmt, Referral, after, limit)).scalars())

    def open_exists(self, victim_id: uuid.UUID, to_agency_id: uuid.UUID, purpose: str) -> bool:
        stmt = select(col(Referral.id)).where(
            col(Referral.victim_id) == victim_id,
            col(Referral.to_agency_id) == to_agency_id,
            col(Referral.purpose) == purpose,
            col(Referral.status).in_(OPEN_STATUSES),
        )
        return self.session.execute(stmt).first() is not None

    def reference_taken(self, reference: str) -> bool:
        stmt = select(col(Referral.id)).where(col(Referral.reference) == reference)
        return self.session.execute(stmt).first() is not None

    def case_numbers(self, victim_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not victim_ids:
            return {}
        stmt = select(col(Victim.id), col(Victim.case_number)).where(col(Victim.id).in_(victim_ids))
        return {vid: number for vid, number in self.session.execute(stmt).all()}  # noqa: C416 (Result has .keys(): dict() would treat it as a mapping)

    def history(self, referral_id: uuid.UUID) -> list[ReferralStatusChange]:
        stmt = (
            select(ReferralStatusChange)
            .where(col(ReferralStatusChange.referral_id) == referral_id)
            .order_by(col(ReferralStatusChange.changed_at), col(ReferralStatusChange.id))
        )
        return list(self.session.execute(stmt).scalars())
