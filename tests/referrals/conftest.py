"""Partners of the NRM workflow and helpers to walk a referral through it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.factories import if_match, register_victim

ALL_CONSENTS = ["identification", "services", "data_sharing"]


@pytest.fixture
def ca(make_partner: PartnerFactory) -> Partner:
    return make_partner(["competent_authority"], kind="government")


@pytest.fixture
def shelter(make_partner: PartnerFactory) -> Partner:
    return make_partner(["service_provider"], services=["shelter", "medical"])


@pytest.fixture
def immigration(make_partner: PartnerFactory) -> Partner:
    return make_partner(["decision_recipient"], kind="government")


def consent(client: TestClient, owner: Partner, victim_id: str, purposes: list[str]) -> str:
    r = client.post(
        f"/v1/victims/{victim_id}/consents",
        json={"purposes": purposes, "method": "written", "given_at": "2026-11-21T08:00:00Z"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def adult_with_consent(
    client: TestClient, owner: Partner, purposes: list[str] | None = None, **overrides: Any
) -> dict[str, Any]:
    victim = register_victim(client, owner, age_estimate=30, **overrides)
    consent(client, owner, victim["id"], purposes or ALL_CONSENTS)
    return victim


def refer(
    client: TestClient,
    sender: Partner,
    victim_id: str,
    to: Partner,
    purpose: str = "identification",
    **extra: Any,
) -> Any:
    return client.post(
        "/v1/referrals",
        json={"victim_id": victim_id, "to_agency_id": str(to.agency_id), "purpose": purpose,
              "urgency": "urgent", **extra},
        headers=sender.headers,
    )  # fmt: skip


def move(
    client: TestClient, who: Partner, referral: dict[str, Any], to: str, reason: str | None = None
) -> Any:
    body: dict[str, Any] = {"to": to}
    if reason:
        body["reason"] = reason
    current = client.get(f"/v1/referrals/{referral['id']}", headers=who.headers).json()
    return client.post(
        f"/v1/referrals/{referral['id']}/transitions",
        json=body,
        headers=if_match(who, current["version"]),
    )


def decide(
    client: TestClient,
    ca: Partner,
    referral_id: str,
    stage: str = "final",
    outcome: str = "positive",
    **extra: Any,
) -> Any:
    body = {
        "stage": stage,
        "outcome": outcome,
        "exploitation_types": ["forced_criminality"],
        "legal_basis": "Synthetic Act s.6",
        "reasons": "Indicators present.",
        **extra,
    }
    url = f"/v1/referrals/{referral_id}/decisions"
    return client.post(url, json=body, headers=ca.headers)
