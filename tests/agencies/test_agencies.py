"""Agency directory and administration (admin scope)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory, request_token


def agency_body(**overrides: Any) -> dict[str, Any]:
    slug = f"a-{uuid.uuid4().hex[:10]}"
    return {
        "slug": slug,
        "name": "Mae Sot Shelter (synthetic)",
        "kind": "ngo",
        "country": "TH",
        "roles": ["service_provider"],
        "services": ["shelter", "medical"],
        **overrides,
    }


class TestCreateAgency:
    def test_admin_creates_agency(self, client: TestClient, admin: Partner) -> None:
        body = agency_body()
        r = client.post("/v1/agencies", json=body, headers=admin.headers)
        assert r.status_code == 201
        created = r.json()
        assert created["slug"] == body["slug"]
        assert created["version"] == 1
        assert r.headers["etag"] == '"1"'
        assert r.headers["location"] == f"/v1/agencies/{created['id']}"

    def test_duplicate_slug_is_409(self, client: TestClient, admin: Partner) -> None:
        body = agency_body()
        assert client.post("/v1/agencies", json=body, headers=admin.headers).status_code == 201
        r = client.post("/v1/agencies", json=body, headers=admin.headers)
        assert r.status_code == 409
        assert r.json()["type"].endswith("agency-slug-taken")

    def test_unknown_role_is_422(self, client: TestClient, admin: Partner) -> None:
        r = client.post("/v1/agencies", json=agency_body(roles=["god"]), headers=admin.headers)
        assert r.status_code == 422

    def test_server_owned_fields_cannot_be_set(self, client: TestClient, admin: Partner) -> None:
        r = client.post(
            "/v1/agencies",
            json=agency_body(version=7, created_at="2020-01-01T00:00:00Z"),
            headers=admin.headers,
        )
        assert r.status_code == 422


class TestDirectory:
    def test_list_pages_with_cursor_and_link(
        self, client: TestClient, admin: Partner, make_partner: PartnerFactory
    ) -> None:
        reader = make_partner(["service_provider"])
        for _ in range(3):
            client.post("/v1/agencies", json=agency_body(), headers=admin.headers)
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            r = client.get("/v1/agencies", params=params, headers=reader.headers)
            assert r.status_code == 200
            page = r.json()
            assert len(page["items"]) <= 2
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            pages += 1
            if cursor is None:
                assert "link" not in r.headers
                break
            assert 'rel="next"' in r.headers["link"]
        assert len(seen) == len(set(seen))
        assert pages >= 2
        assert str(reader.agency_id) in seen

    def test_invalid_cursor_is_400(self, client: TestClient, make_partner: PartnerFactory) -> None:
        p = make_partner(["oversight"])
        for bad in ["!!!", "eyJ4IjoxfQ", "W10"]:
            r = client.get("/v1/agencies", params={"cursor": bad}, headers=p.headers)
            assert r.status_code == 400, bad
            assert r.json()["type"].endswith("invalid-cursor")

    def test_limit_bounds(self, client: TestClient, make_partner: PartnerFactory) -> None:
        p = make_partner(["oversight"])
        assert client.get("/v1/agencies?limit=0", headers=p.headers).status_code == 422
        assert client.get("/v1/agencies?limit=201", headers=p.headers).status_code == 422

    def test_get_one_with_etag(self, client: TestClient, make_partner: PartnerFactory) -> None:
        p = make_partner(["oversight"])
        r = client.get(f"/v1/agencies/{p.agency_id}", headers=p.headers)
        assert r.status_code == 200
        assert r.headers["etag"] == '"1"'


class TestUpdateAgency:
    def test_if_match_required_and_checked(self, client: TestClient, admin: Partner) -> None:
        agency = client.post("/v1/agencies", json=agency_body(), headers=admin.headers).json()
        url = f"/v1/agencies/{agency['id']}"
        change = {"accepting_referrals": False}
        assert client.patch(url, json=change, headers=admin.headers).status_code == 428
        stale = client.patch(url, json=change, headers={**admin.headers, "If-Match": '"9"'})
        assert stale.status_code == 412
        ok = client.patch(url, json=change, headers={**admin.headers, "If-Match": '"1"'})
        assert ok.status_code == 200
        assert ok.json()["accepting_referrals"] is False
        assert ok.json()["version"] == 2
        assert ok.headers["etag"] == '"2"'
        again = client.patch(url, json=change, headers={**admin.headers, "If-Match": '"1"'})
        assert again.status_code == 412

    def test_null_is_not_a_value(self, client: TestClient, admin: Partner) -> None:
        agency = client.post("/v1/agencies", json=agency_body(), headers=admin.headers).json()
        r = client.patch(
            f"/v1/agencies/{agency['id']}",
            json={"name": None},
            headers={**admin.headers, "If-Match": '"1"'},
        )
        assert r.status_code == 400

    def test_unknown_agency_is_404(self, client: TestClient, admin: Partner) -> None:
        r = client.patch(
            f"/v1/agencies/{uuid.uuid4()}",
            json={"name": "x"},
            headers={**admin.headers, "If-Match": '"1"'},
        )
        assert r.status_code == 404


class TestClients:
    def test_default_scopes_are_the_role_bounds(self, client: TestClient, admin: Partner) -> None:
        agency = client.post(
            "/v1/agencies", json=agency_body(roles=["decision_recipient"]), headers=admin.headers
        ).json()
        r = client.post(
            f"/v1/agencies/{agency['id']}/clients", json={"name": "pull"}, headers=admin.headers
        )
        assert r.status_code == 201
        created = r.json()
        assert set(created["scopes"]) == {
            "decisions:read",
            "events:read",
            "webhooks:manage",
            "agencies:read",
            "statistics:read",
        }
        assert created["client_secret"]
        token = request_token(client, created["client_id"], created["client_secret"])
        assert token

    def test_scope_outside_roles_is_refused(self, client: TestClient, admin: Partner) -> None:
        agency = client.post(
            "/v1/agencies", json=agency_body(roles=["decision_recipient"]), headers=admin.headers
        ).json()
        r = client.post(
            f"/v1/agencies/{agency['id']}/clients",
            json={"name": "greedy", "scopes": ["decisions:read", "victims:identity"]},
            headers=admin.headers,
        )
        assert r.status_code == 422
        assert r.json()["not_allowed"] == ["victims:identity"]

    def test_list_never_shows_secrets(self, client: TestClient, admin: Partner) -> None:
        agency = client.post("/v1/agencies", json=agency_body(), headers=admin.headers).json()
        created = client.post(
            f"/v1/agencies/{agency['id']}/clients", json={"name": "one"}, headers=admin.headers
        ).json()
        r = client.get(f"/v1/agencies/{agency['id']}/clients", headers=admin.headers)
        assert r.status_code == 200
        assert [c["client_id"] for c in r.json()["items"]] == [created["client_id"]]
        assert created["client_secret"] not in r.text
        assert "secret" not in r.text

    def test_secret_is_stored_only_as_a_slow_hash(
        self, client: TestClient, admin: Partner, app: Any
    ) -> None:
        from app.models import ApiClient

        agency = client.post("/v1/agencies", json=agency_body(), headers=admin.headers).json()
        created = client.post(
            f"/v1/agencies/{agency['id']}/clients", json={"name": "h"}, headers=admin.headers
        ).json()
        with app.state.uow.begin(None, write=False) as session:
            row = session.get(ApiClient, uuid.UUID(created["client_id"]))
            assert row is not None
            assert created["client_secret"] not in row.secret_hash
            assert row.secret_hash.startswith("scrypt$")

    def test_revoke_unknown_client_is_404(self, client: TestClient, admin: Partner) -> None:
        assert (
            client.delete(f"/v1/clients/{uuid.uuid4()}", headers=admin.headers).status_code == 404
        )
