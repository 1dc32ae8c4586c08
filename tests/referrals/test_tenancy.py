"""G1 for decisions: a decision recipient sees decisions, never identity. (The route-by-route
404 walk over the whole API is tests/hardening/test_matrices.py.)"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.referrals.conftest import adult_with_consent, decide, move, refer


def test_decision_recipient_sees_decisions_but_no_identity(
    client: TestClient, ngo: Partner, ca: Partner, make_partner: PartnerFactory
) -> None:
    immigration = make_partner(["decision_recipient"], kind="government")
    victim = adult_with_consent(client, ngo)
    referral = refer(client, ngo, victim["id"], ca, share_identity=True).json()
    move(client, ca, referral, "accepted")
    decision = decide(client, ca, referral["id"]).json()
    r = client.get(f"/v1/decisions/{decision['id']}", headers=immigration.headers)
    assert r.status_code == 200
    assert set(r.json()) == {
        "id", "referral_id", "victim_id", "victim_case_number", "victim_nationality", "stage",
        "outcome", "exploitation_types", "legal_basis", "reasons", "decided_by_agency_id",
        "decided_at", "supersedes_id", "created_at", "version",
    }  # fmt: skip
    assert "Testgiven" not in r.text
    assert (
        client.get(f"/v1/referrals/{referral['id']}", headers=immigration.headers).status_code
        == 403
    )
