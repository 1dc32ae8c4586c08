"""G1 for operations and victims: foreign rows stay out of lists and filters, and taking part
in an operation does not open its victims. (The route-by-route 404 walk over the whole API
is tests/hardening/test_matrices.py.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import create_operation, operation_body, victim_body


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
        json={
            "purposes": ["identification"],
            "method": "verbal",
            "given_at": "2026-11-21T08:00:00Z",
        },
        headers=ngo.headers,
    ).json()
    return {"operation_id": op["id"], "victim_id": victim["id"], "consent_id": consent["id"]}


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
