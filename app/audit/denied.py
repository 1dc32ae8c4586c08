"""Refused attempts on victim-data routes are audited too, in a transaction of their own
(the request's own transaction is rolled back with the error)."""

from __future__ import annotations

import re
import uuid

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.audit.trail import record
from app.core.errors import Problem, handle_problem

_VICTIM_DATA = re.compile(
    r"^/v1/(victims|referrals|decisions)(/.*)?$|^/v1/rescue-operations/[^/]+/victims$"
)
_VICTIM_ID = re.compile(r"^/v1/victims/([0-9a-fA-F-]{36})(/|$)")
AUDITED_STATUSES = {401, 403, 404}


def _victim_id(path: str) -> uuid.UUID | None:
    match = _VICTIM_ID.match(path)
    try:
        return uuid.UUID(match.group(1)) if match else None
    except ValueError:
        return None


async def handle_problem_audited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    path = request.url.path
    if exc.status in AUDITED_STATUSES and _VICTIM_DATA.match(path):
        caller = request.scope.get("state", {}).get("caller")
        outcome = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[exc.status]
        uow = request.app.state.uow

        def write() -> None:
            with uow.begin(None) as session:
                record(
                    session, caller, "access.denied", "victim", [_victim_id(path)], outcome=outcome
                )

        await run_in_threadpool(write)
    return await handle_problem(request, exc)
