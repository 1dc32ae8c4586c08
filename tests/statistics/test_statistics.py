"""G13: statistics cannot single anyone out: small cells and their complements suppressed."""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections import defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.statistics.suppression import suppress
from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, victim_body
from tests.referrals.conftest import decide, move, refer


def intake(client: TestClient, ngo: Partner, nationalities: list[str], **extra: Any) -> str:
    op = create_operation(client, ngo)
    people = [victim_body(i, nationality=n, **extra) for i, n in enumerate(nationalities)]
    r = client.post(
        f"/v1/rescue-operations/{op['id']}/victims", json={"victims": people}, headers=ngo.headers
    )
    assert r.status_code == 201
    return str(op["id"])


def stats(client: TestClient, who: Partner, op: str, group_by: str = "", **params: Any) -> Any:
    query = {"rescue_operation_id": op, **params} | ({"group_by": group_by} if group_by else {})
    r = client.get("/v1/statistics", params=query, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def oversight(make_partner: PartnerFactory) -> Partner:
    return make_partner(["oversight"], kind="government")


def test_small_cell_and_its_complement_are_suppressed(client: TestClient, ngo: Partner) -> None:
    op = intake(client, ngo, ["PH"] * 10 + ["LA"] * 7 + ["KH"] * 2)
    table = stats(client, ngo, op, "nationality")
    assert table["counts"] == "victims"
    assert table["min_cell"] == 5
    cells = {i["nationality"]: i for i in table["items"]}
    assert cells["PH"] == {"nationality": "PH", "count": 10, "suppressed": False}
    assert cells["KH"] == {"nationality": "KH", "count": None, "suppressed": True}
    # LA is not small, but alone with KH it would let KH be recomputed from the total:
    assert cells["LA"]["suppressed"] is True
    total = stats(client, ngo, op)["items"][0]["count"]
    assert total == 19
    published = sum(i["count"] for i in table["items"] if not i["suppressed"])
    assert total - published >= 5  # the subtraction attack yields only a sum of >= 2 cells


def test_two_small_cells_that_add_up_to_less_than_the_minimum(
    client: TestClient, ngo: Partner
) -> None:
    op = intake(client, ngo, ["PH"] * 10 + ["LA"] * 2 + ["KH"] * 2)
    cells = {i["nationality"]: i for i in stats(client, ngo, op, "nationality")["items"]}
    assert all(c["suppressed"] for c in cells.values())


def test_two_small_cells_that_protect_each_other(client: TestClient, ngo: Partner) -> None:
    op = intake(client, ngo, ["PH"] * 10 + ["LA"] * 3 + ["KH"] * 3)
    cells = {i["nationality"]: i for i in stats(client, ngo, op, "nationality")["items"]}
    assert [c["suppressed"] for c in (cells["PH"], cells["LA"], cells["KH"])] == [False, True, True]


def test_two_dimensions_and_csv(client: TestClient, ngo: Partner) -> None:
    op = intake(client, ngo, ["PH"] * 12 + ["LA"] * 12)
    table = stats(client, ngo, op, "nationality,sex")
    assert {tuple(sorted(i)) for i in table["items"]} == {
        ("count", "nationality", "sex", "suppressed")
    }
    assert sum(i["count"] or 0 for i in table["items"]) <= 24
    r = client.get(
        "/v1/statistics",
        params={"rescue_operation_id": op, "group_by": "nationality,sex"},
        headers={**ngo.headers, "Accept": "text/csv"},
    )
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["nationality", "sex", "count", "suppressed"]
    assert len(rows) == len(table["items"]) + 1


def test_referrals_and_decisions_are_counted_by_their_dimensions(
    client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    ca = make_partner(["competent_authority"], kind="government")
    op = intake(client, ngo, ["PH"] * 6, age_estimate=15)  # children: no consent needed
    victims = client.get(
        "/v1/victims", params={"rescue_operation_id": op}, headers=ngo.headers
    ).json()["items"]
    for v in victims:
        referral = refer(client, ngo, v["id"], ca).json()
        move(client, ca, referral, "accepted")
        decide(client, ca, referral["id"], "final", "positive")
    by_purpose = stats(client, ngo, op, "purpose")
    assert by_purpose["counts"] == "referrals"
    assert by_purpose["items"] == [{"purpose": "identification", "count": 6, "suppressed": False}]
    by_outcome = stats(client, ngo, op, "outcome,stage")
    assert by_outcome["counts"] == "decisions"
    assert by_outcome["items"] == [
        {"outcome": "positive", "stage": "final", "count": 6, "suppressed": False}
    ]
    kinds = stats(client, ngo, op, "first_responder_kind,is_child")["items"]
    assert kinds == [
        {"first_responder_kind": "ngo", "is_child": "true", "count": 6, "suppressed": False}
    ]
    for v in victims:
        assert v["id"] not in str(by_outcome)


def test_bad_groupings_are_422(client: TestClient, oversight: Partner) -> None:
    for bad in ("planet", "purpose,outcome", "sex,sex"):
        r = client.get("/v1/statistics", params={"group_by": bad}, headers=oversight.headers)
        assert r.status_code == 422, bad


def test_suppression_invariant_on_random_tables() -> None:
    rng = random.Random(7)
    for _ in range(300):
        dims = rng.randint(1, 3)
        values = [[f"v{j}" for j in range(rng.randint(1, 4))] for _ in range(dims)]
        cells = {
            key: rng.choice([1, 2, 3, 4, 5, 6, 9, 20])
            for key in itertools.product(*values)
            if rng.random() < 0.85
        }
        hidden = suppress(cells, dims, 5)
        assert all(k in hidden for k, c in cells.items() if c < 5)
        for d in range(dims):
            slices: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
            for key in cells:
                slices[key[:d] + key[d + 1 :]].append(key)
            for members in slices.values():
                suppressed = [k for k in members if k in hidden]
                if suppressed and len(suppressed) < len(members):
                    assert len(suppressed) >= 2
                    assert sum(cells[k] for k in suppressed) >= 5


def test_operation_filter_needs_an_operation_the_caller_sees(
    client: TestClient, ngo: Partner, outsider: Partner
) -> None:
    op = intake(client, ngo, ["PH"] * 6)
    r = client.get("/v1/statistics", params={"rescue_operation_id": op}, headers=outsider.headers)
    assert r.status_code == 404
    assert (
        client.get(
            "/v1/statistics", params={"rescue_operation_id": op}, headers=ngo.headers
        ).status_code
        == 200
    )


def test_oversight_reads_national_tables(client: TestClient, oversight: Partner) -> None:
    r = client.get("/v1/statistics", params={"group_by": "quarter"}, headers=oversight.headers)
    assert r.status_code == 200
    assert r.json()["counts"] == "victims"
