"""G1 and G2 over the whole API, generated from the app's routes: a route added tomorrow is
checked without anyone remembering to list it (an unclassified one fails the walk).

- G1: an agency holding every partner role and scope gets, for another agency's record on
  any route, the very 404 of a random id, and nothing changes; no list shows the record.
- G2: for each role, a client with every scope the role may hold gets 403
  ``insufficient_scope`` exactly on the routes whose scopes API.md's table does not give it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.scopes import ROLE_SCOPES, UNIVERSAL_SCOPES
from tests.conftest import Partner, PartnerFactory
from tests.factories import victim_body
from tests.hardening.records import records_of_every_kind
from tests.routes import v1_routes

# API.md, "Agencies, roles and scopes", copied here so that a drift in the code's table is
# caught rather than silently trusted.
API_MD_ROLE_SCOPES = {
    "first_responder": {
        "operations:read", "operations:write", "victims:read", "victims:write",
        "victims:identity", "referrals:read", "referrals:write", "decisions:read",
        "events:read", "webhooks:manage",
    },
    "service_provider": {
        "victims:read", "victims:identity", "referrals:read", "referrals:write",
        "decisions:read", "events:read", "webhooks:manage",
    },
    "competent_authority": {
        "victims:read", "victims:identity", "referrals:read", "referrals:write",
        "decisions:read", "decisions:write", "events:read", "webhooks:manage",
    },
    "decision_recipient": {"decisions:read", "events:read", "webhooks:manage"},
    "oversight": {"statistics:read", "audit:read"},
    "platform_admin": {"admin"},
}  # fmt: skip
API_MD_UNIVERSAL = {"agencies:read", "statistics:read"}

# Path parameters naming records that belong to an agency (need to know applies).
TENANT_PARAMS = {
    "operation_id", "victim_id", "consent_id", "referral_id", "decision_id", "webhook_id",
}  # fmt: skip
# Routes whose ids are not tenant records, and why.
NOT_TENANT_SCOPED = {
    ("GET", "/v1/agencies/{agency_id}"): "the agency directory is shared by design (API.md)",
    ("PATCH", "/v1/agencies/{agency_id}"): "platform administration (admin scope)",
    ("POST", "/v1/agencies/{agency_id}/clients"): "platform administration (admin scope)",
    ("GET", "/v1/agencies/{agency_id}/clients"): "platform administration (admin scope)",
    ("DELETE", "/v1/clients/{client_id}"): "platform administration (admin scope)",
}
# Lists an oversight body reads nationally by design (API.md, Statistics and audit).
NATIONAL_LISTS = {"/v1/audit-events"}

BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/v1/victims/{victim_id}"): {"age_estimate": 30},
    ("PATCH", "/v1/rescue-operations/{operation_id}"): {"name": "Hijacked"},
    ("POST", "/v1/rescue-operations/{operation_id}/victims"): {"victims": [victim_body(1)]},
    ("POST", "/v1/victims/{victim_id}/consents"): {
        "purposes": ["identification"], "method": "verbal", "given_at": "2026-11-21T08:00:00Z",
    },
    ("POST", "/v1/victims/{victim_id}/consents/{consent_id}/withdrawal"): {},
    ("POST", "/v1/referrals/{referral_id}/transitions"): {"to": "cancelled", "reason": "x"},
    ("POST", "/v1/referrals/{referral_id}/decisions"): {
        "stage": "final", "outcome": "negative", "legal_basis": "x", "reasons": "x",
    },
    ("POST", "/v1/decisions/{decision_id}/reconsideration-requests"): {"reasons": "x"},
}  # fmt: skip


def _params(path: str) -> set[str]:
    return set(re.findall(r"\{([^}]+)\}", path))


@pytest.fixture
def world(
    client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> tuple[dict[str, str], list[Partner]]:
    """One agency's records of every kind, with a referral to an authority that decided."""
    ca = make_partner(["competent_authority"], kind="government")
    return records_of_every_kind(client, ngo, ca).ids, [ngo, ca]


@pytest.fixture
def foreign(make_partner: PartnerFactory) -> Partner:
    """Another agency holding every scope there is but ``admin``. Its roles exclude
    ``decision_recipient``, whose agencies see every decision by design (API.md); that
    rule has its own test (tests/referrals/test_tenancy.py)."""
    return make_partner(
        ["first_responder", "service_provider", "competent_authority", "oversight"],
        services=["shelter", "medical"],
        kind="government",
    )


def _snapshot(client: TestClient, ids: dict[str, str], ngo: Partner, ca: Partner) -> Any:
    reads = [
        (ngo, f"/v1/victims/{ids['victim_id']}"),
        (ngo, f"/v1/rescue-operations/{ids['operation_id']}"),
        (ngo, f"/v1/rescue-operations/{ids['operation_id']}/summary"),
        (ngo, f"/v1/referrals/{ids['referral_id']}"),
        (ngo, f"/v1/referrals/{ids['referral_id']}/history"),
        (ca, f"/v1/decisions/{ids['decision_id']}"),
        (ngo, "/v1/webhooks"),
        (ngo, f"/v1/webhooks/{ids['webhook_id']}/deliveries"),
    ]
    return [client.get(path, headers=who.headers).json() for who, path in reads]


def _comparable(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k not in ("instance", "request_id")}


def test_every_path_parameter_is_classified(app: FastAPI) -> None:
    unclassified = [
        (m, p)
        for m, p, _ in v1_routes(app)
        if _params(p) and not _params(p) <= TENANT_PARAMS and (m, p) not in NOT_TENANT_SCOPED
    ]
    assert unclassified == [], "classify these routes in TENANT_PARAMS or NOT_TENANT_SCOPED"


def test_foreign_records_answer_like_missing_ones_on_every_route(
    app: FastAPI,
    client: TestClient,
    foreign: Partner,
    world: tuple[dict[str, str], list[Partner]],
) -> None:
    ids, (ngo, ca) = world
    before = _snapshot(client, ids, ngo, ca)
    walked = 0
    for method, path, _ in v1_routes(app):
        if not _params(path) or (method, path) in NOT_TENANT_SCOPED:
            continue
        if method in ("POST", "PATCH"):
            assert (method, path) in BODIES, f"give {method} {path} a valid body in BODIES"
        answers = []
        for values in (ids, {k: str(uuid.uuid4()) for k in ids}):
            headers = {**foreign.headers, "If-Match": '"1"', "Idempotency-Key": uuid.uuid4().hex}
            answers.append(
                client.request(
                    method, path.format(**values), json=BODIES.get((method, path)), headers=headers
                )
            )
        theirs, nobodys = answers
        assert theirs.status_code == nobodys.status_code == 404, (method, path, theirs.text)
        assert _comparable(theirs.json()) == _comparable(nobodys.json()), (method, path)
        assert theirs.headers.get("etag") is None
        walked += 1
    assert walked >= 18
    assert _snapshot(client, ids, ngo, ca) == before


def test_no_list_shows_a_foreign_record(
    app: FastAPI,
    client: TestClient,
    foreign: Partner,
    world: tuple[dict[str, str], list[Partner]],
) -> None:
    ids, _ = world
    lists = [
        p for m, p, _ in v1_routes(app) if m == "GET" and not _params(p) and p not in NATIONAL_LISTS
    ]
    assert len(lists) >= 8
    for path in lists:
        r = client.get(path, params={"limit": 200}, headers=foreign.headers)
        if r.status_code == 422:  # a list with required filters (statistics)
            r = client.get(path, params={"group_by": "nationality"}, headers=foreign.headers)
        assert r.status_code == 200, (path, r.text)
        for name, value in ids.items():
            assert value not in r.text, (path, name)


def test_the_code_grants_the_scopes_api_md_lists() -> None:
    assert {role.value: {s.value for s in scopes} for role, scopes in ROLE_SCOPES.items()} == (
        API_MD_ROLE_SCOPES
    )
    assert {s.value for s in UNIVERSAL_SCOPES} == API_MD_UNIVERSAL


@pytest.mark.parametrize("role", sorted(API_MD_ROLE_SCOPES))
def test_each_role_is_refused_exactly_where_api_md_denies_it(
    app: FastAPI, client: TestClient, make_partner: PartnerFactory, role: str
) -> None:
    partner = make_partner([role], kind="government")
    held = API_MD_ROLE_SCOPES[role] | API_MD_UNIVERSAL
    assert set(partner.scopes) == held
    for method, path, needed in v1_routes(app):
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        r = client.request(method, url, headers=partner.headers, json={})
        refused = r.status_code == 403 and r.json()["type"].endswith(":insufficient-scope")
        assert refused == (not needed <= held), (role, method, path, r.status_code)
