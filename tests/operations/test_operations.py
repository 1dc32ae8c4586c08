"""Rescue operations: create, list, get, patch, summary; visible to lead and participants."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, if_match, operation_body, victim_body


class TestCreate:
    def test_caller_leads_the_operation(self, client: TestClient, ngo: Partner) -> None:
        r = client.post("/v1/rescue-operations", json=operation_body(), headers=ngo.headers)
        assert r.status_code == 201
        op = r.json()
        assert op["lead_agency_id"] == str(ngo.agency_id)
        assert op["reference"].startswith("OP-")
        assert op["location"] == {"place": "Mae Sot", "region": "Tak", "country": "TH"}
        assert r.headers["etag"] == '"1"'
        assert r.headers["location"] == f"/v1/rescue-operations/{op['id']}"

    def test_lead_agency_cannot_be_set(self, client: TestClient, ngo: Partner) -> None:
        body = operation_body(lead_agency_id=str(uuid.uuid4()))
        assert (
            client.post("/v1/rescue-operations", json=body, headers=ngo.headers).status_code == 422
        )

    def test_unknown_participant_is_422(self, client: TestClient, ngo: Partner) -> None:
        body = operation_body(participating_agency_ids=[str(uuid.uuid4())])
        r = client.post("/v1/rescue-operations", json=body, headers=ngo.headers)
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "participating_agency_ids", "0"]

    def test_reference_is_unique(self, client: TestClient, ngo: Partner) -> None:
        ref = f"MST-{uuid.uuid4().hex[:6]}"
        create_operation(client, ngo, reference=ref)
        r = client.post(
            "/v1/rescue-operations", json=operation_body(reference=ref), headers=ngo.headers
        )
        assert r.status_code == 409

    def test_dates_in_order(self, client: TestClient, ngo: Partner) -> None:
        body = operation_body(started_on="2026-11-20", ended_on="2026-11-19")
        assert (
            client.post("/v1/rescue-operations", json=body, headers=ngo.headers).status_code == 422
        )


class TestVisibility:
    def test_lead_and_participants_see_it_others_do_not(
        self, client: TestClient, ngo: Partner, make_partner: PartnerFactory, outsider: Partner
    ) -> None:
        partner = make_partner(["first_responder"])
        op = create_operation(client, ngo, participating_agency_ids=[str(partner.agency_id)])
        for who in (ngo, partner):
            assert (
                client.get(f"/v1/rescue-operations/{op['id']}", headers=who.headers).status_code
                == 200
            )
            listed = client.get("/v1/rescue-operations", headers=who.headers).json()["items"]
            assert op["id"] in [o["id"] for o in listed]
        assert (
            client.get(f"/v1/rescue-operations/{op['id']}", headers=outsider.headers).status_code
            == 404
        )
        listed = client.get("/v1/rescue-operations?limit=200", headers=outsider.headers).json()
        assert op["id"] not in [o["id"] for o in listed["items"]]


class TestUpdate:
    def test_if_match_rules(self, client: TestClient, ngo: Partner) -> None:
        op = create_operation(client, ngo)
        url = f"/v1/rescue-operations/{op['id']}"
        assert client.patch(url, json={"name": "x"}, headers=ngo.headers).status_code == 428
        assert client.patch(url, json={"name": "x"}, headers=if_match(ngo, 5)).status_code == 412
        r = client.patch(
            url, json={"name": "Renamed", "ended_on": "2026-11-22"}, headers=if_match(ngo, 1)
        )
        assert r.status_code == 200
        assert r.json()["name"] == "Renamed"
        assert r.json()["ended_on"] == "2026-11-22"
        assert r.json()["version"] == 2

    def test_participant_cannot_change_it(
        self, client: TestClient, ngo: Partner, make_partner: PartnerFactory
    ) -> None:
        partner = make_partner(["first_responder"])
        op = create_operation(client, ngo, participating_agency_ids=[str(partner.agency_id)])
        r = client.patch(
            f"/v1/rescue-operations/{op['id']}", json={"name": "x"}, headers=if_match(partner, 1)
        )
        assert r.status_code == 403

    def test_participants_can_be_replaced(
        self, client: TestClient, ngo: Partner, make_partner: PartnerFactory
    ) -> None:
        a, b = make_partner(["first_responder"]), make_partner(["first_responder"])
        op = create_operation(client, ngo, participating_agency_ids=[str(a.agency_id)])
        r = client.patch(
            f"/v1/rescue-operations/{op['id']}",
            json={"participating_agency_ids": [str(b.agency_id)]},
            headers=if_match(ngo, 1),
        )
        assert r.json()["participating_agency_ids"] == [str(b.agency_id)]
        assert client.get(f"/v1/rescue-operations/{op['id']}", headers=a.headers).status_code == 404
        assert client.get(f"/v1/rescue-operations/{op['id']}", headers=b.headers).status_code == 200


def test_summary_counts_the_intake(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i, nationality=n) for i, n in enumerate(["PH", "PH", "LA", None])]
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 201
    summary = client.get(f"/v1/rescue-operations/{op['id']}/summary", headers=ngo.headers).json()
    assert summary["victims_registered"] == 4
    assert summary["identification"] == {"identified": 0, "not_identified": 0, "pending": 4}
    assert summary["nationalities"] == {"PH": 2, "LA": 1, "unknown": 1}
