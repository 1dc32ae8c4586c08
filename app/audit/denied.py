"""Refused attempts on victim-data routes are audited too, in a transaction of their own
(the request's own transaction is rolled back with the error)."""

from __future__ import annotations

import logging
import re
import uuid

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.audit.trail import record
from app.core.errors import Problem, handle_problem

logger = logging.getLogger(__name__)

_VICTIM_DATA = re.compile(
    r"^/v1/(victims|referrals|decisions)(/.*)?$|^/v1/rescue-operations/[^/]+/victims$"
)
_VICTIM_ID = re.compile(r"^/v1/victims/([0-9a-fA-F-]{36})(/|$)")
# 401s are not recorded: no agency can be named, and anyone could flood the trail with
# them. Refusals of an authenticated caller (403, and 404 for what it may not see) are.
AUDITED_STATUSES = {403, 404}


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
        outcome = {403: "forbidden", 404: "not_found"}[exc.status]
        uow = request.app.state.uow

        def write() -> None:
            try:
                with uow.begin(None) as session:
                    victim_ids = [_victim_id(path)]
                    record(session, caller, "access.denied", "victim", victim_ids, outcome=outcome)
            except Exception as error:  # the refusal itself must still be answered
                logger.error(
                    "could not audit a refused request",
                    extra={"error_class": type(error).__name__},
                )

        await run_in_threadpool(write)
    return await handle_problem(request, exc)
