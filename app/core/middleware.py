"""Pure ASGI middleware: request ids, access logs and metrics, and the body-size limit."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.context import request_id as request_id_var
from app.core.errors import PROBLEM_MEDIA_TYPE, error_fields, problem_type
from app.core.metrics import LATENCY, REQUESTS

access_log = logging.getLogger("app.access")
error_log = logging.getLogger("app.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Sets the request id (``X-Request-ID`` in and out), logs one line, counts metrics."""

    def __init__(self, app: ASGIApp, *, templates: dict[int, str], reraise: bool = False) -> None:
        self.app = app
        self.templates = templates
        # Tests set this so a 500 fails loudly with its traceback instead of a log line.
        self.reraise = reraise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        response_started = False
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Rendered here rather than by Starlette's outermost error middleware so that
            # the 500 carries the request id like every other response.
            error_log.error(
                "unhandled exception",
                extra={"request_id": request_id, **error_fields(exc)},
            )
            if response_started or self.reraise:
                raise
            await send_problem(
                scope,
                send_wrapper,
                500,
                "Internal server error",
                "internal-error",
                "The server could not complete the request. Quote the request_id if you report it.",
            )
        finally:
            request_id_var.reset(token)
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = self.templates.get(id(route), "unmatched") if route else "unmatched"
            method = scope["method"]
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(elapsed)
            caller = scope["state"].get("caller")
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "agency_id": str(caller.agency_id) if caller else None,
                    "client_id": str(caller.client_id) if caller else None,
                },
            )


class BodySizeLimitMiddleware:
    """413 for bodies over the limit, before anything parses them.

    With a Content-Length the request is refused at once; without one (chunked), the body
    is read up to the limit and the request refused as soon as it goes over, so a client
    cannot make the server buffer more than the limit either way.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        large_limit: int,
        large_routes: Iterable[tuple[str, str]],
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.large_limit = large_limit
        self.large_routes = [(m, re.compile(p)) for m, p in large_routes]

    def _limit_for(self, method: str, path: str) -> int:
        for route_method, pattern in self.large_routes:
            if method == route_method and pattern.fullmatch(path):
                return self.large_limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["method"], scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._reject(scope, send, 400, "bad-request", "Invalid Content-Length.")
                return
            if int(declared) > limit:
                await self._too_large(scope, send, limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._too_large(scope, send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        buffered: list[Message] = [
            {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        ]

        async def replay() -> Message:
            if buffered:
                return buffered.pop()
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await self._reject(
            scope,
            send,
            413,
            "payload-too-large",
            f"The request body exceeds the limit of {limit // (1024 * 1024)} MiB for this route.",
        )

    async def _reject(self, scope: Scope, send: Send, status: int, slug: str, detail: str) -> None:
        titles = {400: "Bad request", 413: "Payload too large"}
        await send_problem(scope, send, status, titles[status], slug, detail, close=True)


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    slug: str,
    detail: str,
    *,
    close: bool = False,
    headers: dict[str, str] | None = None,
) -> None:
    """Send a problem+json response from ASGI middleware (outside FastAPI's handlers)."""
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": scope["path"],
        "request_id": scope.get("state", {}).get("request_id"),
    }
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    if close:
        raw_headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
