"""G4: a retried create takes effect once (Idempotency-Key)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, victim_body


def _count(client: TestClient, partner: Partner) -> int:
    return len(client.get("/v1/victims?limit=200", headers=partner.headers).json()["items"])


def test_replay_returns_the_same_status_and_record(client: TestClient, ngo: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = victim_body(external_ref=None)
    first = client.post("/v1/victims", json=body, headers={**ngo.headers, **key})
    again = client.post("/v1/victims", json=body, headers={**ngo.headers, **key})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    assert _count(client, ngo) == 1


def test_same_key_other_body_is_422(client: TestClient, ngo: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    client.post(
        "/v1/victims", json=victim_body(1, external_ref=None), headers={**ngo.headers, **key}
    )
    r = client.post(
        "/v1/victims", json=victim_body(2, external_ref=None), headers={**ngo.headers, **key}
    )
    assert r.status_code == 422
    assert r.json()["type"].endswith("idempotency-key-reused")
    assert _count(client, ngo) == 1


def test_same_key_other_route_is_422(client: TestClient, ngo: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    create_operation_headers = {**ngo.headers, **key}
    op = client.post(
        "/v1/rescue-operations",
        json={"name": "n", "started_on": "2026-11-20",
              "location": {"place": "Mae Sot", "country": "TH"}},
        headers=create_operation_headers,
    )  # fmt: skip
    assert op.status_code == 201
    r = client.post(
        "/v1/victims", json=victim_body(external_ref=None), headers={**ngo.headers, **key}
    )
    assert r.status_code == 422


def test_keys_are_scoped_to_the_client(client: TestClient, make_partner: PartnerFactory) -> None:
    a, b = make_partner(["first_responder"]), make_partner(["first_responder"])
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = victim_body(external_ref=None)
    ra = client.post("/v1/victims", json=body, headers={**a.headers, **key})
    rb = client.post("/v1/victims", json=body, headers={**b.headers, **key})
    assert (ra.status_code, rb.status_code) == (201, 201)
    assert ra.json()["id"] != rb.json()["id"]


def test_concurrent_duplicates_make_one_row(client: TestClient, ngo: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = victim_body(external_ref=None)

    def post(_: int) -> tuple[int, str]:
        r = client.post("/v1/victims", json=body, headers={**ngo.headers, **key})
        return r.status_code, r.json().get("id", "")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(10)))
    codes = [code for code, _ in results]
    assert set(codes) <= {201, 409}  # 409: still in flight (PostgreSQL); retry replays
    assert {vid for code, vid in results if code == 201}
    assert len({vid for code, vid in results if code == 201}) == 1
    assert _count(client, ngo) == 1


def test_concurrent_intakes_with_one_key_register_once(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    people = {"victims": [victim_body(i, external_ref=None) for i in range(50)]}

    def post(_: int) -> int:
        r = client.post(
            f"/v1/rescue-operations/{op['id']}/victims", json=people, headers={**ngo.headers, **key}
        )
        return r.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(post, range(6)))
    assert 201 in codes
    assert set(codes) <= {201, 409}
    summary = client.get(f"/v1/rescue-operations/{op['id']}/summary", headers=ngo.headers)
    assert summary.json()["victims_registered"] == 50


def test_concurrent_external_ref_duplicates_make_one_row(client: TestClient, ngo: Partner) -> None:
    body = victim_body()

    def post(_: int) -> tuple[int, str]:
        r = client.post("/v1/victims", json=body, headers=ngo.headers)
        return r.status_code, r.json()["id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(10)))
    assert sorted(code for code, _ in results) == [200] * 9 + [201]
    assert len({vid for _, vid in results}) == 1


def test_invalid_keys_are_422(client: TestClient, ngo: Partner) -> None:
    for bad in ["", "x" * 256, "has space"]:
        r = client.post(
            "/v1/victims", json=victim_body(), headers={**ngo.headers, "Idempotency-Key": bad}
        )
        assert r.status_code == 422, bad


def test_other_creates_honour_the_key_too(client: TestClient, ngo: Partner, admin: Partner) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"slug": f"idem-{uuid.uuid4().hex[:8]}", "name": "Idempotent NGO", "kind": "ngo",
            "country": "TH", "roles": ["service_provider"]}  # fmt: skip
    first = client.post("/v1/agencies", json=body, headers={**admin.headers, **key})
    again = client.post("/v1/agencies", json=body, headers={**admin.headers, **key})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"

    victim = client.post("/v1/victims", json=victim_body(), headers=ngo.headers).json()
    consent = client.post(
        f"/v1/victims/{victim['id']}/consents",
        json={"purposes": ["services"], "method": "verbal", "given_at": "2026-11-21T08:00:00Z"},
        headers=ngo.headers,
    ).json()
    url = f"/v1/victims/{victim['id']}/consents/{consent['id']}/withdrawal"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    w1 = client.post(url, headers={**ngo.headers, **key})
    w2 = client.post(url, headers={**ngo.headers, **key})
    assert (w1.status_code, w2.status_code) == (201, 201)  # a retry, not a 409
    assert w2.json() == w1.json()
    assert client.post(url, headers=ngo.headers).status_code == 409  # a new attempt
