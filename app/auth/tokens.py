"""Access tokens: issued here with ``cryptography``; verified by one function.

python-jose is used only inside :func:`verify_access_token`, which closes every trap of
SECURITY.md §3 (algorithm confusion, missing claims, ignored ``kid``, string
``algorithms``): the key is chosen by us from ``kid``, passed as a key object with that
key's one algorithm, and every claim we rely on is checked again here.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from app.auth.keys import ALGORITHM, SigningKey

TOKEN_TYPE = "at+jwt"  # noqa: S105 (the JWT "typ", not a secret)
MAX_TOKEN_BYTES = 8 * 1024
MAX_LIFETIME_SECONDS = 15 * 60
CLOCK_SKEW_SECONDS = 30
_ALLOWED_HEADER_FIELDS = frozenset({"alg", "typ", "kid"})
_REQUIRED_CLAIMS = (
    "exp",
    "iat",
    "nbf",
    "iss",
    "aud",
    "sub",
    "jti",
    "client_id",
    "agency_id",
    "scope",
)


# Verification key objects by public key PEM (filled by verify_access_token).
_VERIFIERS: dict[str, Any] = {}


class InvalidToken(Exception):
    """Any reason at all: callers get one uniform 401 and no hint which check failed."""


@dataclass(frozen=True)
class TokenClaims:
    client_id: uuid.UUID
    agency_id: uuid.UUID
    scopes: frozenset[str]
    jti: str
    expires_at: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def issue_access_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    client_id: uuid.UUID,
    agency_id: uuid.UUID,
    scopes: list[str],
    lifetime_seconds: int,
    now: int | None = None,
) -> str:
    if not 0 < lifetime_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError("token lifetime must be at most 15 minutes")
    issued = int(time.time()) if now is None else now
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": str(client_id),
        "client_id": str(client_id),
        "agency_id": str(agency_id),
        "scope": " ".join(sorted(scopes)),
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_seconds,
        "jti": uuid.uuid4().hex,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def verify_access_token(
    token: str,
    *,
    keys: dict[str, SigningKey],
    issuer: str,
    audience: str,
    now: int | None = None,
) -> TokenClaims:
    """Return the claims of a valid access token or raise :class:`InvalidToken`."""
    from jose import jwk, jwt  # the only place python-jose is used

    try:
        if len(token) > MAX_TOKEN_BYTES or not token.isascii() or token.count(".") != 2:
            raise InvalidToken  # also refuses 5-part JWE and oversized tokens
        header = jwt.get_unverified_header(token)
        if not isinstance(header, dict) or set(header) - _ALLOWED_HEADER_FIELDS:
            raise InvalidToken  # jku, jwk, x5u, crit, ... are never honoured
        if header.get("alg") != ALGORITHM or header.get("typ") != TOKEN_TYPE:
            raise InvalidToken
        kid = header.get("kid")
        if not isinstance(kid, str) or kid not in keys:
            raise InvalidToken
        key = keys[kid]
        verifier = _VERIFIERS.get(key.public_pem)
        if verifier is None:
            # Parsing the PEM into a key object cost more than the RSA check itself on
            # every request; the object depends only on the public key, so keep it.
            verifier = _VERIFIERS[key.public_pem] = jwk.construct(
                key.public_pem, algorithm=ALGORITHM
            )
        claims: dict[str, Any] = jwt.decode(
            token,
            verifier,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={
                "verify_signature": True,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": True,
                "verify_iss": True,
                "require_exp": True,
                "require_iat": True,
                "require_nbf": True,
                "require_iss": True,
                "require_aud": True,
                "require_sub": True,
                "require_jti": True,
                "leeway": CLOCK_SKEW_SECONDS,
            },
        )
        return _check_claims(claims, issuer=issuer, audience=audience, now=now)
    except InvalidToken:
        raise
    except Exception as exc:  # jose raises a zoo of types; all of them mean "invalid"
        raise InvalidToken from exc


class TokenVerifier:
    """``verify_access_token`` with a memory of tokens it has already accepted.

    An RS256 check and python-jose's parsing were the largest single cost of an
    authenticated read (about a quarter of a millisecond), paid again on every request of
    a token that lives 15 minutes. A token accepted once is accepted again without them,
    as long as the key that signed it is still one of ``keys`` and it has not expired
    (``still_valid`` checks the clock each time). Refused tokens are never remembered, so
    a forged token costs the full check every time. Revocation is not a token property:
    it is checked in the database inside every unit of work, cached or not.
    """

    def __init__(
        self, keys: dict[str, SigningKey], *, issuer: str, audience: str, size: int = 4096
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.size = size
        # token -> (claims, public key PEM that verified it). Insertion order = age.
        self._accepted: dict[str, tuple[TokenClaims, str]] = {}

    def verify(self, token: str, *, now: int | None = None) -> TokenClaims:
        remembered = self._accepted.get(token)
        if remembered is not None:
            claims, public_pem = remembered
            if still_valid(claims, now) and any(
                k.public_pem == public_pem for k in self.keys.values()
            ):
                return claims
            self._accepted.pop(token, None)
        claims = verify_access_token(
            token, keys=self.keys, issuer=self.issuer, audience=self.audience, now=now
        )
        if len(self._accepted) >= self.size:
            # Forget the oldest (dicts keep insertion order): bounded memory.
            self._accepted.pop(next(iter(self._accepted)), None)
        self._accepted[token] = (claims, self._signer_pem(token))
        return claims

    def _signer_pem(self, token: str) -> str:
        """The PEM of the key named by the (already verified) token's ``kid``."""
        header = json.loads(base64.urlsafe_b64decode(_padded(token.split(".", 1)[0])))
        return self.keys[header["kid"]].public_pem


def _padded(segment: str) -> bytes:
    return (segment + "=" * (-len(segment) % 4)).encode()


def still_valid(claims: TokenClaims, now: int | None = None) -> bool:
    """The time check of ``_check_claims`` for a token verified earlier: expiry only,
    since ``nbf`` and ``iat`` passed then and only recede."""
    current = int(time.time()) if now is None else now
    return claims.expires_at > current - CLOCK_SKEW_SECONDS


def _check_claims(
    claims: dict[str, Any], *, issuer: str, audience: str, now: int | None
) -> TokenClaims:
    current = int(time.time()) if now is None else now
    if any(name not in claims for name in _REQUIRED_CLAIMS):
        raise InvalidToken
    exp, iat, nbf = claims["exp"], claims["iat"], claims["nbf"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat, nbf)):
        raise InvalidToken
    if claims["iss"] != issuer or claims["aud"] != audience:  # exact, never list membership
        raise InvalidToken
    if exp - iat > MAX_LIFETIME_SECONDS or exp <= current - CLOCK_SKEW_SECONDS:
        raise InvalidToken
    if iat > current + CLOCK_SKEW_SECONDS or nbf > current + CLOCK_SKEW_SECONDS:
        raise InvalidToken
    scope, jti = claims["scope"], claims["jti"]
    if not isinstance(scope, str) or not isinstance(jti, str) or not jti:
        raise InvalidToken
    if claims["sub"] != claims["client_id"]:
        raise InvalidToken
    client_id = uuid.UUID(str(claims["client_id"]))
    agency_id = uuid.UUID(str(claims["agency_id"]))
    return TokenClaims(
        client_id=client_id,
        agency_id=agency_id,
        scopes=frozenset(scope.split()),
        jti=jti,
        expires_at=exp,
    )
