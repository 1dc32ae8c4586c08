"""G3: forged, expired, mis-audienced or revoked tokens never pass, all with one uniform 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Partner, PartnerFactory

PROBE = "/v1/agencies"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def enc(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


@pytest.fixture
def partner(make_partner: PartnerFactory) -> Partner:
    return make_partner(["first_responder"])


@pytest.fixture
def good_claims(app: FastAPI, partner: Partner) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": app.state.settings.issuer,
        "aud": app.state.settings.audience,
        "sub": partner.client_id,
        "client_id": partner.client_id,
        "agency_id": str(partner.agency_id),
        "scope": "agencies:read",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }


Signer = Callable[..., str]


@pytest.fixture
def sign(app: FastAPI) -> Signer:
    """Sign arbitrary header/claims with the server's real private key (RS256)."""
    key = app.state.signing_key

    def signer(claims: dict[str, Any], **header_overrides: Any) -> str:
        header = {"alg": "RS256", "typ": "at+jwt", "kid": key.kid, **header_overrides}
        header = {k: v for k, v in header.items() if v is not None}
        signing_input = f"{enc(header)}.{enc(claims)}"
        sig = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64(sig)}"

    return signer


def assert_uniform_401(client: TestClient, token: str) -> None:
    r = client.get(PROBE, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    body = r.json()
    assert body["detail"] == "A valid bearer access token is required."
    assert body["type"].endswith("invalid-token")


def test_control_a_well_formed_token_passes(
    client: TestClient, sign: Signer, good_claims: dict[str, Any]
) -> None:
    r = client.get(PROBE, headers={"Authorization": f"Bearer {sign(good_claims)}"})
    assert r.status_code == 200


def test_alg_none(client: TestClient, good_claims: dict[str, Any], app: FastAPI) -> None:
    kid = app.state.signing_key.kid
    token = f"{enc({'alg': 'none', 'typ': 'at+jwt', 'kid': kid})}.{enc(good_claims)}."
    assert_uniform_401(client, token)


def test_hs256_signed_with_public_key(
    client: TestClient, good_claims: dict[str, Any], app: FastAPI
) -> None:
    key = app.state.signing_key
    signing_input = f"{enc({'alg': 'HS256', 'typ': 'at+jwt', 'kid': key.kid})}.{enc(good_claims)}"
    for secret in (key.public_pem.encode(), key.public_pem.strip().encode()):
        sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert_uniform_401(client, f"{signing_input}.{b64(sig)}")


def test_unknown_kid(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    assert_uniform_401(client, sign(good_claims, kid="not-our-key"))


def test_missing_kid(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    assert_uniform_401(client, sign(good_claims, kid=None))


def test_wrong_typ(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    assert_uniform_401(client, sign(good_claims, typ="JWT"))
    assert_uniform_401(client, sign(good_claims, typ=None))


@pytest.mark.parametrize("field", ["jku", "jwk", "x5u", "crit"])
def test_extra_header_fields(
    client: TestClient, sign: Signer, good_claims: dict[str, Any], field: str
) -> None:
    assert_uniform_401(client, sign(good_claims, **{field: "https://attacker.invalid/k"}))


@pytest.mark.parametrize(
    "claim", ["exp", "iat", "nbf", "iss", "aud", "sub", "jti", "client_id", "agency_id", "scope"]
)
def test_missing_claim(
    client: TestClient, sign: Signer, good_claims: dict[str, Any], claim: str
) -> None:
    claims = dict(good_claims)
    del claims[claim]
    assert_uniform_401(client, sign(claims))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "urn:someone-else"),
        ("aud", "urn:other-api"),
        ("aud", ["urn:other-api", "urn:referral-api:v1"]),
        ("agency_id", "not-a-uuid"),
        ("scope", ["agencies:read"]),
        ("exp", "9999999999"),
    ],
)
def test_wrong_claim_values(
    client: TestClient, sign: Signer, good_claims: dict[str, Any], claim: str, value: Any
) -> None:
    assert_uniform_401(client, sign({**good_claims, claim: value}))


def test_expired(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    now = int(time.time())
    assert_uniform_401(
        client, sign({**good_claims, "iat": now - 900, "nbf": now - 900, "exp": now - 120})
    )


def test_not_yet_valid(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    assert_uniform_401(client, sign({**good_claims, "nbf": int(time.time()) + 600}))


def test_issued_in_the_future(
    client: TestClient, sign: Signer, good_claims: dict[str, Any]
) -> None:
    now = int(time.time())
    assert_uniform_401(client, sign({**good_claims, "iat": now + 300, "exp": now + 800}))


def test_lifetime_over_15_minutes(
    client: TestClient, sign: Signer, good_claims: dict[str, Any]
) -> None:
    now = int(time.time())
    assert_uniform_401(client, sign({**good_claims, "iat": now, "nbf": now, "exp": now + 901}))


def test_five_part_jwe(client: TestClient, good_claims: dict[str, Any]) -> None:
    token = ".".join([enc({"alg": "RSA-OAEP", "enc": "A256GCM"}), "a", "b", "c", "d"])
    assert_uniform_401(client, token)


def test_oversized(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    assert_uniform_401(client, sign({**good_claims, "pad": "x" * 9000}))


def test_tampered_payload(client: TestClient, sign: Signer, good_claims: dict[str, Any]) -> None:
    header, _payload, sig = sign(good_claims).split(".")
    forged = enc({**good_claims, "scope": "admin agencies:read"})
    assert_uniform_401(client, f"{header}.{forged}.{sig}")


def test_garbage(client: TestClient) -> None:
    for token in ["x", "a.b.c", "\x7f.\x7f.\x7f", "....", "Bearer"]:
        assert_uniform_401(client, token)


def test_token_of_revoked_client_stops_working_at_once(
    client: TestClient, partner: Partner, admin: Partner
) -> None:
    assert client.get(PROBE, headers=partner.headers).status_code == 200
    assert (
        client.delete(f"/v1/clients/{partner.client_id}", headers=admin.headers).status_code == 204
    )
    assert_uniform_401(client, partner.token)


def test_agency_id_swapped_for_another_agency(
    client: TestClient, sign: Signer, good_claims: dict[str, Any], make_partner: PartnerFactory
) -> None:
    other = make_partner(["first_responder"])
    assert_uniform_401(client, sign({**good_claims, "agency_id": str(other.agency_id)}))
