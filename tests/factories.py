"""Synthetic request bodies. Names are obviously invented; no real person's data."""

from __future__ import annotations

import random
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Partner

NATIONALITIES = ["PH", "LA", "KH", "CN", "LK", "VN", "ID", "NP", "IN", "KE", "UG", "ET", "NG",
                 "GH", "TZ", "BD", "PK", "MY", "TH"]  # fmt: skip


def operation_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Synthetic hand-over at the border",
        "started_on": "2026-11-20",
        "location": {"place": "Mae Sot", "region": "Tak", "country": "TH"},
        "country_of_exploitation": "MM",
        "participating_agency_ids": [],
        **overrides,
    }


def victim_body(i: int = 0, *, identity: bool = True, **overrides: Any) -> dict[str, Any]:
    rng = random.Random(i)
    body: dict[str, Any] = {
        "external_ref": f"EXT-{uuid.uuid4().hex[:10]}",
        "sex": rng.choice(["female", "male"]),
        "age_estimate": rng.randint(16, 45),
        "nationality": NATIONALITIES[i % len(NATIONALITIES)],
        "languages": ["en"],
        "exploitation_types": ["forced_criminality"],
        "country_of_exploitation": "MM",
        "recruitment_method": "false_job_offer",
        "needs": ["shelter", "medical"],
    }
    if identity:
        body["identity"] = {
            "given_name": f"Testgiven{i}",
            "family_name": "Synthetic",
            "aliases": [],
            "document_type": "passport",
            "document_number": f"X{i:07d}",
        }
    body.update(overrides)
    return body


def create_operation(client: TestClient, partner: Partner, **overrides: Any) -> dict[str, Any]:
    r = client.post(
        "/v1/rescue-operations", json=operation_body(**overrides), headers=partner.headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def register_victim(client: TestClient, partner: Partner, **overrides: Any) -> dict[str, Any]:
    r = client.post("/v1/victims", json=victim_body(**overrides), headers=partner.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def if_match(partner: Partner, version: int) -> dict[str, str]:
    return {**partner.headers, "If-Match": f'"{version}"'}
