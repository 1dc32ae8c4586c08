"""Verifying the chain: the first entry that was edited, deleted or moved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from app.audit.chain import GENESIS, chained_fields, entry_hash
from app.models import AuditEvent

BATCH = 5000


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    head_hash: str
    head_seq: int
    first_bad_id: uuid.UUID | None
    first_bad_seq: int | None


def verify_chain(session: Session) -> Verification:
    prev, expected_seq, entries, last_seq = GENESIS, 1, 0, 0
    after = 0
    while True:
        rows = list(
            session.execute(
                select(AuditEvent)
                .where(col(AuditEvent.seq) > after)
                .order_by(col(AuditEvent.seq))
                .limit(BATCH)
            ).scalars()
        )
        for row in rows:
            assert row.seq is not None
            fields = chained_fields(row.model_dump())
            if (
                row.seq != expected_seq  # a gap: an entry was deleted (or renumbered)
                or row.prev_hash != prev
                or row.hash != entry_hash(prev, fields)
            ):
                return Verification(False, entries, prev, last_seq, row.id, row.seq)
            prev, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
            entries += 1
        if len(rows) < BATCH:
            return Verification(True, entries, prev, last_seq, None, None)
        after = last_seq
