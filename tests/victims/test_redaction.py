"""Identity is shown only to callers with victims:identity who may see the record."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Partner, request_token
from tests.factories import register_victim

READ_ONLY = "victims:read"


@pytest.fixture
def victim(client: TestClient, ngo: Partner) -> dict[str, object]:
    return register_victim(client, ngo, date_of_birth="1999-03-04")


def _token(client: TestClient, partner: Partner, scope: str) -> dict[str, str]:
    token = request_token(client, partner.client_id, partner.client_secret, scope=scope)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("scope", "sees_identity"),
    [
        ("victims:read victims:identity", True),
        ("victims:read", False),
    ],
)
def test_owner_by_scope(
    client: TestClient, ngo: Partner, victim: dict[str, object], scope: str, sees_identity: bool
) -> None:
    headers = _token(client, ngo, scope)
    for body in (
        client.get(f"/v1/victims/{victim['id']}", headers=headers).json(),
        client.get("/v1/victims?limit=200", headers=headers).json()["items"][-1],
    ):
        assert body["id"] == victim["id"]
        assert body["identity_redacted"] is (not sees_identity)
        assert ("identity" in body) is sees_identity
        assert ("date_of_birth" in body) is sees_identity
        if sees_identity:
            assert body["identity"]["given_name"] == "Testgiven0"
            assert body["date_of_birth"] == "1999-03-04"


def test_other_agency_with_identity_scope_sees_nothing(
    client: TestClient, victim: dict[str, object], outsider: Partner
) -> None:
    r = client.get(f"/v1/victims/{victim['id']}", headers=outsider.headers)
    assert r.status_code == 404
    assert "Testgiven0" not in r.text


def test_patch_response_is_redacted_without_identity_scope(
    client: TestClient, ngo: Partner, victim: dict[str, object]
) -> None:
    headers = {**_token(client, ngo, "victims:read victims:write"), "If-Match": '"1"'}
    r = client.patch(f"/v1/victims/{victim['id']}", json={"age_estimate": 31}, headers=headers)
    assert r.status_code == 200
    assert r.json()["identity_redacted"] is True
    assert "Testgiven0" not in r.text
