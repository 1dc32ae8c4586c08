"""OpenAPI documentation of the problem responses a route can return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem, problem_type


class ValidationErrorItem(BaseModel):
    loc: list[str]
    msg: str
    type: str


class ProblemDetail(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=[problem_type("not-found")])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No such resource."])
    instance: str = Field(examples=["/v1/agencies/7d1e6a8c-2f0b-4b6e-9c51-3f7a2b9d0e14"])
    request_id: str | None = Field(examples=["4f9c2a7e0b5d4c1e"])
    errors: list[ValidationErrorItem] | None = Field(
        default=None, description="Only on 422: what was wrong, by location."
    )


def problems(*classes: type[Problem], auth: bool = True) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the problem types it returns, grouped by status."""
    by_status: dict[int, list[str]] = {}
    if auth:
        by_status.setdefault(401, []).append("invalid-token")
        by_status.setdefault(403, []).append("insufficient-scope")
    by_status.setdefault(422, []).append("validation-error")
    for cls in classes:
        by_status.setdefault(cls.status, []).append(cls.slug)
    return {
        status: {
            "model": ProblemDetail,
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
            },
            "description": "Problem types: " + ", ".join(f"`{problem_type(s)}`" for s in slugs),
        }
        for status, slugs in sorted(by_status.items())
    }
