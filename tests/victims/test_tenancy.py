"""G1 for operations and victims: another agency's record answers exactly like a missing
one (404, same body shape), on every route, and the attempt changes nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.routes import api_routes
from tests.conftest import Partner
from tests.factories import create_operation, operation_body, victim_body

PREFIXES = ("/v1/victims", "/v1/rescue-operations")

BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/v1/victims/{victim_id}"): {"age_estimate": 30},
    ("PATCH", "/v1/rescue-operations/{operation_id}"): {"name": "Hijacked"},
    ("POST", "/v1/rescue-operations/{operation_id}/victims"): {"victims": [victim_body(1)]},
    ("POST", "/v1/victims/{victim_id}/consents"): {
        "purposes": ["identification"], "method": "verbal", "given_at": "2026-11-21T08:00:00Z",
    },
    ("POST", "/v1/victims/{victim_id}/consents/{consent_id}/withdrawal"): {},
}  # fmt: skip


@pytest.fixture
def owned(client: TestClient, ngo: Partner) -> dict[str, str]:
    op = create_operation(client, ngo)
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(0)]},
        headers=ngo.headers,
    )
    victim = r.json()["items"][0]
    consent = client.post(
        f"/v1/victims/{victim['id']}/consents",
        json=BODIES[("POST", "/v1/victims/{victim_id}/consents")],
        headers=ngo.headers,
    ).json()
    return {"operation_id": op["id"], "victim_id": victim["id"], "consent_id": consent["id"]}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for ctx in api_routes(app):
        path = ctx.path_format or ""
        if path.startswith(PREFIXES) and re.search(r"\{", path):
            found += [(m, path) for m in sorted(ctx.methods or ())]
    return found


def _call(client: TestClient, who: Partner, method: str, path: str, ids: dict[str, str]) -> Any:
    url = path.format(**ids)
    headers = {**who.headers, "If-Match": '"1"', "Idempotency-Key": uuid.uuid4().hex}
    return client.request(method, url, json=BODIES.get((method, path)), headers=headers)


def _snapshot(client: TestClient, owner: Partner, ids: dict[str, str]) -> Any:
    victim = client.get(f"/v1/victims/{ids['victim_id']}", headers=owner.headers).json()
    op = client.get(f"/v1/rescue-operations/{ids['operation_id']}", headers=owner.headers).json()
    summary = client.get(
        f"/v1/rescue-operations/{ids['operation_id']}/summary", headers=owner.headers
    ).json()
    return victim, op, summary


def test_routes_are_covered(app: FastAPI) -> None:
    assert len(_routes(app)) >= 9


def test_foreign_agency_gets_the_404_of_a_missing_record_and_changes_nothing(
    app: FastAPI, client: TestClient, ngo: Partner, outsider: Partner, owned: dict[str, str]
) -> None:
    before = _snapshot(client, ngo, owned)
    random_ids = {k: str(uuid.uuid4()) for k in owned}
    for method, path in _routes(app):
        foreign = _call(client, outsider, method, path, owned)
        missing = _call(client, outsider, method, path, random_ids)
        assert foreign.status_code == 404, (method, path, foreign.text)
        assert missing.status_code == 404, (method, path)
        f_body, m_body = foreign.json(), missing.json()
        assert f_body["type"] == m_body["type"], (method, path)
        assert f_body["title"] == m_body["title"]
        assert f_body["detail"] == m_body["detail"]
        assert set(f_body) == set(m_body)
    assert _snapshot(client, ngo, owned) == before


def test_foreign_rows_never_appear_in_lists_or_filters(
    client: TestClient, ngo: Partner, outsider: Partner, owned: dict[str, str]
) -> None:
    create_operation(client, outsider)
    client.post("/v1/victims", json=victim_body(3), headers=outsider.headers)
    queries = [
        "/v1/victims?limit=200",
        f"/v1/victims?rescue_operation_id={owned['operation_id']}",
        "/v1/victims?nationality=PH",
        "/v1/victims?exploitation_type=forced_criminality",
        "/v1/victims?identification_status=presumed",
        "/v1/victims?updated_after=2000-01-01T00:00:00Z",
        "/v1/rescue-operations?limit=200",
    ]
    for query in queries:
        r = client.get(query, headers=outsider.headers)
        assert r.status_code == 200, query
        text = r.text
        for value in owned.values():
            assert value not in text, query


def test_operation_participant_does_not_see_victims_it_did_not_register(
    client: TestClient, ngo: Partner, make_partner: Any
) -> None:
    partner = make_partner(["first_responder"])
    op = create_operation(client, ngo, participating_agency_ids=[str(partner.agency_id)])
    victim = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(0)]},
        headers=ngo.headers,
    ).json()["items"][0]
    assert client.get(f"/v1/victims/{victim['id']}", headers=partner.headers).status_code == 404
    listed = client.get(f"/v1/victims?rescue_operation_id={op['id']}", headers=partner.headers)
    assert listed.json()["items"] == []


def test_operation_body_cannot_smuggle_a_lead(client: TestClient, ngo: Partner) -> None:
    body = operation_body(lead_agency_id=str(uuid.uuid4()))
    assert client.post("/v1/rescue-operations", json=body, headers=ngo.headers).status_code == 422
