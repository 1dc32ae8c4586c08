"""Access follows referrals; identity follows share_identity and consent (G1, G12)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import register_victim
from tests.referrals.conftest import adult_with_consent, consent, move, refer


def _sees(client: TestClient, who: Partner, victim_id: str) -> dict[str, object] | None:
    r = client.get(f"/v1/victims/{victim_id}", headers=who.headers)
    assert r.status_code in (200, 404)
    return r.json() if r.status_code == 200 else None


def test_recipient_sees_the_victim_while_the_referral_lives(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    assert _sees(client, shelter, victim["id"]) is None
    referral = refer(client, ngo, victim["id"], shelter, "shelter").json()
    for step in ("received", "accepted", "in_progress", "completed"):
        assert _sees(client, shelter, victim["id"]) is not None, step
        listed = client.get("/v1/victims?limit=200", headers=shelter.headers).json()["items"]
        assert victim["id"] in [v["id"] for v in listed]
        move(client, shelter, referral, step)
    assert _sees(client, shelter, victim["id"]) is not None  # completed: its own record


def test_rejection_and_cancellation_end_access(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    rejected = refer(client, ngo, victim["id"], shelter, "shelter").json()
    move(client, shelter, rejected, "rejected", "No bed")
    assert _sees(client, shelter, victim["id"]) is None
    cancelled = refer(client, ngo, victim["id"], shelter, "medical").json()
    assert _sees(client, shelter, victim["id"]) is not None
    move(client, ngo, cancelled, "cancelled", "Not needed")
    assert _sees(client, shelter, victim["id"]) is None


def test_identity_only_when_shared_and_consented(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    refer(client, ngo, victim["id"], shelter, "shelter")
    seen = _sees(client, shelter, victim["id"])
    assert seen is not None
    assert seen["identity_redacted"] is True
    assert "identity" not in seen
    refer(client, ngo, victim["id"], shelter, "medical", share_identity=True)
    seen = _sees(client, shelter, victim["id"])
    assert seen is not None
    assert seen["identity_redacted"] is False
    assert seen["identity"]["given_name"] == "Testgiven0"  # type: ignore[index]


def test_consent_withdrawal_stops_identity_sharing_at_once(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = register_victim(client, ngo, age_estimate=30)
    consent(client, ngo, victim["id"], ["services"])
    sharing = consent(client, ngo, victim["id"], ["data_sharing"])
    refer(client, ngo, victim["id"], shelter, "shelter", share_identity=True)
    assert _sees(client, shelter, victim["id"])["identity_redacted"] is False  # type: ignore[index]
    client.post(f"/v1/victims/{victim['id']}/consents/{sharing}/withdrawal", headers=ngo.headers)
    after = _sees(client, shelter, victim["id"])
    assert after is not None
    assert after["identity_redacted"] is True
    assert "Testgiven" not in str(after)


def test_a_childs_identity_is_shared_without_consent(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    child = register_victim(client, ngo, age_estimate=14)
    refer(client, ngo, child["id"], shelter, "shelter", share_identity=True)
    assert _sees(client, shelter, child["id"])["identity_redacted"] is False  # type: ignore[index]


def test_recipient_without_identity_scope_sees_no_identity(
    client: TestClient, ngo: Partner, make_partner: object
) -> None:
    weak = make_partner(  # type: ignore[operator]
        ["service_provider"], services=["shelter"], scopes=["victims:read", "referrals:read"]
    )
    victim = adult_with_consent(client, ngo)
    refer(client, ngo, victim["id"], weak, "shelter", share_identity=True)
    assert _sees(client, weak, victim["id"])["identity_redacted"] is True  # type: ignore[index]


def test_recipient_cannot_change_or_erase_the_record(
    client: TestClient, ngo: Partner, shelter: Partner
) -> None:
    victim = adult_with_consent(client, ngo)
    refer(client, ngo, victim["id"], shelter, "shelter")
    assert client.delete(f"/v1/victims/{victim['id']}", headers=shelter.headers).status_code == 403
