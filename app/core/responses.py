"""OpenAPI documentation of the problem responses a route can return.

Routers name their domain problems with ``responses=problems(...)``; the problems every
route of a kind can return (bad token, bad JSON, a busy database, ...) are added by
``app.openapi_document`` from the route's parameters, so no route can forget them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem, problem_type

# Machine-readable list of the problem type URNs one documented status can carry.
PROBLEM_TYPES_KEY = "x-problem-types"
PROBLEM_SCHEMA_REF = "#/components/schemas/ProblemDetail"


class ValidationErrorItem(BaseModel):
    """One reason a request was refused with 422."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"loc": ["body", "sex"], "msg": "Field required", "type": "missing"},
            ]
        }
    )

    loc: list[str] = Field(description="Where: `body`, `query`, `path` or `header`, then names.")
    msg: str
    type: str = Field(description="A stable machine-readable kind, e.g. `missing`, `enum`.")


class ProblemDetail(BaseModel):
    """RFC 9457 problem details: compare on ``type``, show ``detail``, quote ``request_id``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": problem_type("not-found"),
                    "title": "Not found",
                    "status": 404,
                    "detail": "No such resource.",
                    "instance": "/v1/victims/7d1e6a8c-2f0b-4b6e-9c51-3f7a2b9d0e14",
                    "request_id": "4f9c2a7e0b5d4c1e",
                }
            ]
        }
    )

    type: str = Field(examples=[problem_type("not-found")])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No such resource."])
    instance: str = Field(examples=["/v1/agencies/7d1e6a8c-2f0b-4b6e-9c51-3f7a2b9d0e14"])
    request_id: str | None = Field(examples=["4f9c2a7e0b5d4c1e"])
    errors: list[ValidationErrorItem] | None = Field(
        default=None, description="Only on 422: what was wrong, by location."
    )


def problem_doc(classes: Iterable[type[Problem]]) -> dict[str, Any]:
    """One documented error status: its problem types, each with what it means."""
    unique = list({cls.slug: cls for cls in classes}.values())
    lines = [f"- `{problem_type(cls.slug)}`: {cls.default_detail}" for cls in unique]
    first = unique[0]
    return {
        "description": "Problem types:\n\n" + "\n".join(lines),
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": PROBLEM_SCHEMA_REF},
                "example": {
                    "type": problem_type(first.slug),
                    "title": first.title,
                    "status": first.status,
                    "detail": first.default_detail,
                    "instance": "/v1/...",
                    "request_id": "4f9c2a7e0b5d4c1e",
                },
            }
        },
        PROBLEM_TYPES_KEY: [problem_type(cls.slug) for cls in unique],
    }


def problems(*classes: type[Problem]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: its domain problem types, grouped by status."""
    by_status: dict[int, list[type[Problem]]] = {}
    for cls in classes:
        by_status.setdefault(cls.status, []).append(cls)
    return {status: problem_doc(group) for status, group in sorted(by_status.items())}


def example_response(
    description: str, example: Any, media_type: str = "application/json"
) -> dict[str, Any]:
    """A success response documented by an example (for bodies without a model)."""
    return {"description": description, "content": {media_type: {"example": example}}}
