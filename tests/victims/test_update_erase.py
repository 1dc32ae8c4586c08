"""PATCH with If-Match (G5), erasure, and who may change a record."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import if_match, register_victim


class TestPatch:
    def test_if_match_required_and_checked(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo)
        url = f"/v1/victims/{v['id']}"
        assert client.patch(url, json={"age_estimate": 30}, headers=ngo.headers).status_code == 428
        assert (
            client.patch(url, json={"age_estimate": 30}, headers=if_match(ngo, 2)).status_code
            == 412
        )
        weak = {**ngo.headers, "If-Match": 'W/"1"'}
        assert client.patch(url, json={"age_estimate": 30}, headers=weak).status_code == 412
        star = {**ngo.headers, "If-Match": "*"}
        assert client.patch(url, json={"age_estimate": 30}, headers=star).status_code == 412
        r = client.patch(url, json={"age_estimate": 30}, headers=if_match(ngo, 1))
        assert r.status_code == 200
        body = r.json()
        assert (body["age_estimate"], body["age_band"], body["version"]) == (30, "30-38", 2)
        assert r.headers["etag"] == '"2"'

    def test_identity_is_replaced_and_stays_encrypted(
        self, client: TestClient, ngo: Partner
    ) -> None:
        v = register_victim(client, ngo)
        r = client.patch(
            f"/v1/victims/{v['id']}",
            json={"identity": {"given_name": "Renamed", "aliases": ["R"]}},
            headers=if_match(ngo, 1),
        )
        assert r.status_code == 200
        assert r.json()["identity"]["given_name"] == "Renamed"
        assert r.json()["identity"]["family_name"] is None

    def test_twenty_parallel_patches_with_one_etag_one_wins(
        self, client: TestClient, ngo: Partner
    ) -> None:
        v = register_victim(client, ngo)

        def patch(i: int) -> int:
            return client.patch(
                f"/v1/victims/{v['id']}",
                json={"age_estimate": 20 + i},
                headers=if_match(ngo, 1),
            ).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            codes = list(pool.map(patch, range(20)))
        assert sorted(codes) == [200] + [412] * 19
        final = client.get(f"/v1/victims/{v['id']}", headers=ngo.headers).json()
        assert final["version"] == 2

    def test_null_sex_is_refused(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo)
        r = client.patch(f"/v1/victims/{v['id']}", json={"sex": None}, headers=if_match(ngo, 1))
        assert r.status_code == 400


class TestErase:
    def test_identity_destroyed_record_kept(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo, date_of_birth="2001-02-03")
        assert client.delete(f"/v1/victims/{v['id']}", headers=ngo.headers).status_code == 204
        after = client.get(f"/v1/victims/{v['id']}", headers=ngo.headers)
        assert after.status_code == 200
        body = after.json()
        assert body["identity"] is None
        assert body["date_of_birth"] is None
        assert body["erased_at"] is not None
        assert body["case_number"] == v["case_number"]
        assert body["nationality"] == v["nationality"]
        assert body["age_band"] == v["age_band"]
        assert "Testgiven" not in after.text

    def test_erase_twice_is_fine(self, client: TestClient, ngo: Partner) -> None:
        v = register_victim(client, ngo)
        assert client.delete(f"/v1/victims/{v['id']}", headers=ngo.headers).status_code == 204
        assert client.delete(f"/v1/victims/{v['id']}", headers=ngo.headers).status_code == 204

    def test_identity_cannot_come_back_after_erasure(
        self, client: TestClient, ngo: Partner
    ) -> None:
        v = register_victim(client, ngo)
        client.delete(f"/v1/victims/{v['id']}", headers=ngo.headers)
        r = client.patch(
            f"/v1/victims/{v['id']}",
            json={"identity": {"given_name": "Again"}},
            headers=if_match(ngo, 2),
        )
        assert r.status_code == 409
        ok = client.patch(
            f"/v1/victims/{v['id']}", json={"needs": ["legal_aid"]}, headers=if_match(ngo, 2)
        )
        assert ok.status_code == 200
