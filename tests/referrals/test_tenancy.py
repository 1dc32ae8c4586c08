"""G1 for referrals and decisions: an uninvolved agency gets the 404 of a missing record on
every route and changes nothing; a decision recipient sees decisions, never identity."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.routes import api_routes
from tests.conftest import Partner, PartnerFactory
from tests.referrals.conftest import adult_with_consent, decide, move, refer

PREFIXES = ("/v1/referrals/", "/v1/decisions/")
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/referrals/{referral_id}/transitions"): {"to": "cancelled", "reason": "x"},
    ("POST", "/v1/referrals/{referral_id}/decisions"): {
        "stage": "final", "outcome": "negative", "legal_basis": "x", "reasons": "x",
    },
    ("POST", "/v1/decisions/{decision_id}/reconsideration-requests"): {"reasons": "x"},
}  # fmt: skip


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (m, ctx.path_format or "")
        for ctx in api_routes(app)
        if (ctx.path_format or "").startswith(PREFIXES)
        for m in sorted(ctx.methods or ())
    ]


def test_uninvolved_agency_sees_and_changes_nothing(
    app: FastAPI,
    client: TestClient,
    ngo: Partner,
    ca: Partner,
    make_partner: PartnerFactory,
) -> None:
    uninvolved = make_partner(
        ["first_responder", "service_provider", "competent_authority", "oversight"],
        services=["shelter"],
    )
    victim = adult_with_consent(client, ngo)
    referral = refer(client, ngo, victim["id"], ca).json()
    move(client, ca, referral, "accepted")
    decision = decide(client, ca, referral["id"], "final", "negative").json()
    ids = {"referral_id": referral["id"], "decision_id": decision["id"]}
    before = (
        client.get(f"/v1/referrals/{referral['id']}", headers=ngo.headers).json(),
        client.get(f"/v1/referrals/{referral['id']}/history", headers=ngo.headers).json(),
    )
    routes = _routes(app)
    assert len(routes) >= 6
    for method, path in routes:
        results = []
        for values in (ids, {k: str(uuid.uuid4()) for k in ids}):
            r = client.request(
                method,
                path.format(**values),
                json=BODIES.get((method, path)),
                headers={**uninvolved.headers, "If-Match": '"3"'},
            )
            results.append(r)
        foreign, missing = results
        assert foreign.status_code == missing.status_code == 404, (method, path, foreign.text)
        assert {k: v for k, v in foreign.json().items() if k not in ("instance", "request_id")} == {
            k: v for k, v in missing.json().items() if k not in ("instance", "request_id")
        }
    after = (
        client.get(f"/v1/referrals/{referral['id']}", headers=ngo.headers).json(),
        client.get(f"/v1/referrals/{referral['id']}/history", headers=ngo.headers).json(),
    )
    assert after == before
    for query in ("/v1/referrals?limit=200", "/v1/decisions?limit=200", "/v1/victims?limit=200"):
        text = client.get(query, headers=uninvolved.headers).text
        for value in (*ids.values(), victim["id"]):
            assert value not in text, query


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
