"""G2: every /v1 route needs a token and its scope (walks the app's routes)."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import PartnerFactory
from tests.routes import v1_routes


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_there_are_routes_to_check(app: FastAPI) -> None:
    assert len(v1_routes(app)) >= 7


def test_every_v1_route_declares_a_scope(app: FastAPI) -> None:
    unscoped = [(m, p) for m, p, scopes in v1_routes(app) if not scopes]
    assert unscoped == []


def test_every_v1_route_refuses_a_missing_token(app: FastAPI, client: TestClient) -> None:
    for method, path, _ in v1_routes(app):
        r = client.request(method, _concrete(path))
        assert r.status_code == 401, (method, path, r.status_code)
        assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_every_v1_route_refuses_a_token_without_its_scope(
    app: FastAPI, client: TestClient, make_partner: PartnerFactory
) -> None:
    # A client holding only the universal scopes still authenticates fine.
    weak = make_partner(["decision_recipient"], scopes=["agencies:read"])
    for method, path, scopes in v1_routes(app):
        if scopes <= {"agencies:read"}:
            continue
        r = client.request(method, _concrete(path), headers=weak.headers, json={})
        assert r.status_code == 403, (method, path, r.status_code)
        assert r.json()["type"].endswith("insufficient-scope")
        assert 'error="insufficient_scope"' in r.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("roles", "method", "path", "expected"),
    [
        (["first_responder"], "POST", "/v1/agencies", 403),
        (["oversight"], "DELETE", "/v1/clients/{id}", 403),
        (["service_provider"], "GET", "/v1/agencies/{id}/clients", 403),
    ],
)
def test_roles_without_admin_cannot_administer(
    client: TestClient,
    make_partner: PartnerFactory,
    roles: list[str],
    method: str,
    path: str,
    expected: int,
) -> None:
    p = make_partner(roles)
    r = client.request(method, _concrete(path), headers=p.headers, json={})
    assert r.status_code == expected
