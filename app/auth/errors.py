"""RFC 6750 bearer-token errors, rendered as problem+json with WWW-Authenticate."""

from __future__ import annotations

from app.core.errors import Problem

REALM = "referral-api"


class InvalidTokenProblem(Problem):
    status = 401
    title = "Unauthorized"
    slug = "invalid-token"
    default_detail = "A valid bearer access token is required."

    def __init__(self) -> None:
        super().__init__(
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="{REALM}", error="invalid_token", '
                    'error_description="The access token is missing, invalid, expired or revoked"'
                )
            }
        )


class InsufficientScope(Problem):
    status = 403
    title = "Forbidden"
    slug = "insufficient-scope"
    default_detail = "The access token lacks a scope this operation needs."

    def __init__(self, needed: list[str]) -> None:
        scope = " ".join(needed)
        super().__init__(
            f"This operation needs the scope(s): {scope}.",
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
                )
            },
            extra={"required_scopes": needed},
        )


class TooManyRequests(Problem):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"
    default_detail = "This client is over its request limit; retry after the given seconds."

    def __init__(self, *, limit: int, window_seconds: int, retry_after: int) -> None:
        super().__init__(
            f"This client may make {limit} requests per {window_seconds} seconds; "
            f"retry in {retry_after} seconds.",
            headers={
                "Retry-After": str(retry_after),
                # IETF draft-ietf-httpapi-ratelimit-headers, so clients can pace themselves.
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(retry_after),
            },
        )
