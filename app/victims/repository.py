"""Victim and consent queries. Every read starts from ``readable_victims(caller)``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    exists,
    func,
    insert,
    literal_column,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col

from app.auth.principal import Caller
from app.models import Consent, ConsentWithdrawal, Victim
from app.victims.access import readable_victim_page_ids, readable_victims
from app.victims.records import VictimRecord


@dataclass(frozen=True)
class VictimFilters:
    rescue_operation_id: uuid.UUID | None = None
    nationality: str | None = None
    identification_status: str | None = None
    exploitation_type: str | None = None
    updated_after: datetime | None = None


def _has_exploitation_type(session: Session, value: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        # jsonb @> (the column is JSONB on PostgreSQL; see the model).
        return type_coerce(col(Victim.exploitation_types), JSONB).contains([value])
    each = func.json_each(col(Victim.exploitation_types)).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))


class VictimRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_readable(self, caller: Caller, victim_id: uuid.UUID) -> Victim | None:
        stmt = select(Victim).where(readable_victims(caller), col(Victim.id) == victim_id)
        return self.session.execute(stmt).scalars().first()

    def page(
        self,
        caller: Caller,
        filters: VictimFilters,
        *,
        limit: int,
        after: tuple[Any, ...] | None,
    ) -> list[VictimRecord]:
        conditions: list[ColumnElement[bool]] = []
        if filters.rescue_operation_id is not None:
            conditions.append(col(Victim.rescue_operation_id) == filters.rescue_operation_id)
        if filters.nationality is not None:
            conditions.append(col(Victim.nationality) == filters.nationality)
        if filters.identification_status is not None:
            conditions.append(col(Victim.identification_status) == filters.identification_status)
        if filters.exploitation_type is not None:
            conditions.append(_has_exploitation_type(self.session, filters.exploitation_type))
        if filters.updated_after is not None:
            conditions.append(col(Victim.updated_at) > filters.updated_after)
        if after is not None:
            conditions.append(tuple_(col(Victim.created_at), col(Victim.id)) > tuple_(*after))
        page_ids = readable_victim_page_ids(caller, conditions, limit)
        # Plain rows, not ORM objects: a list only reads, and loading 50 mapped instances
        # (identity map, attribute instrumentation) cost more than the query itself.
        table = Victim.__table__  # type: ignore[attr-defined]
        stmt = (
            select(table)
            .join(page_ids, page_ids.c.id == table.c.id)
            .order_by(table.c.created_at, table.c.id)
            .limit(limit)
        )
        return cast(list[VictimRecord], list(self.session.execute(stmt).all()))

    def by_ids(self, caller: Caller, ids: list[uuid.UUID]) -> list[VictimRecord]:
        """Readable victims among ``ids``, in the order given (plain rows, as ``page``)."""
        if not ids:
            return []
        table = Victim.__table__  # type: ignore[attr-defined]
        stmt = select(table).where(readable_victims(caller), table.c.id.in_(ids))
        found = {v.id: v for v in self.session.execute(stmt)}
        return [cast(VictimRecord, found[i]) for i in ids if i in found]

    def by_external_refs(self, agency_id: uuid.UUID, refs: Iterable[str]) -> dict[str, Victim]:
        refs = list(refs)
        if not refs:
            return {}
        stmt = select(Victim).where(
            col(Victim.registered_by_agency_id) == agency_id, col(Victim.external_ref).in_(refs)
        )
        return {v.external_ref: v for v in self.session.execute(stmt).scalars() if v.external_ref}

    def taken_case_numbers(self, numbers: list[str]) -> set[str]:
        stmt = select(col(Victim.case_number)).where(col(Victim.case_number).in_(numbers))
        return set(self.session.execute(stmt).scalars())

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        """Complete ``victims`` rows in one executemany INSERT, without mapped instances."""
        if rows:
            self.session.execute(insert(Victim.__table__), rows)  # type: ignore[attr-defined]

    def add_all(self, victims: list[Victim]) -> None:
        self.session.add_all(victims)
        self.session.flush()

    def consents_for(
        self, victim_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[tuple[Consent, datetime | None]]]:
        """Every consent of these victims with its withdrawal time, in one query."""
        result: dict[uuid.UUID, list[tuple[Consent, datetime | None]]] = defaultdict(list)
        if not victim_ids:
            return result
        stmt = (
            select(Consent, col(ConsentWithdrawal.withdrawn_at))
            .outerjoin(ConsentWithdrawal, col(ConsentWithdrawal.consent_id) == col(Consent.id))
            .where(col(Consent.victim_id).in_(victim_ids))
            .order_by(col(Consent.created_at), col(Consent.id))
        )
        for consent, withdrawn_at in self.session.execute(stmt):
            result[consent.victim_id].append((consent, withdrawn_at))
        return result

    def consent_of(self, victim_id: uuid.UUID, consent_id: uuid.UUID) -> Consent | None:
        stmt = select(Consent).where(
            col(Consent.id) == consent_id, col(Consent.victim_id) == victim_id
        )
        return self.session.execute(stmt).scalars().first()
