"""G10 and identity at rest: no clear identity in the database, its WAL, a dump or the logs;
ciphertexts are bound to their row; rotation keeps every record readable."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text

from app.core.config import Settings
from app.core.crypto import DecryptionError, Keyring, generate_key_text
from app.core.db import Database
from app.core.logging import JsonFormatter
from app.core.migrations import upgrade
from app.main import create_app
from app.victims.identity import open_sealed
from app.victims.rotation import reencrypt_identities
from tests.conftest import Partner
from tests.factories import if_match, register_victim, victim_body


def _canary() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"Qzcanary{tag}", f"DOC{tag.upper()}"


def test_canary_never_at_rest_in_clear_nor_in_logs(
    client: TestClient,
    ngo: Partner,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, document = _canary()
    caplog.clear()
    body = victim_body(identity=False)
    body["identity"] = {"given_name": name, "family_name": name, "aliases": [name],
                        "document_type": "passport", "document_number": document}  # fmt: skip
    r = client.post("/v1/victims", json=body, headers=ngo.headers)
    assert r.status_code == 201
    assert r.json()["identity"]["given_name"] == name  # the owner does see it
    victim_id = r.json()["id"]
    client.get(f"/v1/victims/{victim_id}", headers=ngo.headers)
    client.patch(
        f"/v1/victims/{victim_id}",
        json={"identity": {"given_name": name, "aliases": [name, name]}},
        headers=if_match(ngo, 1),
    )
    client.post("/v1/victims", json={**body, "sex": "?"}, headers=ngo.headers)  # 422 path

    formatter = JsonFormatter()
    logs = "\n".join(formatter.format(rec) for rec in caplog.records)
    assert name not in logs
    assert document not in logs

    for needle in (name.encode(), document.encode(), name.encode("utf-16-le")):
        for blob in _stored_bytes(settings):
            assert needle not in blob


def _stored_bytes(settings: Settings) -> list[bytes]:
    if settings.is_sqlite:
        path = Path(make_url(settings.database_url).database or "")
        files = [path, path.with_name(path.name + "-wal")]
        return [f.read_bytes() for f in files if f.exists()]
    pg_dump = shutil.which("pg_dump") or next(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin/pg_dump")), None
    )
    assert pg_dump, "pg_dump is needed to check the PostgreSQL dump"
    url = make_url(settings.database_url)
    dump = subprocess.run(
        [pg_dump, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "--data-only", url.database or "test"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return [dump.stdout]


def test_ciphertext_moved_to_another_row_does_not_decrypt(
    app: object, client: TestClient, ngo: Partner, caplog: pytest.LogCaptureFixture
) -> None:
    a = register_victim(client, ngo)
    b = register_victim(client, ngo, identity=False)
    state = app.state  # type: ignore[attr-defined]
    with state.uow.begin(None) as session:
        session.execute(
            text(
                "UPDATE victims SET identity_ciphertext = "
                "(SELECT identity_ciphertext FROM victims WHERE id = :a), "
                "identity_key_version = 1 WHERE id = :b"
            ),
            {"a": uuid.UUID(a["id"]).hex if state.settings.is_sqlite else a["id"],
             "b": uuid.UUID(b["id"]).hex if state.settings.is_sqlite else b["id"]},
        )  # fmt: skip
        blob = session.execute(
            text("SELECT identity_ciphertext FROM victims WHERE id = :b"),
            {"b": uuid.UUID(b["id"]).hex if state.settings.is_sqlite else b["id"]},
        ).scalar_one()
    assert blob is not None
    with pytest.raises(DecryptionError):
        open_sealed(state.keyring, uuid.UUID(b["id"]), bytes(blob))
    shown = client.get(f"/v1/victims/{b['id']}", headers=ngo.headers)
    assert shown.status_code == 200
    assert shown.json()["identity"] is None
    assert a["identity"]["given_name"] not in shown.text
    assert any("could not be decrypted" in rec.getMessage() for rec in caplog.records)


def test_rotation_reencrypts_and_keeps_every_record_readable(
    settings: Settings, scratch_url: str, tmp_path: Path
) -> None:
    upgrade(scratch_url)
    old_keys = settings.identity_keys
    new_keys = f"{old_keys},2:{generate_key_text()}"
    base = settings.model_dump() | {"database_url": scratch_url, "data_dir": tmp_path}
    old_settings = Settings(**(base | {"identity_keys": old_keys}))
    new_settings = Settings(**(base | {"identity_keys": new_keys}))

    with TestClient(create_app(old_settings)) as old_client:
        partner = _partner_in(old_client)
        ids = [register_victim(old_client, partner)["id"] for _ in range(3)]

    database = Database(new_settings)
    try:
        assert reencrypt_identities(database, Keyring.from_text(new_keys)) == 3
        assert reencrypt_identities(database, Keyring.from_text(new_keys)) == 0  # rerun is a no-op
    finally:
        database.dispose()

    with TestClient(create_app(new_settings)) as new_client:
        for i, victim_id in enumerate(ids):
            body = new_client.get(f"/v1/victims/{victim_id}", headers=partner.headers).json()
            assert body["identity"]["given_name"].startswith("Testgiven"), i
    # Proof that the rows really moved to version 2: the old key alone no longer opens them.
    with TestClient(create_app(old_settings)) as old_client:
        body = old_client.get(f"/v1/victims/{ids[0]}", headers=partner.headers).json()
        assert body["identity"] is None


def _partner_in(client: TestClient) -> Partner:
    """A partner in the scratch database, made through the scratch app's own admin path."""
    from app.agencies import service as agency_service
    from app.agencies.schemas import AgencyCreate, ClientCreate
    from tests.conftest import request_token

    app = client.app
    slug = f"r-{uuid.uuid4().hex[:10]}"
    with app.state.uow.begin(None) as session:  # type: ignore[attr-defined]
        agency = agency_service.create_agency(
            session,
            AgencyCreate(slug=slug, name="Rotation test", kind="ngo", country="TH",
                         roles=["first_responder"]),  # type: ignore[arg-type]
        )  # fmt: skip
        created = agency_service.create_client(
            session, agency.id, ClientCreate(name="c"), hash_cost=2**14
        )
        partner = Partner(
            agency_id=agency.id, slug=slug, client_id=str(created.client.id),
            client_secret=created.secret, scopes=created.client.scopes,
        )  # fmt: skip
    partner.token = request_token(client, partner.client_id, partner.client_secret)
    return partner
