"""Writing the audit trail: in the same transaction as the work it records.

Every read and write of victim data adds one entry per record touched (a list read adds
one per record returned), chained by hash. The chain head row is locked for the rest of
the transaction, so concurrent writers append in one order (on SQLite the write lock
already gives that).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from app.audit.chain import GENESIS, batch_hashes
from app.auth.principal import Caller
from app.core.context import request_id
from app.core.db import time_ordered_id, utcnow
from app.core.rows import FastInsert
from app.models import AuditChainHead, AuditEvent

_entries = AuditEvent.__table__  # type: ignore[attr-defined]
_heads = AuditChainHead.__table__  # type: ignore[attr-defined]
_HEAD = select(_heads.c.seq, _heads.c.hash).where(_heads.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
# Binding 600 values per list read through SQLAlchemy cost as much as inserting them.
_INSERT = FastInsert(_entries)


def record(
    session: Session,
    caller: Caller | None,
    action: str,
    resource_type: str,
    resource_ids: Iterable[uuid.UUID | None],
    *,
    outcome: str = "success",
) -> None:
    ids = list(resource_ids) or [None]
    # Core statements on the session's connection: this runs in every audited request, and
    # the ORM's load and flush of the one head row cost more than the statements.
    session.flush()  # pending ORM rows first, as the ORM query used to autoflush them
    conn = session.connection()
    locking = _HEAD_FOR_UPDATE if conn.dialect.name == "postgresql" else _HEAD
    head = conn.execute(locking).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    common = {
        "at": utcnow(),
        "agency_id": caller.agency_id if caller else None,
        "client_id": caller.client_id if caller else None,
        "action": action,
        "resource_type": resource_type,
        "request_id": request_id.get(),
        "outcome": outcome,
    }
    keys = [(time_ordered_id(), resource_id) for resource_id in ids]
    hashes = batch_hashes(prev, seq + 1, common, keys)
    rows = []
    for (entry_id, resource_id), digest in zip(keys, hashes, strict=True):
        seq += 1
        values = {**common, "seq": seq, "id": entry_id, "resource_id": resource_id,
                  "prev_hash": prev, "hash": digest}  # fmt: skip
        rows.append(tuple(values[name] for name in _INSERT.names))
        prev = digest
    _INSERT.execute(conn, rows)
    if head is None:
        conn.execute(_heads.insert().values(id=1, seq=seq, hash=prev))
    else:
        conn.execute(_heads.update().where(_heads.c.id == 1).values(seq=seq, hash=prev))
