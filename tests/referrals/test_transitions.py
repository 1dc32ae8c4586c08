"""The status machine of API.md, cell by cell: every (from, to, side) combination."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.referrals.transitions import RULES
from tests.conftest import Partner
from tests.factories import if_match, register_victim
from tests.referrals.conftest import move, refer

STATUSES = [
    "requested",
    "received",
    "accepted",
    "rejected",
    "in_progress",
    "completed",
    "cancelled",
]

# How to bring a fresh referral into each status: (who, to, reason) steps.
PATHS: dict[str, list[tuple[str, str, str | None]]] = {
    "requested": [],
    "received": [("recipient", "received", None)],
    "accepted": [("recipient", "accepted", None)],
    "rejected": [("recipient", "rejected", "No capacity")],
    "in_progress": [("recipient", "accepted", None), ("recipient", "in_progress", None)],
    "completed": [("recipient", "accepted", None), ("recipient", "completed", None)],
    "cancelled": [("sender", "cancelled", "Withdrawn")],
}

# The table of API.md, restated independently of the code under test.
EXPECTED_ALLOWED = {
    ("received", "recipient"): {"requested"},
    ("accepted", "recipient"): {"requested", "received"},
    ("rejected", "recipient"): {"requested", "received"},
    ("in_progress", "recipient"): {"accepted"},
    ("completed", "recipient"): {"accepted", "in_progress"},
    ("cancelled", "sender"): {"requested", "received", "accepted", "in_progress"},
}
SETTER = {"received": "recipient", "accepted": "recipient", "rejected": "recipient",
          "in_progress": "recipient", "completed": "recipient", "cancelled": "sender"}  # fmt: skip


def test_code_table_matches_the_contract() -> None:
    assert {(to, r.by): set(r.sources) for to, r in RULES.items()} == EXPECTED_ALLOWED


def _referral_in(client: TestClient, ngo: Partner, shelter: Partner, status: str) -> dict[str, Any]:
    child = register_victim(client, ngo, age_estimate=12)  # no consent needed
    referral = refer(client, ngo, child["id"], shelter, "shelter").json()
    for who, to, reason in PATHS[status]:
        r = move(client, shelter if who == "recipient" else ngo, referral, to, reason)
        assert r.status_code == 200, (status, to, r.text)
    return referral


def test_every_cell(client: TestClient, ngo: Partner, shelter: Partner) -> None:
    mismatches = []
    for current in STATUSES:
        for to in STATUSES:
            for side, who in (("sender", ngo), ("recipient", shelter)):
                referral = _referral_in(client, ngo, shelter, current)
                r = move(client, who, referral, to, "A reason")
                if to not in SETTER:
                    expected = 409
                elif SETTER[to] != side:
                    expected = 403
                elif current not in EXPECTED_ALLOWED[(to, side)]:
                    expected = 409
                else:
                    expected = 200
                if r.status_code != expected:
                    mismatches.append((current, to, side, expected, r.status_code))
                if expected == 409:
                    body = r.json()
                    assert body["current_status"] == current
                    allowed = sorted(
                        t for (t, s), sources in EXPECTED_ALLOWED.items()
                        if s == side and current in sources
                    )  # fmt: skip
                    assert body["allowed_transitions"] == allowed, (current, to, side)
                if expected == 200:
                    assert r.json()["status"] == to
                    assert r.json()["status_reason"] == "A reason"
    assert mismatches == []


@pytest.mark.parametrize(("to", "who"), [("rejected", "recipient"), ("cancelled", "sender")])
def test_reason_required(
    client: TestClient, ngo: Partner, shelter: Partner, to: str, who: str
) -> None:
    referral = _referral_in(client, ngo, shelter, "requested")
    r = move(client, shelter if who == "recipient" else ngo, referral, to)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "reason"]


def test_if_match_on_every_transition(client: TestClient, ngo: Partner, shelter: Partner) -> None:
    referral = _referral_in(client, ngo, shelter, "requested")
    url = f"/v1/referrals/{referral['id']}/transitions"
    assert client.post(url, json={"to": "received"}, headers=shelter.headers).status_code == 428
    assert (
        client.post(url, json={"to": "received"}, headers=if_match(shelter, 9)).status_code == 412
    )
    assert (
        client.post(url, json={"to": "received"}, headers=if_match(shelter, 1)).status_code == 200
    )
    assert (
        client.post(url, json={"to": "accepted"}, headers=if_match(shelter, 1)).status_code == 412
    )


def test_full_history(client: TestClient, ngo: Partner, shelter: Partner) -> None:
    referral = _referral_in(client, ngo, shelter, "completed")
    history = client.get(f"/v1/referrals/{referral['id']}/history", headers=ngo.headers).json()
    steps = [
        (h["from_status"], h["to_status"], h["changed_by_agency_id"]) for h in history["items"]
    ]
    assert steps == [
        (None, "requested", str(ngo.agency_id)),
        ("requested", "accepted", str(shelter.agency_id)),
        ("accepted", "completed", str(shelter.agency_id)),
    ]


def test_identification_is_completed_by_a_decision_only(
    client: TestClient, ngo: Partner, ca: Partner
) -> None:
    child = register_victim(client, ngo, age_estimate=12)
    referral = refer(client, ngo, child["id"], ca).json()
    assert move(client, ca, referral, "accepted").status_code == 200
    r = move(client, ca, referral, "completed")
    assert r.status_code == 409
    assert "decision" in r.json()["detail"]
