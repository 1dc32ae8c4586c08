"""The committed openapi/openapi.json equals what the app serves."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_openapi_matches_served(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "run `make openapi` and commit openapi/openapi.json"


def test_operation_ids_are_unique_and_stable(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "list_agencies" in ids
    assert "issue_token" in ids


def test_client_credentials_flow_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    flow = spec["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/v1/oauth/token"
    assert "victims:read" in flow["scopes"]


def test_every_operation_has_a_summary_and_tag(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("summary") or op.get("description"), (method, path)
            assert op.get("tags"), (method, path)
