"""``FastRows`` gives exactly the values SQLAlchemy's typed result gives, column by column,
on whichever database the suite runs on (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core.rows import FastRows
from app.models import Victim
from tests.conftest import Partner
from tests.factories import create_operation, register_victim


def test_victim_rows_match_sqlalchemy(app: FastAPI, client: TestClient, ngo: Partner) -> None:
    operation = create_operation(client, ngo)
    plain = register_victim(client, ngo, identity=False, languages=[], needs=[])
    full = register_victim(client, ngo, rescue_operation_id=operation["id"])
    erased = register_victim(client, ngo)
    r = client.delete(f"/v1/victims/{erased['id']}", headers=ngo.headers)
    assert r.status_code == 204, r.text
    ids = [uuid.UUID(v["id"]) for v in (plain, full, erased)]

    table: Any = Victim.__table__  # type: ignore[attr-defined]
    fast = FastRows(table, "victim")
    with app.state.database.session(write=False) as session:
        conn = session.connection()
        typed = {r.id: tuple(r) for r in conn.execute(select(table).where(table.c.id.in_(ids)))}
        rows = conn.execute(select(*fast.columns).where(table.c.id.in_(ids)))
        quick = {r.id: tuple(r) for r in fast.records(rows)}

    assert len(typed) == 3
    assert quick == typed
    # Every kind of converted value was exercised: UUIDs and instants (null and not),
    # JSON lists (empty and not), booleans and bytes.
    by_id = {str(k): dict(zip(table.c.keys(), v, strict=True)) for k, v in typed.items()}
    assert by_id[erased["id"]]["erased_at"] is not None
    assert by_id[plain["id"]]["erased_at"] is None
    assert by_id[full["id"]]["rescue_operation_id"] is not None
    assert by_id[plain["id"]]["rescue_operation_id"] is None
    assert isinstance(by_id[full["id"]]["identity_ciphertext"], bytes)
    assert by_id[full["id"]]["needs"] == ["shelter", "medical"]
    assert by_id[plain["id"]]["needs"] == []
    assert by_id[full["id"]]["is_child"] is False
