"""The token endpoint (RFC 6749 §4.4, errors per §5.2) and the public JWKS."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.auth.failures import count_failure, ensure_may_try
from app.auth.token_service import TokenError, issue_token
from app.core.errors import PayloadTooLarge, ServiceUnavailable
from app.core.ratelimit import Limit, RateLimited
from app.core.responses import example_response, problems

router = APIRouter(tags=["auth"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_BYTES = 8 * 1024


class TokenResponse(BaseModel):
    """A bearer access token (RFC 6749 section 5.1); ask for a new one when it expires."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.c2lnbmF0dXJl",
                    "token_type": "Bearer",
                    "expires_in": 900,
                    "scope": "victims:read victims:write",
                }
            ]
        }
    )

    access_token: str
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(examples=[900])
    scope: str = Field(examples=["victims:read victims:write"])


class TokenErrorResponse(BaseModel):
    """An OAuth 2.0 error (RFC 6749 section 5.2), not a problem document."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"error": "invalid_client", "error_description": "Client authentication failed."}
            ]
        }
    )

    error: str = Field(
        examples=["invalid_client"],
        description="invalid_request | invalid_client | invalid_scope | unsupported_grant_type",
    )
    error_description: str


def _error(err: TokenError, *, basic_used: bool) -> JSONResponse:
    headers = dict(_NO_STORE)
    if err.retry_after is not None:
        headers["Retry-After"] = str(err.retry_after)
    if err.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="referral-api"' if basic_used else "Basic"
    return JSONResponse(
        {"error": err.error, "error_description": err.description},
        status_code=err.status,
        headers=headers,
    )


def _parse_form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        raise TokenError("invalid_request", "The form body could not be parsed.") from None
    if any(len(values) != 1 for values in parsed.values()):
        raise TokenError("invalid_request", "A parameter was sent more than once.")
    form = {k: v[0] for k, v in parsed.items()}
    if any("\x00" in k or "\x00" in v for k, v in form.items()):
        raise TokenError("invalid_request", "The form body could not be parsed.")
    return form


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise TokenError("invalid_client", "Unsupported client authentication.", status=401)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise TokenError("invalid_client", "Malformed Basic credentials.", status=401) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise TokenError("invalid_client", "Malformed Basic credentials.", status=401)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        _FORM: {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "scope": {"type": "string", "description": "Space-separated subset."},
                    "client_id": {"type": "string", "description": "If not using Basic auth."},
                    "client_secret": {"type": "string", "description": "If not using Basic."},
                },
            },
            "example": {
                "grant_type": "client_credentials",
                "scope": "victims:read victims:write",
                "client_id": "5b9e3c71-0f2a-4d6b-8e4c-1a7f3d9b2c05",
                "client_secret": "sk_example_0000000000000000000000000000",
            },
        }
    },
}


@router.post(
    "/v1/oauth/token",
    operation_id="issue_token",
    response_model=TokenResponse,
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        # The middleware's body limit and a busy database answer as everywhere else.
        **problems(PayloadTooLarge, ServiceUnavailable),
        400: {
            "model": TokenErrorResponse,
            "description": "invalid_request, invalid_scope or "
            "unsupported_grant_type (RFC 6749 §5.2)",
        },
        401: {"model": TokenErrorResponse, "description": "invalid_client"},
        429: {
            "model": TokenErrorResponse,
            "description": "Too many failed attempts for this client id (see Retry-After).",
        },
    },
)
async def token(request: Request) -> JSONResponse:
    """Exchange client credentials for a bearer access token (no refresh token)."""
    auth_header = request.headers.get("authorization")
    basic_used = bool(auth_header)
    try:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != _FORM:
            raise TokenError("invalid_request", f"Send the parameters as {_FORM}.")
        body = await request.body()
        if len(body) > _MAX_FORM_BYTES:
            raise TokenError("invalid_request", "The form body is too large.")
        form = _parse_form(body)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise TokenError("invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise TokenError("unsupported_grant_type", "Only client_credentials is supported.")
        if auth_header:
            if "client_secret" in form:
                raise TokenError("invalid_request", "Use one client authentication method.")
            client_id, client_secret = _basic_credentials(auth_header)
        else:
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
            if not client_id or not client_secret:
                raise TokenError("invalid_client", "Client authentication failed.", status=401)
        state = request.app.state
        uow = state.uow

        settings = state.settings
        limiter = state.rate_limiter
        failures = Limit(settings.token_failure_limit, settings.token_failure_window_seconds)

        def work() -> Any:
            try:
                ensure_may_try(limiter, client_id, failures)
            except RateLimited as over:
                raise TokenError(
                    "invalid_request",
                    f"Too many failed attempts for this client; retry in {over.retry_after} "
                    "seconds.",
                    status=429,
                    retry_after=over.retry_after,
                ) from None
            try:
                with uow.begin(None, write=False) as session:
                    return issue_token(
                        session,
                        settings,
                        state.signing_key,
                        client_id=client_id,
                        client_secret=client_secret,
                        requested_scope=form.get("scope"),
                    )
            except TokenError as err:
                if err.error == "invalid_client":
                    count_failure(limiter, client_id, failures)
                raise

        issued = await run_in_threadpool(work)
    except TokenError as err:
        return _error(err, basic_used=basic_used)
    body_out = TokenResponse(
        access_token=issued.access_token,
        token_type="Bearer",  # noqa: S106 (a token type, not a secret)
        expires_in=issued.expires_in,
        scope=issued.scope,
    )
    return JSONResponse(body_out.model_dump(), headers=_NO_STORE)


_JWK_EXAMPLE = {
    "kty": "RSA",
    "kid": "2026-11-a1b2c3d4",
    "use": "sig",
    "alg": "RS256",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
    "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW"
    "2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6W"
    "eZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
}


@router.get(
    "/.well-known/jwks.json",
    operation_id="get_jwks",
    tags=["operations"],
    responses={200: example_response("The JSON Web Key Set.", {"keys": [_JWK_EXAMPLE]})},
)
async def jwks(request: Request) -> dict[str, Any]:
    """The public keys that verify access tokens (RFC 7517)."""
    return {"keys": [k.jwk() for k in request.app.state.signing_keys.values()]}
