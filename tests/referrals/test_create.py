"""POST /v1/referrals: who may refer what to whom, and the consent gate (G12)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.factories import register_victim
from tests.referrals.conftest import adult_with_consent, consent, move, refer


def test_identification_referral_to_the_competent_authority(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    r = refer(client, ngo, victim["id"], ca)
    assert r.status_code == 201, r.text
    ref = r.json()
    assert ref["status"] == "requested"
    assert ref["from_agency_id"] == str(ngo.agency_id)
    assert ref["victim_case_number"] == victim["case_number"]
    assert ref["reference"].startswith("R-")
    due = datetime.fromisoformat(ref["decision_due_at"])
    created = datetime.fromisoformat(ref["created_at"])
    assert due - created == timedelta(days=15)
    history = client.get(f"/v1/referrals/{ref['id']}/history", headers=ngo.headers).json()["items"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "requested")]


def test_identification_only_to_a_competent_authority(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    r = refer(client, ngo, victim["id"], shelter)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "to_agency_id"]


def test_service_referrals_need_the_service_and_capacity(
    client: TestClient, ngo: Partner, shelter: Partner, make_partner: PartnerFactory
) -> None:
    victim = adult_with_consent(client, ngo)
    assert refer(client, ngo, victim["id"], shelter, "shelter").status_code == 201
    assert refer(client, ngo, victim["id"], shelter, "legal_aid").status_code == 422
    full = make_partner(["service_provider"], services=["shelter"], accepting_referrals=False)
    r = refer(client, ngo, victim["id"], full, "shelter")
    assert r.status_code == 409
    assert r.json()["type"].endswith("recipient-not-accepting")


class TestConsentGate:
    def test_adult_without_consent(self, client: TestClient, ngo: Partner, ca: Partner) -> None:
        victim = register_victim(client, ngo, age_estimate=30)
        r = refer(client, ngo, victim["id"], ca)
        assert r.status_code == 409
        assert r.json()["type"].endswith("consent-required")
        assert r.json()["missing_consents"] == ["identification"]

    def test_sharing_identity_needs_data_sharing(
        self, client: TestClient, ngo: Partner, shelter: Partner
    ) -> None:
        victim = adult_with_consent(client, ngo, ["services"])
        r = refer(client, ngo, victim["id"], shelter, "shelter", share_identity=True)
        assert r.status_code == 409
        assert r.json()["missing_consents"] == ["data_sharing"]
        assert refer(client, ngo, victim["id"], shelter, "shelter").status_code == 201

    def test_withdrawn_consent_no_longer_counts(
        self, client: TestClient, ngo: Partner, ca: Partner
    ) -> None:
        victim = register_victim(client, ngo, age_estimate=30)
        consent_id = consent(client, ngo, victim["id"], ["identification"])
        client.post(
            f"/v1/victims/{victim['id']}/consents/{consent_id}/withdrawal", headers=ngo.headers
        )
        assert refer(client, ngo, victim["id"], ca).status_code == 409

    def test_a_child_needs_no_consent(
        self, client: TestClient, ngo: Partner, ca: Partner, shelter: Partner
    ) -> None:
        child = register_victim(client, ngo, age_estimate=15)
        assert refer(client, ngo, child["id"], ca).status_code == 201
        r = refer(client, ngo, child["id"], shelter, "shelter", share_identity=True)
        assert r.status_code == 201


def test_one_open_referral_per_victim_recipient_purpose(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    first = refer(client, ngo, victim["id"], shelter, "shelter").json()
    again = refer(client, ngo, victim["id"], shelter, "shelter")
    assert again.status_code == 409
    assert again.json()["type"].endswith("duplicate-open-referral")
    assert refer(client, ngo, victim["id"], shelter, "medical").status_code == 201
    assert move(client, ngo, first, "cancelled", "Placed elsewhere").status_code == 200
    assert refer(client, ngo, victim["id"], shelter, "shelter").status_code == 201


def test_the_sender_must_see_the_victim(
    client: TestClient, ngo: Partner, ca: Partner, outsider: Partner
) -> None:
    victim = adult_with_consent(client, outsider)
    r = refer(client, ngo, victim["id"], ca)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "victim_id"]


def test_no_referral_to_oneself(client: TestClient, make_partner: PartnerFactory) -> None:
    both = make_partner(["first_responder", "competent_authority"], kind="government")
    victim = adult_with_consent(client, both)
    assert refer(client, both, victim["id"], both).status_code == 422


def test_server_owned_fields_are_refused(client: TestClient, ngo: Partner, ca: Partner) -> None:
    victim = adult_with_consent(client, ngo)
    for field, value in [("status", "accepted"), ("from_agency_id", str(ca.agency_id))]:
        r = refer(client, ngo, victim["id"], ca, **{field: value})
        assert r.status_code == 422, field


def test_a_single_read_is_the_created_and_listed_referral_byte_for_byte(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    """GET /v1/referrals/{id} encodes plain rows itself (no response model pass): same
    fields, order and formats as the models FastAPI renders for create and list."""
    victim = adult_with_consent(client, ngo)
    created = refer(client, ngo, victim["id"], ca)
    one = client.get(f"/v1/referrals/{created.json()['id']}", headers=ngo.headers)
    assert one.status_code == 200
    assert one.headers["content-type"] == "application/json"
    assert one.headers["etag"] == created.headers["etag"]
    assert one.content == created.content
    listed = client.get("/v1/referrals", headers=ngo.headers).json()["items"]
    assert [list(r.items()) for r in listed] == [list(one.json().items())]
    assert one.json()["decision_due_at"] is not None
