"""The authentication dependency: verifies the token and enforces the route's scopes.

FastAPI does not compare ``Security(scopes=...)`` with anything by itself; this does.
Revocation is checked against the database inside the request's unit of work
(``app.core.uow``), so a revoked client's tokens stop working at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from app.auth.errors import InsufficientScope, InvalidTokenProblem, TooManyRequests
from app.auth.principal import Caller
from app.auth.scopes import SCOPE_DESCRIPTIONS, Scope
from app.auth.tokens import InvalidToken
from app.core.ratelimit import Limit, RateLimited

TOKEN_URL = "/v1/oauth/token"  # noqa: S105 (a path, not a secret)


class OAuth2ClientCredentials(OAuth2):
    """Documents the client-credentials flow so Swagger UI's Authorize button runs it."""

    def __init__(self) -> None:
        flows = OAuthFlows(
            clientCredentials=OAuthFlowClientCredentials(
                tokenUrl=TOKEN_URL, scopes=dict(SCOPE_DESCRIPTIONS)
            )
        )
        super().__init__(flows=flows, scheme_name="OAuth2", auto_error=False)

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return None
        return credentials.strip()


oauth2_scheme = OAuth2ClientCredentials()

_CALLER_KEY = "caller"


async def authenticated(
    security_scopes: SecurityScopes,
    request: Request,
    token: Annotated[str | None, Security(oauth2_scheme)],
) -> Caller:
    caller: Caller | None = request.scope.setdefault("state", {}).get(_CALLER_KEY)
    if caller is None:
        if token is None:
            raise InvalidTokenProblem()
        state: Any = request.app.state
        try:
            claims = state.token_verifier.verify(token)
        except InvalidToken:
            raise InvalidTokenProblem() from None
        caller = Caller(
            client_id=claims.client_id, agency_id=claims.agency_id, scopes=claims.scopes
        )
        # The parent router and the route both depend on this with different scopes;
        # verify the signature (and count the request) once per request.
        request.scope["state"][_CALLER_KEY] = caller
        await _count_request(state, caller)
    missing = [s for s in security_scopes.scopes if s not in caller.scopes]
    if missing:
        raise InsufficientScope(security_scopes.scopes)
    return caller


async def _count_request(state: Any, caller: Caller) -> None:
    """G15: one client over its limit gets 429 and cannot starve the others."""
    settings = state.settings
    limit = Limit(settings.api_rate_limit, settings.api_rate_window_seconds)
    limiter = state.rate_limiter
    bucket = f"api:{caller.client_id}"
    try:
        await limiter.consume_async(bucket, limit)
    except RateLimited as over:
        raise TooManyRequests(
            limit=limit.count, window_seconds=limit.seconds, retry_after=over.retry_after
        ) from None


def requires(*scopes: Scope) -> Any:
    return Security(authenticated, scopes=[s.value for s in scopes])


AgenciesRead = Annotated[Caller, requires(Scope.AGENCIES_READ)]
Admin = Annotated[Caller, requires(Scope.ADMIN)]
OperationsRead = Annotated[Caller, requires(Scope.OPERATIONS_READ)]
OperationsWrite = Annotated[Caller, requires(Scope.OPERATIONS_WRITE)]
VictimsRead = Annotated[Caller, requires(Scope.VICTIMS_READ)]
VictimsWrite = Annotated[Caller, requires(Scope.VICTIMS_WRITE)]
ReferralsRead = Annotated[Caller, requires(Scope.REFERRALS_READ)]
ReferralsWrite = Annotated[Caller, requires(Scope.REFERRALS_WRITE)]
DecisionsRead = Annotated[Caller, requires(Scope.DECISIONS_READ)]
DecisionsWrite = Annotated[Caller, requires(Scope.DECISIONS_WRITE)]
EventsRead = Annotated[Caller, requires(Scope.EVENTS_READ)]
WebhooksManage = Annotated[Caller, requires(Scope.WEBHOOKS_MANAGE)]
StatisticsRead = Annotated[Caller, requires(Scope.STATISTICS_READ)]
AuditRead = Annotated[Caller, requires(Scope.AUDIT_READ)]
