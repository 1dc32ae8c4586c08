"""Mass intake: POST /v1/rescue-operations/{id}/victims, all or nothing."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import create_operation, victim_body


def _count(client: TestClient, partner: Partner, operation_id: str) -> int:
    summary = client.get(f"/v1/rescue-operations/{operation_id}/summary", headers=partner.headers)
    return int(summary.json()["victims_registered"])


def test_260_people_in_one_call(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i) for i in range(260)]
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 201, r.text[:500]
    items = r.json()["items"]
    assert len(items) == 260
    assert [i["external_ref"] for i in items] == [p["external_ref"] for p in people]
    assert {i["rescue_operation_id"] for i in items} == {op["id"]}
    assert len({i["case_number"] for i in items}) == 260
    assert _count(client, ngo, op["id"]) == 260


def test_item_137_invalid_names_its_index_and_stores_nothing(
    client: TestClient, ngo: Partner
) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i) for i in range(260)]
    people[137]["sex"] = "not-a-sex"
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["body", "victims", "137", "sex"] in locs
    assert _count(client, ngo, op["id"]) == 0


def test_duplicate_external_ref_inside_a_batch_names_the_index(
    client: TestClient, ngo: Partner
) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i) for i in range(5)]
    people[3]["external_ref"] = people[1]["external_ref"]
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "victims", "3", "external_ref"]
    assert _count(client, ngo, op["id"]) == 0


def test_1001_people_is_422(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i, identity=False) for i in range(1001)]
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["type"] == "too_long"


def test_empty_batch_is_422(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": []}, headers=ngo.headers
    )
    assert r.status_code == 422


def test_body_over_8_mib_is_413(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    filler = "x" * 199
    people = [victim_body(i, identity=False, external_ref=filler) for i in range(30_000)]
    body = json.dumps({"victims": people}).encode()
    assert len(body) > 8 * 1024 * 1024
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        content=body,
        headers={**ngo.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_batch_between_1_and_8_mib_is_accepted_on_this_route_only(
    client: TestClient, ngo: Partner
) -> None:
    op = create_operation(client, ngo)
    people = [
        victim_body(i, identity=True, needs=["shelter"], languages=["en", "tl", "fil"])
        for i in range(1000)
    ]
    for p in people:
        p["identity"]["aliases"] = [f"Alias{j} " + "y" * 150 for j in range(8)]
    body = json.dumps({"victims": people}).encode()
    assert 1024 * 1024 < len(body) < 8 * 1024 * 1024
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        content=body,
        headers={**ngo.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 201
    single = client.post(
        "/v1/victims",
        content=json.dumps(people[0] | {"padding": "z" * (1024 * 1024)}).encode(),
        headers={**ngo.headers, "Content-Type": "application/json"},
    )
    assert single.status_code == 413


def test_known_external_refs_come_back_not_doubled(client: TestClient, ngo: Partner) -> None:
    op = create_operation(client, ngo)
    people = [victim_body(i) for i in range(10)]
    url = f"/v1/rescue-operations/{op['id']}/victims"
    first = client.post(url, json={"victims": people[:6]}, headers=ngo.headers)
    assert first.status_code == 201
    second = client.post(url, json={"victims": people}, headers=ngo.headers)
    assert second.status_code == 201
    assert [i["id"] for i in second.json()["items"][:6]] == [i["id"] for i in first.json()["items"]]
    again = client.post(url, json={"victims": people}, headers=ngo.headers)
    assert again.status_code == 200
    assert _count(client, ngo, op["id"]) == 10


def test_operation_of_another_agency_is_404(
    client: TestClient, ngo: Partner, outsider: Partner
) -> None:
    op = create_operation(client, outsider)
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body()]},
        headers=ngo.headers,
    )
    assert r.status_code == 404
