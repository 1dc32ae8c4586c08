"""The served OpenAPI document: FastAPI's, completed so that it teaches.

Three things are added to every operation: the problems its kind of route can return,
a human summary with the scopes it needs, and descriptions of shared parameters.

Problems: a route that takes a token can answer 401 and 403, one with a JSON body 400, 413, 415 and
422, one that opens a unit of work 503, and so on. These follow from the route's
parameters and dependencies, so they are derived here from FastAPI's dependant tree and
merged with the domain problems each router names with ``problems(...)``. That keeps the
contract honest for routes added later, and keeps routers short.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from app.auth.deps import authenticated
from app.auth.errors import InsufficientScope, InvalidTokenProblem, TooManyRequests
from app.core.deps import get_uow
from app.core.errors import (
    InvalidField,
    MalformedJson,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ServiceUnavailable,
    UnsupportedMediaType,
    problem_type,
)
from app.core.idempotency import IdempotencyKeyInFlight, IdempotencyKeyReused
from app.core.pagination import InvalidCursor
from app.core.responses import PROBLEM_TYPES_KEY, ProblemDetail, problem_doc
from app.core.routes import api_routes

# Shared parameters, described once: path ids and the filters several lists take.
PARAMETER_HELP = {
    "agency_id": "An agency's id (from `GET /v1/agencies`).",
    "client_id": "An API client's id.",
    "operation_id": "A rescue operation's id.",
    "rescue_operation_id": "Only records of this rescue operation (one your agency can see).",
    "victim_id": "A victim record's id (not its case number).",
    "consent_id": "A consent's id (from the victim record's `consents`).",
    "referral_id": "A referral's id.",
    "decision_id": "An identification decision's id.",
    "webhook_id": "A webhook subscription's id.",
    "nationality": "ISO 3166-1 alpha-2 country code, e.g. `PH`.",
    "identification_status": "Only people with this identification status.",
    "exploitation_type": "Only people with this exploitation type among theirs.",
    "updated_after": "Only records changed after this instant (RFC 3339 with offset).",
    "decided_after": "Only decisions taken after this instant (RFC 3339 with offset).",
    "direction": "`incoming` (sent to your agency) or `outgoing` (sent by it); both if absent.",
    "status": "Only referrals in this status.",
    "purpose": "Only referrals for this purpose.",
    "overdue": "`true`: only open identification referrals past `decision_due_at`.",
    "outcome": "Only decisions with this outcome.",
    "stage": "Only decisions of this stage.",
    "from": "First day counted, inclusive (`YYYY-MM-DD`).",
    "to": "Last day counted, inclusive (`YYYY-MM-DD`).",
    "accept": "`text/csv` for CSV; JSON otherwise.",
    "If-None-Match": "The `ETag` of your last page: `304` while nothing is new.",
    "resource_type": "Only entries about this kind of resource, e.g. `victim`.",
    "resource_id": "Only entries about this resource.",
    "action": "Only entries of this action, e.g. `victim.read`.",
}

# FastAPI's own 422 schemas: replaced by ProblemDetail everywhere.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def implied_problems(dependant: Dependant) -> list[type[Problem]]:
    """The problems a route can return because of how it is built, not what it does."""
    nodes = list(_walk(dependant))
    calls = {node.call for node in nodes}
    headers = {p.alias.lower() for node in nodes for p in node.header_params}
    queries = {p.alias for node in nodes for p in node.query_params}
    has_body = any(node.body_params for node in nodes)
    has_params = has_body or any(
        node.path_params or node.query_params or node.header_params for node in nodes
    )
    found: list[type[Problem]] = []
    if authenticated in calls:
        # Every authenticated call counts against the client's rate limit, and load
        # shedding (503) can answer any API route.
        found += [InvalidTokenProblem, InsufficientScope, TooManyRequests, ServiceUnavailable]
    if has_body:
        found += [MalformedJson, PayloadTooLarge, UnsupportedMediaType]
    if has_params:
        found.append(InvalidField)
    if "cursor" in queries:
        found.append(InvalidCursor)
    if "if-match" in headers:
        found += [PreconditionFailed, PreconditionRequired]
    if "idempotency-key" in headers:
        found += [IdempotencyKeyReused, IdempotencyKeyInFlight]
    if get_uow in calls and ServiceUnavailable not in found:
        found.append(ServiceUnavailable)
    return found


def _all_problem_classes() -> dict[str, type[Problem]]:
    by_type: dict[str, type[Problem]] = {}
    pending: list[type[Problem]] = [Problem]
    while pending:
        cls = pending.pop()
        by_type.setdefault(problem_type(cls.slug), cls)
        pending.extend(cls.__subclasses__())
    return by_type


def merge_problems(operation: dict[str, Any], extra: list[type[Problem]]) -> None:
    """Add ``extra`` to the operation's documented problems, keeping the router's own."""
    known = _all_problem_classes()
    responses: dict[str, Any] = operation.setdefault("responses", {})
    by_status: dict[int, list[type[Problem]]] = {}
    for code, response in responses.items():
        for urn in response.get(PROBLEM_TYPES_KEY, []):
            by_status.setdefault(int(code), []).append(known[urn])
    for cls in extra:
        by_status.setdefault(cls.status, []).append(cls)
    for status, classes in by_status.items():
        responses[str(status)] = problem_doc(classes)
    operation["responses"] = dict(sorted(responses.items()))


def summary_from_docstring(endpoint: Any) -> str | None:
    """The docstring's first paragraph, on one line: what Swagger UI shows beside the path
    (FastAPI would show the function name, "List Victims")."""
    doc = inspect.getdoc(endpoint)
    if not doc:
        return None
    return " ".join(doc.split("\n\n", 1)[0].split()).rstrip(".")


def explain(operation: dict[str, Any], route: Any) -> None:
    """A human summary (unless the route sets one), and the scopes the operation needs at
    the end of its description."""
    if route.summary is None:
        summary = summary_from_docstring(route.endpoint)
        if summary:
            operation["summary"] = summary
    scopes = sorted({s for req in operation.get("security", []) for v in req.values() for s in v})
    if scopes:
        needed = ", ".join(f"`{s}`" for s in scopes)
        operation["description"] = f"{operation.get('description', '')}\n\n**Scopes:** {needed}."


def describe_parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if not parameter.get("description") and parameter["name"] in PARAMETER_HELP:
            parameter["description"] = PARAMETER_HELP[parameter["name"]]


def build_openapi(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    for context in api_routes(app):
        path = context.path_format
        if path is None or path not in spec["paths"]:
            continue  # include_in_schema=False
        for method in context.methods or ():
            operation = spec["paths"][path].get(method.lower())
            if operation is not None:
                merge_problems(operation, implied_problems(context.dependant))
                explain(operation, context.original_route)
                describe_parameters(operation)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    problem_schema = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in problem_schema.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("ProblemDetail", problem_schema)
    spec["components"]["schemas"] = dict(sorted(schemas.items()))
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve the derived document at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
