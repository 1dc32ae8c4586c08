"""Health, readiness, metrics, request ids, and what logs may contain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import ConfigurationError, Settings
from app.main import create_app
from tests.conftest import Partner, PartnerFactory


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_when_migrated(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"


def test_readyz_fails_before_migrations(tmp_path: Path, settings: Settings) -> None:
    settings = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}", "data_dir": tmp_path}
    )
    with TestClient(create_app(settings)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "not_ready"
    assert r.headers["retry-after"]


def test_metrics_count_requests_by_route_template(
    client: TestClient, make_partner: PartnerFactory
) -> None:
    p = make_partner(["first_responder"])
    client.get(f"/v1/agencies/{p.agency_id}", headers=p.headers)
    text = client.get("/metrics").text
    assert "http_requests_total" in text
    assert 'route="/v1/agencies/{agency_id}"' in text
    assert str(p.agency_id) not in text  # templates, never raw paths


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 16


def test_logs_are_json_and_never_carry_tokens_or_secrets(
    client: TestClient, make_partner: PartnerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    p: Partner = make_partner(["first_responder"])
    caplog.clear()
    client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(p.client_id, p.client_secret),
    )
    client.get("/v1/agencies?limit=5", headers={**p.headers, "X-Request-ID": "log-check-1"})
    from app.core.logging import JsonFormatter

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    joined = "\n".join(lines)
    assert p.token not in joined
    assert p.client_secret not in joined
    access = [json.loads(line) for line in lines if '"app.access"' in line]
    mine = [a for a in access if a.get("request_id") == "log-check-1"]
    assert mine
    assert mine[0]["route"] == "/v1/agencies"
    assert mine[0]["agency_id"] == str(p.agency_id)
    assert "limit" not in json.dumps(mine[0])  # no query strings in logs


@pytest.mark.parametrize("key", ["", "changeme", "placeholder"])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_missing_or_placeholder_signing_key_stops_the_app(
    tmp_path: Path, key: str, environment: str
) -> None:
    settings = Settings(environment=environment, data_dir=tmp_path, jwt_private_key=key)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="REFERRALS_JWT_PRIVATE_KEY"):
        create_app(settings)
    assert not (tmp_path / "jwt-signing-key.pem").exists()


def test_development_generates_and_keeps_a_key(tmp_path: Path) -> None:
    first = Settings(environment="development", data_dir=tmp_path).signing_key_pem
    again = Settings(environment="development", data_dir=tmp_path).signing_key_pem
    assert first == again
    assert (tmp_path / "jwt-signing-key.pem").stat().st_mode & 0o077 == 0


def test_docs_load_from_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn." not in page.text
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    redoc = client.get("/redoc")
    assert "/static/redoc/redoc.standalone.js" in redoc.text
    assert client.get("/static/redoc/redoc.standalone.js").status_code == 200
