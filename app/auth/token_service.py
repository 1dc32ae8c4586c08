"""OAuth 2.0 client-credentials grant (RFC 6749 §4.4): authenticate, bound scopes, sign."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from app.auth.keys import SigningKey
from app.auth.scopes import allowed_scopes
from app.auth.secrets import dummy_hash, verify_secret
from app.auth.tokens import issue_access_token
from app.core.config import Settings
from app.models import Agency, ApiClient


class TokenError(Exception):
    """An RFC 6749 §5.2 error: ``error`` code, HTTP status and a safe description."""

    def __init__(
        self, error: str, description: str, status: int = 400, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


_dummy_hashes: dict[int, str] = {}


def _reject_client(secret: str, cost: int) -> TokenError:
    # Spend the same scrypt work as for a real client, so timing does not reveal which
    # client ids exist.
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = dummy_hash(cost)
    verify_secret(secret, _dummy_hashes[cost])
    return TokenError("invalid_client", "Client authentication failed.", status=401)


def issue_token(
    session: Session,
    settings: Settings,
    key: SigningKey,
    *,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
) -> IssuedToken:
    try:
        client_uuid = uuid.UUID(client_id)
    except ValueError:
        raise _reject_client(client_secret, settings.secret_hash_n) from None
    client = session.get(ApiClient, client_uuid)
    if client is None or client.revoked_at is not None:
        raise _reject_client(client_secret, settings.secret_hash_n)
    if not verify_secret(client_secret, client.secret_hash):
        raise TokenError("invalid_client", "Client authentication failed.", status=401)
    agency = session.get(Agency, client.agency_id)
    if agency is None:
        raise TokenError("invalid_client", "Client authentication failed.", status=401)

    # The agency's roles may have shrunk since the client was made: bound by both.
    grantable = set(client.scopes) & allowed_scopes(agency.roles)
    if requested_scope is None or not requested_scope.strip():
        scopes = grantable
    else:
        scopes = set(requested_scope.split())
        if not scopes <= grantable:
            raise TokenError("invalid_scope", "The requested scope exceeds the client's scopes.")
    if not scopes:
        raise TokenError("invalid_scope", "The client holds no scope its agency allows.")
    lifetime = settings.token_lifetime_seconds
    token = issue_access_token(
        key,
        issuer=settings.issuer,
        audience=settings.audience,
        client_id=client.id,
        agency_id=agency.id,
        scopes=sorted(scopes),
        lifetime_seconds=lifetime,
    )
    return IssuedToken(access_token=token, expires_in=lifetime, scope=" ".join(sorted(scopes)))
