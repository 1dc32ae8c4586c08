"""Every error is RFC 9457 problem+json: 401, 403, 404, 405, 413, 415, 422, 500."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import Partner, PartnerFactory

FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}


def assert_problem(r: object, status: int) -> dict[str, object]:
    resp = r  # httpx.Response
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    assert resp.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = resp.json()  # type: ignore[attr-defined]
    assert set(body) >= FIELDS
    assert body["status"] == status
    assert str(body["type"]).startswith("urn:referral-api:problem:")
    return body


def test_401(client: TestClient) -> None:
    assert_problem(client.get("/v1/agencies"), 401)


def test_403(client: TestClient, make_partner: PartnerFactory) -> None:
    p = make_partner(["oversight"])
    assert_problem(client.post("/v1/agencies", json={}, headers=p.headers), 403)


def test_404_unknown_route(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/route"), 404)
    assert body["instance"] == "/no/such/route"


def test_404_unknown_record(client: TestClient, make_partner: PartnerFactory) -> None:
    p = make_partner(["first_responder"])
    assert_problem(client.get(f"/v1/agencies/{uuid.uuid4()}", headers=p.headers), 404)


def test_405_names_allowed_methods(client: TestClient) -> None:
    r = client.put("/healthz")
    assert_problem(r, 405)
    assert r.headers["allow"] == "GET"
    # One route per method behind the scenes; the Allow header still names them all.
    r = client.options(f"/v1/victims/{uuid.uuid4()}")
    assert_problem(r, 405)
    assert r.headers["allow"] == "DELETE, GET, PATCH"


class TestBodyLimit:
    def test_413_with_content_length(self, client: TestClient, admin: Partner) -> None:
        body = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
        r = client.post(
            "/v1/agencies",
            content=body,
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        assert_problem(r, 413)

    def test_413_chunked_without_content_length(self, client: TestClient, admin: Partner) -> None:
        def chunks():  # type: ignore[no-untyped-def]
            yield b'{"name": "'
            for _ in range(40):
                yield b"x" * 32 * 1024
            yield b'"}'

        r = client.post(
            "/v1/agencies",
            content=chunks(),
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        assert "content-length" not in r.request.headers
        assert_problem(r, 413)

    def test_body_under_limit_reaches_validation(self, client: TestClient, admin: Partner) -> None:
        r = client.post("/v1/agencies", json={"name": "x" * 1000}, headers=admin.headers)
        assert_problem(r, 422)


class TestValidation:
    def test_unknown_field_is_rejected(self, client: TestClient, admin: Partner) -> None:
        r = client.post(
            "/v1/agencies",
            json={
                "slug": "x-ngo",
                "name": "X",
                "kind": "ngo",
                "country": "TH",
                "roles": ["first_responder"],
                "id": str(uuid.uuid4()),
            },
            headers=admin.headers,
        )
        body = assert_problem(r, 422)
        errors = body["errors"]
        assert isinstance(errors, list)
        assert any(e["loc"] == ["body", "id"] and e["type"] == "extra_forbidden" for e in errors)

    @pytest.mark.parametrize("bad", ["a\u0000b", "\ud800", "x\udfffy"])
    def test_nul_and_lone_surrogates_are_422(
        self, client: TestClient, admin: Partner, bad: str
    ) -> None:
        # json.dumps escapes the surrogate as \\ud800, exactly what a hostile client sends.
        payload = json.dumps(
            {"slug": "y-ngo", "name": bad, "kind": "ngo", "country": "TH", "roles": ["oversight"]}
        )
        r = client.post(
            "/v1/agencies",
            content=payload.encode(),
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        body = assert_problem(r, 422)
        assert bad not in json.dumps(body)

    def test_errors_never_echo_input(self, client: TestClient, admin: Partner) -> None:
        canary = "Canary-Passport-X1234567"
        r = client.post(
            "/v1/agencies",
            json={"slug": canary, "name": "n", "kind": "ngo", "country": "TH", "roles": []},
            headers=admin.headers,
        )
        assert_problem(r, 422)
        assert canary not in r.text

    def test_malformed_json_is_400(self, client: TestClient, admin: Partner) -> None:
        r = client.post(
            "/v1/agencies",
            content=b'{"slug": ',
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        assert_problem(r, 400)

    def test_json_without_json_content_type_is_415(
        self, client: TestClient, admin: Partner
    ) -> None:
        r = client.post(
            "/v1/agencies",
            content=b'{"slug": "z-ngo"}',
            headers={**admin.headers, "Content-Type": "text/plain"},
        )
        body = assert_problem(r, 415)
        assert "application/json" in str(body["detail"])


def test_500_reveals_no_internals(migrated: Settings, capfd: pytest.CaptureFixture[str]) -> None:
    app: FastAPI = create_app(migrated)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM victims WHERE name='Canary'")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom", headers={"X-Request-ID": "trace-me-1"})
    logged = capfd.readouterr().err
    # The log names the class and where it was raised, never the message.
    assert '"error_class": "RuntimeError"' in logged
    assert "error_origin" in logged
    assert "Canary" not in logged
    body = assert_problem(r, 500)
    assert "SELECT" not in r.text
    assert "Canary" not in r.text
    assert body["request_id"] == "trace-me-1"
    assert r.headers["x-request-id"] == "trace-me-1"
