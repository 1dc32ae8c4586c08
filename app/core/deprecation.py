"""Deprecating an operation: OpenAPI says so, and every response carries the dates.

Partners learn of a deprecation three ways at once: ``deprecated: true`` in the document
(with ``x-deprecated-since``, ``x-sunset`` and ``x-deprecation-link``), and on every
response of that operation the headers ``Deprecation: @<epoch seconds>`` (RFC 9745),
``Sunset: <HTTP-date>`` (RFC 8594) and ``Link: <guide>; rel="deprecation"``. The notice
period of the README's policy is enforced when the route is declared.

    @router.get("/old", **deprecated_route(since=date(2027, 1, 4), sunset=date(2027, 7, 5),
                                           link="https://docs.example/migrate-old"))
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.routes import api_routes

# The partner policy (README, "Versioning and deprecation"): at least six months' notice.
MIN_NOTICE_DAYS = 183

SINCE_KEY = "x-deprecated-since"
SUNSET_KEY = "x-sunset"
LINK_KEY = "x-deprecation-link"

Headers = list[tuple[bytes, bytes]]


def deprecated_route(*, since: date, sunset: date, link: str) -> dict[str, Any]:
    """Keyword arguments for ``@router.<method>(...)`` that deprecate the operation."""
    if (sunset - since).days < MIN_NOTICE_DAYS:
        raise ValueError(f"a sunset needs at least {MIN_NOTICE_DAYS} days' notice")
    return {
        "deprecated": True,
        "openapi_extra": {
            SINCE_KEY: since.isoformat(),
            SUNSET_KEY: sunset.isoformat(),
            LINK_KEY: link,
        },
    }


def _midnight_utc(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0), UTC)


def deprecation_headers(route: Any) -> Headers | None:
    """The response headers of a route declared with ``deprecated_route``, else None."""
    extra = getattr(route, "openapi_extra", None) or {}
    if not getattr(route, "deprecated", False) or SUNSET_KEY not in extra:
        return None
    since = _midnight_utc(extra[SINCE_KEY])
    sunset = _midnight_utc(extra[SUNSET_KEY])
    return [
        (b"deprecation", f"@{int(since.timestamp())}".encode()),
        (b"sunset", format_datetime(sunset, usegmt=True).encode()),
        (b"link", f'<{extra[LINK_KEY]}>; rel="deprecation"'.encode()),
    ]


class DeprecationHeadersMiddleware:
    """Adds the deprecation headers to every response of a deprecated operation,
    whatever the handler returns (a model, a Response, or a problem)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_route: dict[int, Headers] | None = None

    def _headers_for(self, scope: Scope) -> Headers | None:
        if self._by_route is None:
            # Built on first use from the finished app, so routes added after the
            # middleware still count.
            application: FastAPI = scope["app"]
            self._by_route = {}
            for context in api_routes(application):
                headers = deprecation_headers(context.original_route)
                if headers:
                    self._by_route[id(context.original_route)] = headers
        route = scope.get("route")
        return self._by_route.get(id(route)) if route is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = self._headers_for(scope)
                if headers:
                    message.setdefault("headers", []).extend(headers)
            await send(message)

        await self.app(scope, receive, send_wrapper)
