"""Rescue-operation queries. Every read starts from ``readable_operations(caller)``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.core.pagination import keyset
from app.models import Agency, Referral, RescueOperation, RescueOperationParticipant, Victim
from app.operations.access import readable_operations


class OperationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_readable(self, caller: Caller, operation_id: uuid.UUID) -> RescueOperation | None:
        stmt = select(RescueOperation).where(
            readable_operations(caller), col(RescueOperation.id) == operation_id
        )
        return self.session.execute(stmt).scalars().first()

    def page(
        self, caller: Caller, *, limit: int, after: tuple[Any, ...] | None
    ) -> list[RescueOperation]:
        stmt = select(RescueOperation).where(readable_operations(caller))
        return list(self.session.execute(keyset(stmt, RescueOperation, after, limit)).scalars())

    def reference_taken(self, lead_agency_id: uuid.UUID, reference: str) -> bool:
        stmt = select(col(RescueOperation.id)).where(
            col(RescueOperation.lead_agency_id) == lead_agency_id,
            col(RescueOperation.reference) == reference,
        )
        return self.session.execute(stmt).first() is not None

    def missing_agencies(self, agency_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not agency_ids:
            return []
        stmt = select(col(Agency.id)).where(col(Agency.id).in_(agency_ids))
        found = set(self.session.execute(stmt).scalars())
        return [a for a in agency_ids if a not in found]

    def participants_of(self, operation_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        if not operation_ids:
            return result
        stmt = (
            select(
                col(RescueOperationParticipant.rescue_operation_id),
                col(RescueOperationParticipant.agency_id),
            )
            .where(col(RescueOperationParticipant.rescue_operation_id).in_(operation_ids))
            .order_by(col(RescueOperationParticipant.agency_id))
        )
        for operation_id, agency_id in self.session.execute(stmt):
            result[operation_id].append(agency_id)
        return result

    def set_participants(self, operation_id: uuid.UUID, agency_ids: list[uuid.UUID]) -> None:
        self.session.execute(
            delete(RescueOperationParticipant).where(
                col(RescueOperationParticipant.rescue_operation_id) == operation_id
            )
        )
        self.session.add_all(
            RescueOperationParticipant(rescue_operation_id=operation_id, agency_id=a)
            for a in agency_ids
        )
        self.session.flush()

    def add(self, operation: RescueOperation) -> None:
        self.session.add(operation)
        self.session.flush()

    def victim_counts(self, operation_id: uuid.UUID) -> tuple[int, dict[str, int], dict[str, int]]:
        """(registered, by identification status, by nationality) — across all agencies,
        counts only: the operation's participants coordinate the whole intake."""
        by_status = dict(
            self.session.execute(
                select(col(Victim.identification_status), func.count())
                .where(col(Victim.rescue_operation_id) == operation_id)
                .group_by(col(Victim.identification_status))
            ).all()
        )
        by_nationality = dict(
            self.session.execute(
                select(col(Victim.nationality), func.count())
                .where(col(Victim.rescue_operation_id) == operation_id)
                .group_by(col(Victim.nationality))
            ).all()
        )
        total = sum(by_status.values())
        return total, by_status, {(k or "unknown"): v for k, v in by_nationality.items()}

    def referral_counts(self, operation_id: uuid.UUID) -> tuple[int, dict[str, int]]:
        """(people with any referral, referrals by status) for the operation's intake."""
        in_operation = select(col(Victim.id)).where(col(Victim.rescue_operation_id) == operation_id)
        by_status = dict(
            self.session.execute(
                select(col(Referral.status), func.count())
                .where(col(Referral.victim_id).in_(in_operation))
                .group_by(col(Referral.status))
            ).all()
        )
        referred = self.session.execute(
            select(func.count(func.distinct(col(Referral.victim_id)))).where(
                col(Referral.victim_id).in_(in_operation)
            )
        ).scalar_one()
        return int(referred), {str(k): int(v) for k, v in by_status.items()}
