"""Routes: public operations endpoints, the token endpoint, and the authenticated /v1 tree.

Every router under ``/v1`` is mounted below a parent that requires a valid token, so a
route someone forgets to give a scope is still never public.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.agencies.router import clients_router as agency_clients_router
from app.agencies.router import router as agencies_router
from app.audit.router import router as audit_router
from app.auth.deps import authenticated
from app.auth.router import router as auth_router
from app.core.metrics import render as render_metrics
from app.core.migrations import is_at_head
from app.core.responses import example_response
from app.decisions.router import router as decisions_router
from app.events.router import router as events_router
from app.operations.router import router as operations_router
from app.referrals.router import router as referrals_router
from app.statistics.router import router as statistics_router
from app.victims.router import router as victims_router
from app.webhooks.router import router as webhooks_router

ops_router = APIRouter(tags=["operations"])


@ops_router.get(
    "/healthz",
    operation_id="healthz",
    responses={200: example_response("The process answers.", {"status": "ok"})},
)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@ops_router.get(
    "/readyz",
    operation_id="readyz",
    responses={
        200: example_response("Ready to serve.", {"status": "ready", "detail": "ok"}),
        503: example_response(
            "Database unreachable or migrations not at head (with Retry-After).",
            {"status": "not_ready", "detail": "migrations are not at head"},
        ),
    },
)
async def readyz(request: Request) -> Any:
    """Readiness: the database answers and its schema is at the latest migration."""
    engine = request.app.state.database.engine
    try:
        ready = await run_in_threadpool(is_at_head, engine)
        reason = "ok" if ready else "migrations are not at head"
    except Exception:  # any database failure means "not ready", never a 500
        ready, reason = False, "database unreachable"
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "detail": reason},
        status_code=200 if ready else 503,
        headers=None if ready else {"Retry-After": "5"},
    )


@ops_router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={
        200: example_response(
            "Prometheus text exposition format.",
            "# TYPE http_requests_total counter\n"
            'http_requests_total{method="GET",route="/v1/victims",status="200"} 42.0\n',
            media_type="text/plain",
        )
    },
)
async def metrics() -> Response:
    """Prometheus metrics in text format."""
    return Response(render_metrics(), media_type="text/plain; version=0.0.4; charset=utf-8")


v1_router = APIRouter(prefix="/v1", dependencies=[Security(authenticated)])
v1_router.include_router(agencies_router)
v1_router.include_router(agency_clients_router)
v1_router.include_router(operations_router)
v1_router.include_router(victims_router)
v1_router.include_router(referrals_router)
v1_router.include_router(decisions_router)
v1_router.include_router(events_router)
v1_router.include_router(webhooks_router)
v1_router.include_router(statistics_router)
v1_router.include_router(audit_router)

public_router = APIRouter()
public_router.include_router(ops_router)
public_router.include_router(auth_router)
