"""Identification decisions, their effect on the referral and the victim, reconsideration."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.referrals.conftest import adult_with_consent, decide, move, refer


def _accepted_identification(
    client: TestClient, ngo: Partner, ca: Partner
) -> tuple[dict[str, Any], dict[str, Any]]:
    victim = adult_with_consent(client, ngo)
    referral = refer(client, ngo, victim["id"], ca).json()
    assert move(client, ca, referral, "accepted").status_code == 200
    return victim, referral


def _referral(client: TestClient, who: Partner, referral_id: str) -> dict[str, Any]:
    return dict(client.get(f"/v1/referrals/{referral_id}", headers=who.headers).json())


def _victim(client: TestClient, who: Partner, victim_id: str) -> dict[str, Any]:
    return dict(client.get(f"/v1/victims/{victim_id}", headers=who.headers).json())


def test_preliminary_positive_then_final_positive(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    victim, referral = _accepted_identification(client, ngo, ca)
    r = decide(client, ca, referral["id"], "preliminary", "positive", legal_basis=None)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["victim_case_number"] == victim["case_number"]
    assert d["victim_nationality"] == victim["nationality"]
    assert d["decided_by_agency_id"] == str(ca.agency_id)
    assert _referral(client, ca, referral["id"])["status"] == "in_progress"
    assert _victim(client, ngo, victim["id"])["identification_status"] == "presumed"

    final = decide(client, ca, referral["id"], "final", "positive")
    assert final.status_code == 201
    assert _referral(client, ca, referral["id"])["status"] == "completed"
    assert _victim(client, ngo, victim["id"])["identification_status"] == "identified"


def test_negative_preliminary_completes_the_referral(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    _, referral = _accepted_identification(client, ngo, ca)
    assert decide(client, ca, referral["id"], "preliminary", "negative").status_code == 201
    assert _referral(client, ca, referral["id"])["status"] == "completed"


def test_required_fields(client: TestClient, ngo: Partner, ca: Partner) -> None:
    _, referral = _accepted_identification(client, ngo, ca)
    r = decide(client, ca, referral["id"], legal_basis=None)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "legal_basis"]
    assert decide(client, ca, referral["id"], reasons="").status_code == 422
    assert decide(client, ca, referral["id"], reasons="   ").status_code == 422
    assert decide(client, ca, referral["id"], outcome="maybe").status_code == 422
    assert decide(client, ca, referral["id"], decided_at="2999-01-01T00:00:00Z").status_code == 422


def test_only_on_accepted_or_in_progress(client: TestClient, ngo: Partner, ca: Partner) -> None:
    victim = adult_with_consent(client, ngo)
    referral = refer(client, ngo, victim["id"], ca).json()
    r = decide(client, ca, referral["id"])
    assert r.status_code == 409
    assert r.json()["current_status"] == "requested"


def test_only_the_recipient_authority_decides(
    client: TestClient, ngo: Partner, ca: Partner, make_partner: PartnerFactory
) -> None:
    _, referral = _accepted_identification(client, ngo, ca)
    other_ca = make_partner(["competent_authority"], kind="government")
    assert decide(client, other_ca, referral["id"]).status_code == 404
    assert decide(client, ngo, referral["id"]).status_code == 403  # no decisions:write


def test_reconsideration_flow(client: TestClient, ngo: Partner, ca: Partner) -> None:
    victim, referral = _accepted_identification(client, ngo, ca)
    negative = decide(client, ca, referral["id"], "final", "negative").json()
    assert _victim(client, ngo, victim["id"])["identification_status"] == "not_identified"

    url = f"/v1/decisions/{negative['id']}/reconsideration-requests"
    assert client.post(url, json={"reasons": "x"}, headers=ca.headers).status_code == 403
    r = client.post(url, json={"reasons": "New evidence"}, headers=ngo.headers)
    assert r.status_code == 201, r.text
    assert r.json()["decision_id"] == negative["id"]
    assert _referral(client, ngo, referral["id"])["status"] == "in_progress"
    assert client.post(url, json={"reasons": "again"}, headers=ngo.headers).status_code == 409

    no_supersede = decide(client, ca, referral["id"], "final", "positive")
    assert no_supersede.status_code == 422
    positive = decide(client, ca, referral["id"], "final", "positive", supersedes_id=negative["id"])
    assert positive.status_code == 201
    assert positive.json()["supersedes_id"] == negative["id"]
    assert _victim(client, ngo, victim["id"])["identification_status"] == "identified"
    history = client.get(f"/v1/referrals/{referral['id']}/history", headers=ngo.headers).json()
    assert [h["to_status"] for h in history["items"]] == [
        "requested",
        "accepted",
        "completed",
        "in_progress",
        "completed",
    ]


def test_reconsideration_only_of_final_negative(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    _, referral = _accepted_identification(client, ngo, ca)
    positive = decide(client, ca, referral["id"], "final", "positive").json()
    r = client.post(
        f"/v1/decisions/{positive['id']}/reconsideration-requests",
        json={"reasons": "x"},
        headers=ngo.headers,
    )
    assert r.status_code == 409


class TestVisibility:
    def test_who_sees_a_decision(
        self,
        client: TestClient,
        ngo: Partner,
        ca: Partner,
        shelter: Partner,
        immigration: Partner,
        make_partner: PartnerFactory,
    ) -> None:
        # Registered by the NGO; referred for identification by the shelter it placed them in.
        victim = adult_with_consent(client, ngo)
        refer(client, ngo, victim["id"], shelter, "shelter", share_identity=True)
        referral = refer(client, shelter, victim["id"], ca).json()
        move(client, ca, referral, "accepted")
        decision = decide(client, ca, referral["id"]).json()
        url = f"/v1/decisions/{decision['id']}"
        for who in (ca, ngo, shelter, immigration):
            r = client.get(url, headers=who.headers)
            assert r.status_code == 200, who.roles
            assert "identity" not in r.json()
            assert "Testgiven" not in r.text
            listed = client.get("/v1/decisions?limit=200", headers=who.headers).json()["items"]
            assert decision["id"] in [d["id"] for d in listed]
        uninvolved = make_partner(
            ["first_responder", "competent_authority", "service_provider"], services=["shelter"]
        )
        assert client.get(url, headers=uninvolved.headers).status_code == 404
        listed = client.get("/v1/decisions?limit=200", headers=uninvolved.headers).json()["items"]
        assert decision["id"] not in [d["id"] for d in listed]
        # The decision recipient never reads the person's record itself.
        r = client.get(f"/v1/victims/{victim['id']}", headers=immigration.headers)
        assert r.status_code == 403

    def test_filters(self, client: TestClient, ngo: Partner, ca: Partner) -> None:
        _, referral = _accepted_identification(client, ngo, ca)
        decide(client, ca, referral["id"], "preliminary", "positive", legal_basis=None)
        decide(client, ca, referral["id"], "final", "positive")
        mine = client.get("/v1/decisions?stage=final&limit=200", headers=ngo.headers).json()
        assert {d["stage"] for d in mine["items"]} == {"final"}
        prelim = client.get("/v1/decisions?stage=preliminary&outcome=positive", headers=ngo.headers)
        assert len(prelim.json()["items"]) == 1
        later = client.get(
            "/v1/decisions?decided_after=2999-01-01T00:00:00Z", headers=ngo.headers
        ).json()
        assert later["items"] == []


def test_a_backdated_superseding_decision_still_decides(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    victim, referral = _accepted_identification(client, ngo, ca)
    negative = decide(client, ca, referral["id"], "final", "negative").json()
    client.post(
        f"/v1/decisions/{negative['id']}/reconsideration-requests",
        json={"reasons": "New facts"}, headers=ngo.headers,
    )  # fmt: skip
    positive = decide(
        client, ca, referral["id"], "final", "positive", supersedes_id=negative["id"],
        decided_at="2020-01-01T00:00:00Z",  # dated to the original interview
    )  # fmt: skip
    assert positive.status_code == 201
    assert _victim(client, ngo, victim["id"])["identification_status"] == "identified"


def test_registering_agency_that_did_not_refer_gets_403_on_reconsideration(
    client: TestClient, ngo: Partner, ca: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    refer(client, ngo, victim["id"], shelter, "shelter")
    referral = refer(client, shelter, victim["id"], ca).json()
    move(client, ca, referral, "accepted")
    negative = decide(client, ca, referral["id"], "final", "negative").json()
    url = f"/v1/decisions/{negative['id']}/reconsideration-requests"
    assert client.post(url, json={"reasons": "x"}, headers=ngo.headers).status_code == 403
    assert client.post(url, json={"reasons": "x"}, headers=shelter.headers).status_code == 201
