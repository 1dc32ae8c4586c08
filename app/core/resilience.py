"""Pure ASGI middleware for load and contention: shed excess load, re-run lost races.

- ``InFlightLimitMiddleware`` (G16): past a number of requests in progress, new ones get
  503 with Retry-After at once. A queue longer than the server can drain only turns into
  client timeouts and hangs; an early 503 tells the client to come back.
- ``ConflictRetryMiddleware``: when PostgreSQL aborts a transaction because of a concurrent
  one (serialization failure, deadlock), nothing of it was kept, so the whole request is
  run again with the same body, a bounded number of times, then answered 503.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import TransactionConflict
from app.core.errors import ServiceUnavailable
from app.core.metrics import SHED_REQUESTS, TRANSACTION_RETRIES
from app.core.middleware import send_problem


class InFlightLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = frozenset(exempt_paths)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            SHED_REQUESTS.inc()
            await _unavailable(scope, send, "The server is at capacity; retry shortly.")
            return
        self.in_flight += 1  # one event loop per process: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class ConflictRetryMiddleware:
    def __init__(self, app: ASGIApp, *, retries: int) -> None:
        self.app = app
        self.retries = retries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # GET, HEAD and OPTIONS bodies are never read (and the body-size limit outside this
        # middleware lets them through unread), so they are not buffered either: buffering
        # them would let anyone make the process hold an endless chunked body. Other
        # methods' bodies are bounded by that limit.
        bodiless = scope["method"] in ("GET", "HEAD", "OPTIONS")
        request = [] if bodiless else await _read_request(receive)
        for attempt in range(self.retries + 1):
            started = False

            async def send_tracking(message: Message) -> None:
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            try:
                await self.app(scope, _replay(request, receive), send_tracking)
                return
            except TransactionConflict:
                if started:
                    raise
                if attempt < self.retries:
                    TRANSACTION_RETRIES.inc()
                    # Jittered backoff so the racing requests do not collide again.
                    await asyncio.sleep(random.uniform(0.005, 0.025) * (attempt + 1))  # noqa: S311
        await _unavailable(
            scope, send, "The request kept conflicting with concurrent changes; retry shortly."
        )


async def _unavailable(scope: Scope, send: Send, detail: str) -> None:
    """503 with Retry-After: nothing was done, so the client may simply try again."""
    await send_problem(
        scope,
        send,
        503,
        ServiceUnavailable.title,
        ServiceUnavailable.slug,
        detail,
        headers={"Retry-After": "1"},
    )


async def _read_request(receive: Receive) -> list[Message]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()  # after the body: wait for the client to disconnect

    return replay
