"""POST /v1/oauth/token: RFC 6749 §4.4 client credentials, §5.2 errors."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory

TOKEN = "/v1/oauth/token"
GRANT = {"grant_type": "client_credentials"}


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _header(token: str) -> dict[str, object]:
    head = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))))


class TestIssueToken:
    def test_basic_auth_issues_bearer_token_without_refresh_token(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["first_responder"])
        r = client.post(TOKEN, data=GRANT, auth=(p.client_id, p.client_secret))
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
        assert body["token_type"] == "Bearer"
        assert "refresh_token" not in body
        assert 0 < body["expires_in"] <= 900
        assert set(body["scope"].split()) == set(p.scopes)
        assert r.headers["cache-control"] == "no-store"
        claims = _claims(body["access_token"])
        assert claims["client_id"] == p.client_id == claims["sub"]
        assert claims["agency_id"] == str(p.agency_id)
        assert int(claims["exp"]) - int(claims["iat"]) <= 900  # type: ignore[call-overload]
        header = _header(body["access_token"])
        assert header["typ"] == "at+jwt"
        assert header["alg"] == "RS256"

    def test_form_credentials_work_too(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["decision_recipient"])
        r = client.post(
            TOKEN, data={**GRANT, "client_id": p.client_id, "client_secret": p.client_secret}
        )
        assert r.status_code == 200
        assert set(r.json()["scope"].split()) == set(p.scopes)

    def test_token_kid_is_published_in_jwks(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["oversight"])
        kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
        assert _header(p.token)["kid"] in kids
        jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
        assert jwk["kty"] == "RSA"
        assert "d" not in jwk  # never the private part

    def test_subset_scope_is_granted(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["first_responder"])
        r = client.post(
            TOKEN, data={**GRANT, "scope": "victims:read"}, auth=(p.client_id, p.client_secret)
        )
        assert r.status_code == 200
        assert r.json()["scope"] == "victims:read"

    def test_wrong_secret_is_invalid_client(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["first_responder"])
        r = client.post(TOKEN, data=GRANT, auth=(p.client_id, "wrong-" + p.client_secret))
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert "Basic" in r.headers["www-authenticate"]

    def test_unknown_client_looks_like_wrong_secret(self, client: TestClient) -> None:
        r = client.post(
            TOKEN, data=GRANT, auth=("8b0d3c1e-0000-4000-8000-000000000000", "whatever")
        )
        assert r.status_code == 401
        assert r.json() == {
            "error": "invalid_client",
            "error_description": "Client authentication failed.",
        }

    def test_scope_outside_client_is_invalid_scope(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["decision_recipient"])
        r = client.post(
            TOKEN,
            data={**GRANT, "scope": "decisions:read victims:read"},
            auth=(p.client_id, p.client_secret),
        )
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_scope"

    def test_wrong_grant_type_is_unsupported(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["oversight"])
        r = client.post(TOKEN, data={"grant_type": "password"}, auth=(p.client_id, p.client_secret))
        assert r.status_code == 400
        assert r.json()["error"] == "unsupported_grant_type"

    def test_missing_grant_type_is_invalid_request(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["oversight"])
        r = client.post(TOKEN, data={"scope": "audit:read"}, auth=(p.client_id, p.client_secret))
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_request"

    def test_json_body_is_invalid_request(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["oversight"])
        r = client.post(TOKEN, json=GRANT, auth=(p.client_id, p.client_secret))
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_request"

    def test_repeated_parameter_is_invalid_request(
        self, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        p = make_partner(["oversight"])
        r = client.post(
            TOKEN,
            content=b"grant_type=client_credentials&grant_type=client_credentials",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=(p.client_id, p.client_secret),
        )
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_request"

    def test_revoked_client_gets_no_token(
        self, client: TestClient, make_partner: PartnerFactory, admin: Partner
    ) -> None:
        p = make_partner(["first_responder"])
        assert client.delete(f"/v1/clients/{p.client_id}", headers=admin.headers).status_code == 204
        r = client.post(TOKEN, data=GRANT, auth=(p.client_id, p.client_secret))
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"


class TestRepeatedFailures:
    """API.md: repeated failures for one client id → 429 (state in the database)."""

    def test_repeated_failures_for_one_client_id_get_429(
        self, app: object, client: TestClient, make_partner: PartnerFactory
    ) -> None:
        limit = app.state.settings.token_failure_limit  # type: ignore[attr-defined]
        victim_client = make_partner(["first_responder"])
        bystander = make_partner(["first_responder"])
        for _ in range(limit):
            r = client.post(TOKEN, data=GRANT, auth=(victim_client.client_id, "wrong"))
            assert r.status_code == 401
        blocked = client.post(
            TOKEN, data=GRANT, auth=(victim_client.client_id, victim_client.client_secret)
        )
        assert blocked.status_code == 429  # even the right secret waits out the window
        assert int(blocked.headers["retry-after"]) >= 1
        assert blocked.json()["error"] == "invalid_request"
        ok = client.post(TOKEN, data=GRANT, auth=(bystander.client_id, bystander.client_secret))
        assert ok.status_code == 200  # another client is not affected

    def test_unknown_client_ids_are_limited_too(self, app: object, client: TestClient) -> None:
        limit = app.state.settings.token_failure_limit  # type: ignore[attr-defined]
        made_up = "0b7c4f0e-1111-4222-8333-944455556666"
        codes = [
            client.post(TOKEN, data=GRANT, auth=(made_up, "guess")).status_code
            for _ in range(limit + 1)
        ]
        assert codes == [401] * limit + [429]
