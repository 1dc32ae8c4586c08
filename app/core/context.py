"""Request-scoped values that code deep in a unit of work may need (the request id)."""

from __future__ import annotations

from contextvars import ContextVar

# Set by RequestContextMiddleware; threadpool calls copy the context, so endpoints see it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
