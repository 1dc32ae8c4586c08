"""``referral-api demo``: the demo's numbers through the API, as a newcomer would see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.migrations import upgrade
from app.demo.build import build_demo
from app.main import create_app
from tests.conftest import request_token


def _headers(client: TestClient, creds: dict[str, Any]) -> dict[str, str]:
    token = request_token(client, creds["client_id"], creds["client_secret"])
    return {"Authorization": f"Bearer {token}"}


def _all(
    client: TestClient, url: str, headers: dict[str, str], **filters: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 200, **filters} | ({"cursor": cursor} if cursor else {})
        page = client.get(url, params=params, headers=headers).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_demo_numbers(settings: Settings, scratch_url: str, tmp_path: Path) -> None:
    demo_settings = Settings(**(settings.model_dump() | {"database_url": scratch_url,
                                                         "data_dir": tmp_path}))  # fmt: skip
    upgrade(scratch_url)
    messages: list[str] = []
    credentials = {c.slug: c.__dict__ for c in build_demo(demo_settings, progress=messages.append)}
    assert any("260/260" in m for m in messages)  # long work shows progress
    assert len(credentials) == 10

    with TestClient(create_app(demo_settings)) as client:
        ngo = _headers(client, credentials["demo-ngo"])
        [operation] = client.get("/v1/rescue-operations", headers=ngo).json()["items"]
        summary = client.get(f"/v1/rescue-operations/{operation['id']}/summary", headers=ngo).json()
        assert summary["victims_registered"] == 260
        assert summary["referred"] == 260
        assert summary["identification"] == {"identified": 258, "not_identified": 2, "pending": 0}
        assert len(summary["nationalities"]) == 19
        assert sum(summary["nationalities"].values()) == 260
        statuses = summary["referrals_by_status"]
        assert statuses["completed"] >= 260
        for status in ("requested", "received", "accepted", "in_progress", "rejected", "cancelled"):
            assert statuses.get(status, 0) > 0, status

        immigration = _headers(client, credentials["demo-immigration"])
        finals = _all(client, "/v1/decisions", immigration, stage="final")
        assert len(finals) == 260
        assert sum(d["outcome"] == "positive" for d in finals) == 258

        shelter = _headers(client, credentials["demo-shelter"])
        seen = _all(client, "/v1/victims", shelter)
        assert 0 < len(seen) < 260  # only the people referred to it, not rejected/cancelled
        incoming = _all(client, "/v1/referrals", shelter, direction="incoming")
        assert {r["purpose"] for r in incoming} == {"shelter"}

        overdue = client.get("/v1/referrals?overdue=true", headers=ngo).json()["items"]
        assert overdue == []  # every identification referral was decided

        admin = _headers(client, credentials["demo-admin"])
        assert len(_all(client, "/v1/agencies", admin)) == 10
