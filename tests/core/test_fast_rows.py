"""``FastRows`` gives exactly the values SQLAlchemy's typed result gives, column by column,
on whichever database the suite runs on (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, insert, select, type_coerce
from sqlalchemy.types import NullType

from app.core.config import Settings
from app.core.db import make_engine
from app.core.rows import FastInsert, FastRows
from app.models import AuditEvent, Consent, ConsentWithdrawal, Victim
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


def test_consent_rows_match_sqlalchemy(app: FastAPI, client: TestClient, ngo: Partner) -> None:
    victim = register_victim(client, ngo)
    consent = {"purposes": ["data_sharing", "services"], "method": "written", "language": "en",
               "interpreter_used": True, "given_at": "2026-11-20T08:30:00Z"}  # fmt: skip
    for _ in range(2):
        r = client.post(f"/v1/victims/{victim['id']}/consents", json=consent, headers=ngo.headers)
        assert r.status_code == 201, r.text
    withdrawn = r.json()["id"]
    r = client.post(
        f"/v1/victims/{victim['id']}/consents/{withdrawn}/withdrawal",
        json={"withdrawn_at": "2026-11-21T09:00:00Z"},
        headers=ngo.headers,
    )
    assert r.status_code in (200, 201), r.text

    consents: Any = Consent.__table__  # type: ignore[attr-defined]
    withdrawals: Any = ConsentWithdrawal.__table__  # type: ignore[attr-defined]
    fast = FastRows([*consents.c, withdrawals.c.withdrawn_at], "consent")
    joined = consents.outerjoin(withdrawals, withdrawals.c.consent_id == consents.c.id)
    where = consents.c.victim_id == uuid.UUID(victim["id"])
    with app.state.database.session(write=False) as session:
        conn = session.connection()
        typed = sorted(
            tuple(r)
            for r in conn.execute(
                select(*consents.c, withdrawals.c.withdrawn_at).select_from(joined).where(where)
            )
        )
        quick = sorted(
            tuple(r)
            for r in fast.records(
                conn.execute(select(*fast.columns).select_from(joined).where(where))
            )
        )
    assert len(typed) == 2
    assert quick == typed
    assert sorted(row[-1] is None for row in typed) == [False, True]  # one withdrawn
    assert all(row[2] == ["data_sharing", "services"] for row in typed)  # JSON list


def test_fast_insert_stores_what_sqlalchemy_stores(scratch_url: str, tmp_path: Path) -> None:
    """FastInsert and a plain SQLAlchemy insert of the same audit entries store the same
    values (read back through SQLAlchemy's typed result), on this suite's database."""
    table = AuditEvent.__table__.to_metadata(MetaData())  # type: ignore[attr-defined]
    engine = make_engine(Settings(database_url=scratch_url, data_dir=tmp_path))
    table.create(engine)
    at = datetime(2026, 11, 29, 10, 31, 44, 120000, tzinfo=UTC)
    midnight = datetime(2026, 11, 29, 0, 0, 0, tzinfo=UTC)  # no fraction of a second
    values = [
        {"id": uuid.uuid4(), "at": at, "agency_id": uuid.uuid4(), "client_id": uuid.uuid4(),
         "action": "victim.list", "resource_type": "victim", "resource_id": uuid.uuid4(),
         "request_id": "req-1", "outcome": "success", "prev_hash": "0" * 64, "hash": "a" * 64},
        {"id": uuid.uuid4(), "at": midnight, "agency_id": None, "client_id": None,
         "action": "victim.read", "resource_type": "victim", "resource_id": None,
         "request_id": None, "outcome": "denied", "prev_hash": "a" * 64, "hash": "b" * 64},
    ]  # fmt: skip
    fast = FastInsert(table)
    try:
        with engine.begin() as conn:
            fast.execute(conn, [tuple({**v, "seq": i}[n] for n in fast.names)
                                for i, v in enumerate(values, start=1)])  # fmt: skip
            plain_rows = [{**v, "seq": i, "id": uuid.uuid4()} for i, v in enumerate(values, 11)]
            conn.execute(insert(table), plain_rows)
            stored = {r.seq: r._asdict() for r in conn.execute(select(table))}
            # and byte for byte as the driver holds them (SQLite text, not just equal
            # once parsed back)
            untyped = [type_coerce(c, NullType()).label(c.name) for c in table.c]
            raw = {r.seq: r._asdict() for r in conn.execute(select(*untyped))}
    finally:
        engine.dispose()
    assert set(stored) == {1, 2, 11, 12}
    for fast_seq, plain_seq in ((1, 11), (2, 12)):
        quick = {k: v for k, v in stored[fast_seq].items() if k != "seq"}
        plain = {k: v for k, v in stored[plain_seq].items() if k not in ("seq", "id")}
        assert quick == values[fast_seq - 1]  # the id too: read back as the same UUID
        assert {k: v for k, v in quick.items() if k != "id"} == plain
        assert {k: v for k, v in raw[fast_seq].items() if k not in ("seq", "id")} == {
            k: v for k, v in raw[plain_seq].items() if k not in ("seq", "id")
        }
