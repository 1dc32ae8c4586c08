"""GET /v1/events: visibility, cursors, filters, conditional requests, no identity."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.principal import Caller
from app.victims import service as victims
from app.victims.schemas import VictimCreate
from tests.conftest import Partner, PartnerFactory
from tests.factories import create_operation, if_match, register_victim, victim_body
from tests.referrals.conftest import adult_with_consent, decide, move, refer


def poll(client: TestClient, who: Partner, after: str | None = None, **params: Any) -> Any:
    query = {"limit": 1000, **params} | ({"after": after} if after else {})
    r = client.get("/v1/events", params=query, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def drain(
    client: TestClient, who: Partner, after: str | None = None, **params: Any
) -> tuple[list[dict[str, Any]], str | None]:
    items: list[dict[str, Any]] = []
    while True:
        page = poll(client, who, after, **params)
        items += page["items"]
        if not page["items"]:
            return items, page["next_cursor"]
        after = page["next_cursor"]


def test_each_agency_sees_only_its_events(
    client: TestClient, ngo: Partner, outsider: Partner, make_partner: PartnerFactory
) -> None:
    ca = make_partner(["competent_authority"], kind="government")
    immigration = make_partner(["decision_recipient"], kind="government")
    _, ngo_cursor = drain(client, ngo)
    _, ca_cursor = drain(client, ca)
    _, imm_cursor = drain(client, immigration)
    _, out_cursor = drain(client, outsider)

    op = create_operation(client, ngo)
    victim = adult_with_consent(client, ngo)
    referral = refer(client, ngo, victim["id"], ca).json()
    move(client, ca, referral, "accepted")
    decision = decide(client, ca, referral["id"]).json()

    ngo_types = [(e["type"], e["resource_id"]) for e in drain(client, ngo, ngo_cursor)[0]]
    assert ngo_types[:4] == [
        ("rescue_operation.created", op["id"]),
        ("victim.registered", victim["id"]),
        ("consent.recorded", victim["id"]),
        ("referral.created", referral["id"]),
    ]
    assert ("referral.status_changed", referral["id"]) in ngo_types
    assert ("decision.issued", decision["id"]) in ngo_types
    assert ("victim.updated", victim["id"]) in ngo_types  # identification_status

    ca_types = {e["type"] for e in drain(client, ca, ca_cursor)[0]}
    assert ca_types >= {"referral.created", "referral.status_changed", "decision.issued"}
    assert "rescue_operation.created" not in ca_types
    assert "victim.registered" not in ca_types

    imm = drain(client, immigration, imm_cursor)[0]
    assert [(e["type"], e["resource_id"]) for e in imm] == [("decision.issued", decision["id"])]
    assert imm[0]["data"]["outcome"] == "positive"

    out = drain(client, outsider, out_cursor)[0]  # outsider is a decision recipient too
    assert {e["type"] for e in out} <= {"decision.issued"}
    assert all(e["resource_id"] != victim["id"] for e in out)


def test_cursor_gives_each_event_once(client: TestClient, ngo: Partner) -> None:
    _, cursor = drain(client, ngo)
    register_victim(client, ngo)
    first = poll(client, ngo, cursor)
    assert [e["type"] for e in first["items"]] == ["victim.registered"]
    again = poll(client, ngo, first["next_cursor"])
    assert again["items"] == []
    assert again["next_cursor"] == first["next_cursor"]
    register_victim(client, ngo)
    assert len(poll(client, ngo, first["next_cursor"])["items"]) == 1


def test_small_pages_cover_everything(client: TestClient, ngo: Partner) -> None:
    _, cursor = drain(client, ngo)
    op = create_operation(client, ngo)
    client.post(
        f"/v1/rescue-operations/{op['id']}/victims",
        json={"victims": [victim_body(i) for i in range(23)]},
        headers=ngo.headers,
    )
    seen: list[str] = []
    while True:
        page = poll(client, ngo, cursor, limit=5)
        if not page["items"]:
            break
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 24


def test_another_agencys_cursor_is_400(
    client: TestClient, ngo: Partner, make_partner: PartnerFactory
) -> None:
    register_victim(client, ngo)
    other = make_partner(["first_responder"])
    cursor = poll(client, ngo)["next_cursor"]
    r = client.get("/v1/events", params={"after": cursor}, headers=other.headers)
    assert r.status_code == 400
    assert r.json()["type"].endswith("invalid-cursor")
    for bad in ["x", "e30.AAAA", cursor + "x", "WzEsMl0.zzzz"]:
        assert (
            client.get("/v1/events", params={"after": bad}, headers=ngo.headers).status_code == 400
        )


def test_types_filter(client: TestClient, ngo: Partner) -> None:
    _, cursor = drain(client, ngo)
    victim = adult_with_consent(client, ngo)
    only = drain(client, ngo, cursor, types="consent.recorded")[0]
    assert [(e["type"], e["resource_id"]) for e in only] == [("consent.recorded", victim["id"])]
    two = drain(client, ngo, cursor, types="victim.registered,consent.recorded")[0]
    assert [e["type"] for e in two] == ["victim.registered", "consent.recorded"]
    assert client.get("/v1/events?types=nope", headers=ngo.headers).status_code == 422


def test_if_none_match_gives_304_while_nothing_changes(client: TestClient, ngo: Partner) -> None:
    _, cursor = drain(client, ngo)
    first = client.get("/v1/events", params={"after": cursor}, headers=ngo.headers)
    etag = first.headers["etag"]
    same = client.get(
        "/v1/events", params={"after": cursor}, headers={**ngo.headers, "If-None-Match": etag}
    )
    assert same.status_code == 304
    register_victim(client, ngo)
    changed = client.get(
        "/v1/events", params={"after": cursor}, headers={**ngo.headers, "If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert len(changed.json()["items"]) == 1


def test_events_carry_no_identity(client: TestClient, ngo: Partner) -> None:
    _, cursor = drain(client, ngo)
    canary = f"Qzevent{uuid.uuid4().hex[:8]}"
    body = victim_body(identity=False)
    body["identity"] = {"given_name": canary, "document_number": canary.upper()}
    victim = client.post("/v1/victims", json=body, headers=ngo.headers).json()
    client.patch(
        f"/v1/victims/{victim['id']}",
        json={"identity": {"given_name": canary + "x"}},
        headers=if_match(ngo, 1),
    )
    items, _ = drain(client, ngo, cursor)
    assert [e["type"] for e in items] == ["victim.registered", "victim.updated"]
    assert items[1]["data"]["fields"] == ["identity"]
    text = str(items)
    assert canary not in text
    assert canary.upper() not in text


def test_a_rolled_back_change_leaves_no_event(
    app: FastAPI, client: TestClient, ngo: Partner
) -> None:
    _, cursor = drain(client, ngo)
    caller = Caller(uuid.UUID(ngo.client_id), ngo.agency_id, frozenset(ngo.scopes))

    def register_then_fail() -> None:
        with app.state.uow.begin(caller) as session:
            victims.register(session, caller, VictimCreate(sex="female"), app.state.keyring)
            raise RuntimeError("fail after the event was written")

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert poll(client, ngo, cursor)["items"] == []


def test_feed_items_are_the_events_as_the_model_encodes_them(
    app: FastAPI, client: TestClient, ngo: Partner
) -> None:
    """The page's items, built from plain rows without parsing ids or instants, are what
    encoding ``event_item`` of the ORM events gives (pydantic's encoding, as every other
    response), for an instant with a fraction of a second and one without (a zero
    fraction is left out)."""
    from datetime import UTC, datetime

    from pydantic_core import to_json
    from sqlalchemy import update

    from app.events import feed
    from app.models import Event

    for _ in range(3):
        register_victim(client, ngo)
    with app.state.database.session() as session:
        audiences = feed.audiences_of(session, ngo.agency_id)
        first = feed.read_events(session, audiences, feed.START, limit=1, types=None)[0][0]
        session.execute(
            update(Event)
            .where(Event.id == first.id)  # type: ignore[arg-type]
            .values(occurred_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC))
        )
    with app.state.database.session(write=False) as session:
        events, last = feed.read_events(session, audiences, feed.START, limit=100, types=None)
        items, fast_last = feed.read_items_json(
            session, audiences, feed.START, limit=100, types=None
        )

    assert len(events) >= 3
    assert fast_last == last
    # Parsed: only ``data`` differs in bytes (spliced as stored, with json.dumps's spaces).
    assert [json.loads(i) for i in items] == [
        json.loads(to_json(feed.event_item(e))) for e in events
    ]
    assert all(b'"occurred_at":"' in i and b'Z","resource_type"' in i for i in items)
    stamps = [feed.event_item(e)["occurred_at"] for e in events]
    assert any(s.microsecond == 0 for s in stamps)
    assert any(s.microsecond for s in stamps)
