"""The OpenAPI document teaches: every operation explained, exemplified and its errors named.

Partners' developers read /docs before anything else; these tests fail when an operation
lacks a summary or description, a request or success body lacks an example, an error
status the route can return is not documented as problem+json naming its problem types,
or an enum is not described.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from app.core.examples import schema_example
from app.core.metrics import REQUESTS
from app.core.routes import api_routes
from tests.documented_statuses import undocumented_statuses

PROBLEM_JSON = "application/problem+json"
URN = "urn:referral-api:problem:"

# Error responses that are not problem+json, on purpose: OAuth 2.0 token errors follow
# RFC 6749 section 5.2, and readiness answers load balancers with a plain status body.
NOT_PROBLEMS = {
    ("post", "/v1/oauth/token"): {"400", "401", "429"},
    ("get", "/readyz"): {"503"},
}


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def has_example(spec: dict[str, Any], media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = resolve(spec, media.get("schema", {}))
    # An optional body is anyOf [the model, null]: the model's example is the example.
    options = [resolve(spec, s) for s in schema.get("anyOf", [])] or [schema]
    return any(option.get("examples") for option in options)


def walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from walk(sub)


def expected_problem_statuses(dependant: Dependant) -> dict[str, set[str]]:
    """What the route's shape implies, written out independently of the app's helper."""
    nodes = list(walk(dependant))
    names = {getattr(node.call, "__name__", "") for node in nodes}
    headers = {p.alias.lower() for node in nodes for p in node.header_params}
    query = {p.alias for node in nodes for p in node.query_params}
    path_params = [p for node in nodes for p in node.path_params]
    body = any(node.body_params for node in nodes)
    params = body or path_params or query or headers
    expected: dict[str, set[str]] = {}

    def add(status: int, slug: str | None = None) -> None:
        expected.setdefault(str(status), set()).update({URN + slug} if slug else set())

    if "authenticated" in names:
        add(401, "invalid-token")
        add(403, "insufficient-scope")
        add(429, "rate-limited")  # the per-client limit counts every authenticated call
        add(503, "service-unavailable")  # load shedding applies to every API route
    if "get_uow" in names:
        add(503, "service-unavailable")
    if params:
        add(422, "validation-error")
    if body:
        add(400, "malformed-json")
        add(413, "payload-too-large")
        add(415, "unsupported-media-type")
    if path_params:
        add(404)  # the domain's own not-found type, whichever it is
    if "cursor" in query:
        add(400, "invalid-cursor")
    if "if-match" in headers:
        add(412, "precondition-failed")
        add(428, "precondition-required")
    if "idempotency-key" in headers:
        add(409, "idempotency-key-in-flight")
        add(422, "idempotency-key-reused")
    return expected


@pytest.fixture(scope="module")
def spec(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def test_every_operation_has_a_summary_and_a_description(spec: dict[str, Any]) -> None:
    missing = [
        (method, path)
        for method, path, op in operations(spec)
        if not (op.get("summary") or "").strip() or not (op.get("description") or "").strip()
    ]
    assert not missing, f"operations without summary or description: {missing}"
    # FastAPI's fallback summary is the handler's name ("List Victims"): it teaches nothing.
    generated = [
        op["operationId"]
        for _, _, op in operations(spec)
        if op["summary"] == op["operationId"].replace("_", " ").title()
    ]
    assert not generated, f"summaries that only repeat the handler's name: {generated}"


def test_every_parameter_is_described(spec: dict[str, Any]) -> None:
    bare = [
        (method, path, parameter["name"])
        for method, path, op in operations(spec)
        for parameter in op.get("parameters", [])
        if not (parameter.get("description") or "").strip()
    ]
    assert not bare, f"parameters without a description: {bare}"


def test_scoped_operations_name_their_scopes(spec: dict[str, Any]) -> None:
    for method, path, op in operations(spec):
        for requirement in op.get("security", []):
            for scope in (s for scopes in requirement.values() for s in scopes):
                assert f"`{scope}`" in op["description"], (method, path, scope)


def test_every_request_body_has_an_example(spec: dict[str, Any]) -> None:
    missing = [
        (method, path, media_type)
        for method, path, op in operations(spec)
        for media_type, media in op.get("requestBody", {}).get("content", {}).items()
        if not has_example(spec, media)
    ]
    assert not missing, f"request bodies without an example: {missing}"


def test_every_success_response_has_an_example(spec: dict[str, Any]) -> None:
    missing = [
        (method, path, status, media_type)
        for method, path, op in operations(spec)
        for status, response in op["responses"].items()
        if status.startswith("2")
        for media_type, media in response.get("content", {}).items()
        if not has_example(spec, media)
    ]
    assert not missing, f"success responses without an example: {missing}"


def test_success_responses_have_content_unless_empty_by_design(spec: dict[str, Any]) -> None:
    bare = [
        (method, path, status)
        for method, path, op in operations(spec)
        for status, response in op["responses"].items()
        if status.startswith("2") and status != "204" and not response.get("content")
    ]
    assert not bare, f"success responses that show no body: {bare}"


def test_every_implied_error_status_is_documented(app: FastAPI, spec: dict[str, Any]) -> None:
    gaps: list[tuple[str, str, str, set[str]]] = []
    for context in api_routes(app):
        path = context.path_format
        if path not in spec["paths"]:
            continue
        for method in context.methods or ():
            operation = spec["paths"][path][method.lower()]
            for status, urns in expected_problem_statuses(context.dependant).items():
                response = operation["responses"].get(status)
                if response is None:
                    gaps.append((method, path, status, urns))
                    continue
                documented = set(response.get("x-problem-types", []))
                if not urns <= documented or not documented:
                    gaps.append((method, path, status, urns - documented))
    assert not gaps, f"undocumented error statuses or problem types: {gaps}"


def test_every_error_response_is_a_named_problem(spec: dict[str, Any]) -> None:
    wrong = []
    for method, path, op in operations(spec):
        allowed = NOT_PROBLEMS.get((method, path), set())
        for status, response in op["responses"].items():
            if int(status) < 400 or status in allowed:
                continue
            urns = response.get("x-problem-types", [])
            media = response.get("content", {}).get(PROBLEM_JSON)
            named = urns and all(urn in response.get("description", "") for urn in urns)
            if media is None or not named or not has_example(spec, media):
                wrong.append((method, path, status))
    assert not wrong, f"error responses that are not documented problem types: {wrong}"


def test_every_documented_problem_type_explains_itself(spec: dict[str, Any]) -> None:
    # Each listed type carries its own default detail; the catch-all text of an internal
    # error would tell a partner nothing about what to change.
    vague = [
        (method, path, status)
        for method, path, op in operations(spec)
        for status, response in op["responses"].items()
        if "The server could not complete the request" in response.get("description", "")
    ]
    assert not vague, f"problem types documented without their own explanation: {vague}"


def test_token_endpoint_documents_throttling_and_overload(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/v1/oauth/token"]["post"]["responses"]
    assert {"400", "401", "413", "429", "503"} <= set(responses)


def enum_nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "enum" in node:
            yield where, node
        for key, value in node.items():
            yield from enum_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enum_nodes(value, f"{where}/{index}")


def test_every_enum_is_described(spec: dict[str, Any]) -> None:
    undescribed = [
        where
        for where, node in enum_nodes(spec, "#")
        # A one-value enum is a constant (grant_type); its property carries the text.
        if len(node["enum"]) > 1 and not (node.get("description") or "").strip()
    ]
    assert not undescribed, f"enums without a description: {undescribed}"


def test_the_checks_can_fail(spec: dict[str, Any]) -> None:
    # The walkers above must see a gap when there is one, or they prove nothing.
    broken = {"components": spec["components"], "paths": {}}
    broken["paths"]["/x"] = {"get": {"responses": {"200": {"content": {"a/b": {}}}}}}
    assert not has_example(broken, {"schema": {}})
    assert list(enum_nodes({"p": {"enum": ["a", "b"]}}, "#")) == [("#/p", {"enum": ["a", "b"]})]


def app_models() -> Iterator[type[BaseModel]]:
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("app."):
            yield model


def test_every_schema_example_is_valid_for_its_model(app: FastAPI) -> None:
    # A wrong example teaches the wrong thing: each must pass its own model's validation
    # (request bodies forbid unknown fields, so a misspelt field fails here too).
    checked, invalid = 0, []
    for model in app_models():
        example = schema_example(model)
        if example is None:
            continue
        checked += 1
        try:
            model.model_validate(example)
        except ValidationError as exc:
            invalid.append((model.__name__, exc.errors()[0]))
    assert not invalid, f"examples their own model rejects: {invalid}"
    assert checked >= 40


def test_the_survey_of_returned_statuses_sees_a_gap(client: TestClient) -> None:
    # documented_statuses fails the run on a returned status the document lacks; it must
    # notice one. GET /healthz documents 200 only; pretend it returned a 418.
    spec = client.get("/openapi.json").json()
    REQUESTS.labels("GET", "/healthz", "418").inc(0)
    try:
        assert ("GET", "/healthz", "418") in undocumented_statuses(spec)
    finally:
        REQUESTS.remove("GET", "/healthz", "418")
    assert ("GET", "/healthz", "418") not in undocumented_statuses(spec)
