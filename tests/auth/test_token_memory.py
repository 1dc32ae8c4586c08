"""The verified-token memory (``TokenVerifier``) never accepts what the full check refuses:
an expired token, a token whose signing key is gone, or a token it was never shown valid."""

from __future__ import annotations

import time
import uuid

import pytest

from app.auth.keys import SigningKey, generate_private_key_pem
from app.auth.tokens import (
    CLOCK_SKEW_SECONDS,
    InvalidToken,
    TokenVerifier,
    issue_access_token,
)

ISSUER, AUDIENCE = "https://nrm.example", "nrm-api"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.from_pem(generate_private_key_pem())


def _token(key: SigningKey, now: int, lifetime: int = 600) -> str:
    return issue_access_token(
        key, issuer=ISSUER, audience=AUDIENCE, client_id=uuid.uuid4(),
        agency_id=uuid.uuid4(), scopes=["victims:read"], lifetime_seconds=lifetime, now=now,
    )  # fmt: skip


def test_a_remembered_token_still_expires(key: SigningKey) -> None:
    now = int(time.time())
    verifier = TokenVerifier({key.kid: key}, issuer=ISSUER, audience=AUDIENCE)
    token = _token(key, now, lifetime=60)
    first = verifier.verify(token, now=now)
    assert verifier.verify(token, now=now + 30) == first  # remembered
    with pytest.raises(InvalidToken):
        verifier.verify(token, now=now + 60 + CLOCK_SKEW_SECONDS)
    assert token not in verifier._accepted  # forgotten, not kept beside a refusal


def test_a_remembered_token_dies_with_its_key(key: SigningKey) -> None:
    other = SigningKey.from_pem(generate_private_key_pem())
    keys = {key.kid: key}
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
    now = int(time.time())
    token = _token(key, now)
    verifier.verify(token, now=now)
    keys.clear()
    keys[other.kid] = other  # the key was rotated out
    with pytest.raises(InvalidToken):
        verifier.verify(token, now=now)


def test_refused_tokens_are_not_remembered(key: SigningKey) -> None:
    verifier = TokenVerifier({key.kid: key}, issuer=ISSUER, audience=AUDIENCE)
    now = int(time.time())
    head, body, _sig = _token(key, now).split(".")
    forged = f"{head}.{body}.{'A' * 342}"
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(forged, now=now)


def test_memory_is_bounded(key: SigningKey) -> None:
    verifier = TokenVerifier({key.kid: key}, issuer=ISSUER, audience=AUDIENCE, size=3)
    now = int(time.time())
    tokens = [_token(key, now) for _ in range(5)]
    for token in tokens:
        verifier.verify(token, now=now)
    assert len(verifier._accepted) == 3
    assert list(verifier._accepted) == tokens[2:]  # the oldest were forgotten
