"""Decision queries. Every read starts from ``readable_decisions``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.core.db import utcnow
from app.core.pagination import keyset, where_equal
from app.decisions.access import readable_decisions
from app.models import Agency, Decision, ReconsiderationRequest, Victim


@dataclass(frozen=True)
class DecisionFilters:
    outcome: str | None = None
    stage: str | None = None
    decided_after: datetime | None = None


class DecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _predicate(self, caller: Caller) -> Any:
        roles = self.session.execute(
            select(col(Agency.roles)).where(col(Agency.id) == caller.agency_id)
        ).scalar_one_or_none()
        return readable_decisions(
            caller, is_decision_recipient="decision_recipient" in (roles or [])
        )

    def get_readable(self, caller: Caller, decision_id: uuid.UUID) -> Decision | None:
        stmt = select(Decision).where(self._predicate(caller), col(Decision.id) == decision_id)
        return self.session.execute(stmt).scalars().first()

    def page(
        self, caller: Caller, filters: DecisionFilters, *, limit: int, after: tuple[Any, ...] | None
    ) -> list[Decision]:
        stmt = where_equal(
            select(Decision).where(self._predicate(caller)),
            (col(Decision.outcome), filters.outcome),
            (col(Decision.stage), filters.stage),
        )
        if filters.decided_after is not None:
            stmt = stmt.where(col(Decision.decided_at) > filters.decided_after)
        return list(self.session.execute(keyset(stmt, Decision, after, limit)).scalars())

    def of_referral(self, referral_id: uuid.UUID) -> list[Decision]:
        stmt = (
            select(Decision)
            .where(col(Decision.referral_id) == referral_id)
            .order_by(col(Decision.created_at))
        )
        return list(self.session.execute(stmt).scalars())

    def superseded_ids(self, decision_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        if not decision_ids:
            return set()
        stmt = select(col(Decision.supersedes_id)).where(
            col(Decision.supersedes_id).in_(decision_ids)
        )
        return {i for i in self.session.execute(stmt).scalars() if i is not None}

    def newest_final_outcome(self, victim_id: uuid.UUID) -> str | None:
        superseded = select(col(Decision.supersedes_id)).where(
            col(Decision.supersedes_id).is_not(None)
        )
        # The newest standing final decision, by when it was recorded: decided_at is the
        # authority's own date and may be backdated to the interview.
        stmt = (
            select(col(Decision.outcome))
            .where(
                col(Decision.victim_id) == victim_id,
                col(Decision.stage) == "final",
                col(Decision.id).not_in(superseded),
            )
            .order_by(col(Decision.created_at).desc())
            .limit(1)
        )
        return self.session.execute(stmt).scalar_one_or_none()

    def set_identification_status(self, victim_id: uuid.UUID, status: str) -> None:
        # A derived, server-owned field: no If-Match, but the version moves so that a
        # client's stale ETag on the victim is refused afterwards.
        self.session.execute(
            update(Victim)
            .where(col(Victim.id) == victim_id, col(Victim.identification_status) != status)
            .values(
                identification_status=status, version=col(Victim.version) + 1, updated_at=utcnow()
            )
            .execution_options(synchronize_session=False)
        )

    def victim_facts(self, victim_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str | None]]:
        if not victim_ids:
            return {}
        stmt = select(col(Victim.id), col(Victim.case_number), col(Victim.nationality)).where(
            col(Victim.id).in_(victim_ids)
        )
        return {
            vid: (number, nationality) for vid, number, nationality in self.session.execute(stmt)
        }

    def reconsideration_of(self, decision_id: uuid.UUID) -> ReconsiderationRequest | None:
        stmt = select(ReconsiderationRequest).where(
            col(ReconsiderationRequest.decision_id) == decision_id
        )
        return self.session.execute(stmt).scalars().first()
