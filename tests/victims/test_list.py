"""GET /v1/victims: filters, keyset pagination, stable order."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import create_operation, if_match, register_victim, victim_body


def _ids(client: TestClient, partner: Partner, query: str) -> list[str]:
    r = client.get(f"/v1/victims?limit=200&{query}", headers=partner.headers)
    assert r.status_code == 200, r.text
    return [v["id"] for v in r.json()["items"]]


def test_filters_select_the_right_records(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    in_op = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(0, nationality="LA")]},
        headers=ngo.headers,
    ).json()["items"][0]
    labour = register_victim(client, ngo, nationality="KH", exploitation_types=["forced_labour"])
    both = register_victim(
        client, ngo, nationality="KH",
        exploitation_types=["forced_labour", "sexual_exploitation"],
    )  # fmt: skip

    assert _ids(client, ngo, f"rescue_operation_id={op['id']}") == [in_op["id"]]
    assert _ids(client, ngo, "nationality=KH") == [labour["id"], both["id"]]
    assert _ids(client, ngo, "exploitation_type=forced_labour") == [labour["id"], both["id"]]
    assert _ids(client, ngo, "exploitation_type=sexual_exploitation") == [both["id"]]
    assert set(_ids(client, ngo, "identification_status=presumed")) == {
        in_op["id"],
        labour["id"],
        both["id"],
    }
    assert _ids(client, ngo, "identification_status=identified") == []

    client.patch(f"/v1/victims/{labour['id']}", json={"needs": []}, headers=if_match(ngo, 1))
    changed = client.get(f"/v1/victims/{labour['id']}", headers=ngo.headers).json()
    cutoff = both["updated_at"]
    assert _ids(client, ngo, f"updated_after={cutoff}") == [changed["id"]]


def test_bad_filters_are_4xx(client: TestClient, ngo: Partner) -> None:
    for query in [
        "nationality=ph", "identification_status=maybe", "exploitation_type=x",
        "updated_after=yesterday", "updated_after=2026-01-01T00:00:00", "rescue_operation_id=1",
        "limit=0", "limit=500", "cursor=%00",
    ]:  # fmt: skip
        r = client.get(f"/v1/victims?{query}", headers=ngo.headers)
        assert 400 <= r.status_code < 500, query


def test_pages_cover_everything_once_in_order(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    made = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(i) for i in range(23)]},
        headers=ngo.headers,
    ).json()["items"]
    seen: list[str] = []
    cursor: Any = None
    while True:
        params = {"limit": 5, "rescue_operation_id": op["id"]} | (
            {"cursor": cursor} if cursor else {}
        )
        page = client.get("/v1/victims", params=params, headers=ngo.headers).json()
        seen += [v["id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(v["id"] for v in made)
    assert len(seen) == len(set(seen)) == 23


def test_cursor_of_another_list_is_rejected(client: TestClient, ngo: Partner) -> None:
    for _ in range(3):
        create_operation(client, ngo)
    cursor = client.get("/v1/rescue-operations?limit=1", headers=ngo.headers).json()["next_cursor"]
    assert cursor
    r = client.get(f"/v1/victims?cursor={cursor}", headers=ngo.headers)
    assert r.status_code == 400


def test_crafted_cursor_values_are_400(client: TestClient, ngo: Partner) -> None:
    import base64
    import json

    for values in (["x", "y"], [1, 2], ["2026-01-01", "not-a-uuid"]):
        raw = json.dumps(["victims", values]).encode()
        cursor = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        r = client.get("/v1/victims", params={"cursor": cursor}, headers=ngo.headers)
        assert r.status_code == 400, values
