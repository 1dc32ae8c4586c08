"""One agency's records of every kind, for the tests that look for them from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import create_operation
from tests.referrals.conftest import adult_with_consent, decide, move, refer


@dataclass
class Records:
    ids: dict[str, str]  # keyed by the path parameter that names each record
    case_number: str
    referral_reference: str


def records_of_every_kind(client: TestClient, owner: Partner, authority: Partner) -> Records:
    """An operation, a consenting victim, a referral to ``authority`` that decided, a webhook."""
    op = create_operation(client, owner)
    victim = adult_with_consent(client, owner, rescue_operation_id=op["id"])
    consents = client.get(f"/v1/victims/{victim['id']}", headers=owner.headers).json()["consents"]
    referral = refer(client, owner, victim["id"], authority).json()
    move(client, authority, referral, "accepted")
    decision = decide(client, authority, referral["id"], "final", "negative").json()
    hook = client.post(
        "/v1/webhooks",
        json={"url": "https://93.184.215.14/hook", "event_types": ["decision.issued"]},
        headers=owner.headers,
    )
    assert hook.status_code == 201, hook.text
    ids = {
        "operation_id": op["id"],
        "victim_id": victim["id"],
        "consent_id": consents[0]["id"],
        "referral_id": referral["id"],
        "decision_id": decision["id"],
        "webhook_id": hook.json()["id"],
    }
    return Records(ids, victim["case_number"], referral["reference"])
