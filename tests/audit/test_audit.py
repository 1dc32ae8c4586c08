"""G11: every victim-data access is audited in its own transaction's work, refused attempts
too; the chain detects edits, deletions, reordering and (with a checkpoint) truncation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import col

from app.audit.checkpoint import check_checkpoint, make_checkpoint
from app.audit.verify import verify_chain
from app.core.config import Settings
from app.core.migrations import upgrade
from app.main import create_app
from app.models import AuditEvent
from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, register_victim, victim_body
from tests.referrals.conftest import adult_with_consent, decide, move, refer


def audited(app: FastAPI, request_id: str) -> list[tuple[str, str | None, str]]:
    with app.state.uow.begin(None, write=False) as session:
        rows = session.execute(
            select(AuditEvent)
            .where(col(AuditEvent.request_id) == request_id)
            .order_by(col(AuditEvent.seq))
        ).scalars()
        return [(r.action, str(r.resource_id) if r.resource_id else None, r.outcome) for r in rows]


def call(client: TestClient, who: Partner, method: str, url: str, **kwargs: Any) -> tuple[Any, str]:
    request_id = uuid.uuid4().hex
    headers = {**who.headers, **kwargs.pop("headers", {}), "X-Request-ID": request_id}
    return client.request(method, url, headers=headers, **kwargs), request_id


def test_every_victim_data_route_writes_exactly_its_audit_entries(
    app: FastAPI, client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    ca = make_partner(["competent_authority"], kind="government")
    victim = adult_with_consent(client, ngo)
    vid = victim["id"]
    op = create_operation(client, ngo)
    Expected = Callable[[Any], list[tuple[str, str | None, str]]]
    cases: list[tuple[Partner, str, str, dict[str, Any], Expected]] = [
        (ngo, "GET", f"/v1/victims/{vid}", {}, lambda r: [("victim.read", vid, "success")]),
        (ngo, "GET", f"/v1/victims?rescue_operation_id={op['id']}", {},
         lambda r: [("victim.list", None, "success")]),
        (ngo, "PATCH", f"/v1/victims/{vid}", {"json": {"age_estimate": 31},
                                               "headers": {"If-Match": '"1"'}},
         lambda r: [("victim.update", vid, "success")]),
        (ngo, "POST", f"/v1/victims/{vid}/consents",
         {"json": {"purposes": ["statistics"], "method": "verbal",
                   "given_at": "2026-11-21T08:00:00Z"}},
         lambda r: [("consent.create", vid, "success")]),
        (ngo, "POST", "/v1/referrals",
         {"json": {"victim_id": vid, "to_agency_id": str(ca.agency_id),
                   "purpose": "identification"}},
         lambda r: [("referral.create", vid, "success")]),
        (ngo, "POST", "/v1/victims", {"json": victim_body(5)},
         lambda r: [("victim.create", r.json()["id"], "success")]),
        (ngo, "POST", f"/v1/rescue-operations/{op['id']}/victims",
         {"json": {"victims": [victim_body(6), victim_body(7)]}},
         lambda r: [("victim.create", i["id"], "success") for i in r.json()["items"]]),
        (ngo, "GET", f"/v1/victims/{vid}/access-log", {},
         lambda r: [("victim.access_log.read", vid, "success")]),
    ]  # fmt: skip
    for who, method, url, kwargs, expected in cases:
        response, request_id = call(client, who, method, url, **kwargs)
        assert response.status_code < 300, (url, response.text)
        assert audited(app, request_id) == expected(response), (method, url)

    referral = client.get("/v1/referrals?direction=incoming", headers=ca.headers).json()["items"][0]
    response, rid = call(client, ca, "GET", f"/v1/referrals/{referral['id']}")
    assert audited(app, rid) == [("referral.read", vid, "success")]
    move(client, ca, referral, "accepted")
    decision = decide(client, ca, referral["id"], "final", "negative").json()
    response, rid = call(client, ngo, "GET", f"/v1/decisions/{decision['id']}")
    assert audited(app, rid) == [("decision.read", vid, "success")]
    response, rid = call(
        client, ngo, "POST", f"/v1/decisions/{decision['id']}/reconsideration-requests",
        json={"reasons": "New facts"},
    )  # fmt: skip
    assert audited(app, rid) == [("reconsideration.create", vid, "success")]
    response, rid = call(client, ngo, "DELETE", f"/v1/victims/{vid}")
    assert audited(app, rid) == [("victim.erase", vid, "success")]


def test_a_list_read_records_every_id_returned(
    app: FastAPI, client: TestClient, ngo: Partner
) -> None:
    op = create_operation(client, ngo)
    made = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(i) for i in range(4)]},
        headers=ngo.headers,
    ).json()["items"]
    _, rid = call(client, ngo, "GET", f"/v1/victims?rescue_operation_id={op['id']}")
    assert audited(app, rid) == [("victim.list", v["id"], "success") for v in made]


def test_a_failed_request_leaves_no_work_entry(
    app: FastAPI, client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    victim = register_victim(client, ngo)
    response, rid = call(
        client, ngo, "PATCH", f"/v1/victims/{victim['id']}", json={"age_estimate": 3},
        headers={"If-Match": '"7"'},
    )  # fmt: skip
    assert response.status_code == 412
    assert audited(app, rid) == []
    ca = make_partner(["competent_authority"], kind="government")
    response, rid = call(
        client, ngo, "POST", "/v1/referrals",
        json={"victim_id": victim["id"], "to_agency_id": str(ca.agency_id),
              "purpose": "identification"},
    )  # fmt: skip
    assert response.status_code == 409  # no consent
    assert audited(app, rid) == []


def test_refused_attempts_are_recorded_and_shown_to_the_owner(
    app: FastAPI, client: TestClient, ngo: Partner, outsider: Partner
) -> None:
    victim = register_victim(client, ngo)
    response, rid = call(client, outsider, "GET", f"/v1/victims/{victim['id']}")
    assert response.status_code == 404
    assert audited(app, rid) == [("access.denied", victim["id"], "not_found")]
    response, rid = call(client, outsider, "DELETE", f"/v1/victims/{victim['id']}")
    assert audited(app, rid) == [("access.denied", victim["id"], "not_found")]
    anonymous = client.get(f"/v1/victims/{victim['id']}", headers={"X-Request-ID": "anon-1"})
    assert anonymous.status_code == 401
    assert audited(app, "anon-1") == []  # nobody to name, and anyone could flood the trail
    log = client.get(f"/v1/victims/{victim['id']}/access-log", headers=ngo.headers).json()
    entries = [(e["agency_id"], e["action"], e["outcome"]) for e in log["items"]]
    assert (str(outsider.agency_id), "access.denied", "not_found") in entries
    assert entries[0] == (str(ngo.agency_id), "victim.create", "success")


def test_access_log_is_the_registering_agencys_alone(
    client: TestClient, ngo: Partner, outsider: Partner, make_partner: PartnerFactory
) -> None:
    shelter = make_partner(["service_provider"], services=["shelter"])
    victim = adult_with_consent(client, ngo)
    refer(client, ngo, victim["id"], shelter, "shelter")
    client.get(f"/v1/victims/{victim['id']}", headers=shelter.headers)
    url = f"/v1/victims/{victim['id']}/access-log"
    assert client.get(url, headers=shelter.headers).status_code == 403
    assert client.get(url, headers=outsider.headers).status_code == 404
    log = client.get(url, headers=ngo.headers).json()["items"]
    shelter_reads = [e for e in log if e["agency_id"] == str(shelter.agency_id)]
    assert shelter_reads[0]["action"] == "victim.read"
    assert shelter_reads[0]["agency_name"].startswith("Test agency")
    assert "Testgiven" not in str(log)


def test_audit_read_needs_the_scope_and_carries_no_identity(
    client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    oversight = make_partner(["oversight"], kind="government")
    register_victim(client, ngo)
    assert client.get("/v1/audit-events", headers=ngo.headers).status_code == 403
    page = client.get("/v1/audit-events?limit=200&action=victim.create", headers=oversight.headers)
    assert page.status_code == 200
    assert "Testgiven" not in page.text
    assert client.get("/v1/audit-events/verify", headers=oversight.headers).json()["valid"] is True
    later = client.get(
        "/v1/audit-events", params={"after": "2999-01-01T00:00:00Z"}, headers=oversight.headers
    )
    assert later.json()["items"] == []


# -- tamper evidence, on a database of its own --------------------------------------------


@pytest.fixture
def tamper_app(settings: Settings, scratch_url: str, tmp_path: Path) -> FastAPI:
    upgrade(scratch_url)
    return create_app(Settings(**(settings.model_dump() | {"database_url": scratch_url,
                                                           "data_dir": tmp_path})))  # fmt: skip


def _seed_entries(app: FastAPI, count: int) -> list[AuditEvent]:
    from app.audit.trail import record
    from app.auth.principal import Caller

    caller = Caller(uuid.uuid4(), uuid.uuid4(), frozenset())
    for i in range(count):
        with app.state.uow.begin(None) as session:
            record(session, caller, f"victim.read.{i}", "victim", [uuid.uuid4()])
    with app.state.uow.begin(None, write=False) as session:
        return list(session.execute(select(AuditEvent).order_by(col(AuditEvent.seq))).scalars())


def _tamper(app: FastAPI, sql: str, **params: Any) -> None:
    with app.state.uow.begin(None) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_insert_only")
            )
        session.execute(text(sql), params)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_insert_only")
            )


def _verify(app: FastAPI) -> Any:
    with app.state.uow.begin(None, write=False) as session:
        return verify_chain(session)


def test_edit_is_detected_at_the_edited_entry(tamper_app: FastAPI) -> None:
    rows = _seed_entries(tamper_app, 6)
    assert _verify(tamper_app).valid
    _tamper(tamper_app, "UPDATE audit_events SET outcome = 'forged' WHERE seq = 3")
    result = _verify(tamper_app)
    assert (result.valid, result.first_bad_id) == (False, rows[2].id)


def test_deletion_is_detected_at_the_next_entry(tamper_app: FastAPI) -> None:
    rows = _seed_entries(tamper_app, 6)
    _tamper(tamper_app, "DELETE FROM audit_events WHERE seq = 4")
    result = _verify(tamper_app)
    assert (result.valid, result.first_bad_id) == (False, rows[4].id)


def test_reordering_is_detected(tamper_app: FastAPI) -> None:
    rows = _seed_entries(tamper_app, 6)
    _tamper(tamper_app, "UPDATE audit_events SET seq = 100 WHERE seq = 2")
    _tamper(tamper_app, "UPDATE audit_events SET seq = 2 WHERE seq = 3")
    _tamper(tamper_app, "UPDATE audit_events SET seq = 3 WHERE seq = 100")
    result = _verify(tamper_app)
    assert (result.valid, result.first_bad_id) == (False, rows[2].id)


def test_truncation_is_detected_with_a_checkpoint(tamper_app: FastAPI) -> None:
    _seed_entries(tamper_app, 6)
    key = tamper_app.state.signing_key
    with tamper_app.state.uow.begin(None, write=False) as session:
        checkpoint = make_checkpoint(session, key)
    assert checkpoint["seq"] == 6
    _tamper(tamper_app, "DELETE FROM audit_events WHERE seq > 3")
    result = _verify(tamper_app)
    assert result.valid  # a cut chain still verifies on its own ...
    with tamper_app.state.uow.begin(None, write=False) as session:
        check = check_checkpoint(session, key, checkpoint, result)
    assert check.valid is False  # ... but not against the checkpoint kept elsewhere
    assert "truncated" in str(check.reason)
    forged = {**checkpoint, "seq": 2}
    with tamper_app.state.uow.begin(None, write=False) as session:
        assert check_checkpoint(session, key, forged, result).valid is False


def test_postgresql_refuses_changes_to_the_trail(tamper_app: FastAPI) -> None:
    _seed_entries(tamper_app, 2)
    with tamper_app.state.uow.begin(None) as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("the insert-only trigger exists on PostgreSQL")
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_events SET outcome = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="insert-only"), tamper_app.state.uow.begin(None) as s:
            s.execute(text(statement))


def test_cli_verify_and_checkpoint(
    tamper_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import json

    from app.cli import main

    settings: Settings = tamper_app.state.settings
    for name in ("environment", "database_url", "jwt_private_key", "identity_keys", "hmac_key"):
        monkeypatch.setenv(f"REFERRALS_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("REFERRALS_DATA_DIR", str(tmp_path))
    _seed_entries(tamper_app, 5)
    assert main(["audit", "checkpoint"]) == 0
    checkpoint_file = tmp_path / "checkpoint.json"
    checkpoint_file.write_text(capsys.readouterr().out)
    assert main(["audit", "verify", "--checkpoint", str(checkpoint_file)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    _tamper(tamper_app, "DELETE FROM audit_events WHERE seq = 5")
    assert main(["audit", "verify", "--checkpoint", str(checkpoint_file)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["checkpoint_valid"] is False
    _tamper(tamper_app, "UPDATE audit_events SET action = 'x' WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert json.loads(capsys.readouterr().out)["first_bad_seq"] == 2
