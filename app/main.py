"""Application factory."""

from __future__ import annotations

import base64
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.api import public_router, v1_router
from app.audit.denied import handle_problem_audited
from app.auth.keys import SigningKey
from app.auth.tokens import TokenVerifier
from app.core.config import Settings, get_settings
from app.core.crypto import Keyring
from app.core.db import Database
from app.core.deprecation import DeprecationHeadersMiddleware
from app.core.deps import UnitOfWork
from app.core.errors import Problem, install_problem_handlers
from app.core.logging import configure_logging
from app.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from app.core.ratelimit import RateLimiter, make_counters
from app.core.resilience import ConflictRetryMiddleware, InFlightLimitMiddleware
from app.core.routes import route_templates
from app.docs import install_docs
from app.openapi_document import install_openapi
from app.webhooks.worker import DeliveryWorker, start_background_worker

MiB = 1024 * 1024
# Bulk routes that may carry a whole intake (up to 1000 people) in one body.
# Liveness and metrics still answer when the API sheds load.
OPS_PATHS = ("/healthz", "/metrics")
LARGE_BODY_ROUTES = [("POST", r"/v1/rescue-operations/[^/]+/victims")]

DESCRIPTION = """
The data exchange of a National Referral Mechanism: partner agencies register presumed
victims of trafficking, refer them to each other, and the competent authority records
identification decisions. Every agency sees only what it needs to know.

**Try it.** Press **Authorize**, enter an API client's id and secret (`make run` prints
one per demo agency; try `demo-ngo`), authorize, then open `GET /v1/victims` and
**Execute**. Swagger UI runs the OAuth 2.0 client-credentials flow against
`POST /v1/oauth/token`; tokens last at most 15 minutes.

**Conventions every operation follows**

- *Errors* are RFC 9457 problem details (`application/problem+json`). Compare on `type`
  (`urn:referral-api:problem:<slug>`); each response below lists the types it can carry,
  also as `x-problem-types`. Quote `request_id` when you report a problem.
- *Need to know*: a record your agency may not see answers exactly like a missing one (404).
- *Lists* take `limit` and an opaque `cursor`, and answer `{items, next_cursor}` with a
  `Link: rel="next"` header.
- *Changes* need `If-Match` with the `ETag` you read: none is 428, a stale one 412.
- *Creates* accept `Idempotency-Key`: a retry with the same key and body answers like the
  first request, with `Idempotent-Replayed: true`.
- *Bodies* are JSON (`Content-Type: application/json`, else 415), at most 1 MiB (8 MiB
  for a mass intake, else 413).
- *Versions*: this document's version follows semantic versioning; breaking changes come
  only under a new path (`/v2`), after at least six months' notice through `Deprecation`
  and `Sunset` headers. Every example here is synthetic.
"""


def _operation_id(route: APIRoute) -> str:
    # Stable ids partners' generated clients depend on: the handler's name.
    return route.name


def freeze_startup_objects() -> None:
    """Keep what start-up built (modules, models, routes, the OpenAPI schema: about
    100,000 objects that live as long as the process) out of the garbage collector's full
    passes. Each full pass scanned them all, found nothing to free and held the GIL for
    20-130 ms (measured under load), a pause every request in flight waited out."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production_secrets()
    configure_logging(settings.log_level)
    database = Database(settings)
    signing_key = SigningKey.from_pem(settings.signing_key_pem)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        freeze_startup_objects()
        background = None
        if settings.inprocess_worker:
            worker = DeliveryWorker(database, settings, app.state.keyring)
            background = start_background_worker(worker)
        yield
        if background is not None:
            thread, stop = background
            stop.set()
            thread.join(timeout=10)
        database.dispose()
        app.state.rate_limiter.counters.close()

    app = FastAPI(
        title="NRM Referral Exchange API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None,  # served from local assets by install_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.uow = UnitOfWork(database)
    app.state.rate_limiter = RateLimiter(make_counters(settings))
    app.state.signing_key = signing_key
    app.state.signing_keys = {signing_key.kid: signing_key}
    # The same dict: the verifier sees a key removed from it at once (rotate in place).
    app.state.token_verifier = TokenVerifier(
        app.state.signing_keys, issuer=settings.issuer, audience=settings.audience
    )
    app.state.keyring = Keyring.from_text(settings.identity_keys_text)
    app.state.hmac_key = base64.b64decode(settings.hmac_key_text)

    install_problem_handlers(app)
    app.add_exception_handler(Problem, handle_problem_audited)
    install_docs(app)
    app.include_router(public_router)
    app.include_router(v1_router)
    install_openapi(app)

    # Added last = outermost. RequestContext first, so every answer has a request id; then
    # the body-size limit, which buffers bodies within the limit; then the in-flight limit,
    # so a request takes a slot only once its body has arrived (a client trickling bodies
    # cannot occupy every slot); innermost the retry, which re-runs the buffered request.
    app.add_middleware(ConflictRetryMiddleware, retries=settings.db_conflict_retries)
    app.add_middleware(DeprecationHeadersMiddleware)
    app.add_middleware(
        InFlightLimitMiddleware,
        limit=settings.max_requests_in_flight,
        exempt_paths=OPS_PATHS,
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=1 * MiB,
        large_limit=8 * MiB,
        large_routes=LARGE_BODY_ROUTES,
    )
    app.add_middleware(
        RequestContextMiddleware,
        templates=route_templates(app),
        reraise=settings.reraise_unexpected_errors,
    )
    return app


def __getattr__(name: str) -> FastAPI:
    # ``app.main:app`` for uvicorn and tooling, built on first use so that importing this
    # module (tests, the CLI) has no side effects.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
