"""RFC 9457 problem details: every error the service returns has this one shape.

Domain errors are exceptions with a class-level status, title and type slug; they are
rendered here once, so routers never catch them.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("app.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:referral-api:problem:"


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_PREFIX + slug


class Problem(Exception):
    """An error with a stable problem type; subclasses set the class attributes."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal server error"
    slug: ClassVar[str] = "internal-error"
    default_detail: ClassVar[str] = "The server could not complete the request."

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(self.detail)


class BadRequest(Problem):
    status = 400
    title = "Bad request"
    slug = "bad-request"
    default_detail = "The request could not be understood."


class MalformedJson(BadRequest):
    title = "Malformed JSON"
    slug = "malformed-json"
    default_detail = "The request body is not valid JSON."


class NotFound(Problem):
    """Also what a record the caller's agency may not see looks like (need to know)."""

    status = 404
    title = "Not found"
    slug = "not-found"
    default_detail = "No such resource."


class Conflict(Problem):
    status = 409
    title = "Conflict"
    slug = "conflict"
    default_detail = "The request conflicts with the current state of the resource."


class InvalidField(Problem):
    """A 422 in the validation-error shape, for rules a schema alone cannot check."""

    status = 422
    title = "Validation failed"
    slug = "validation-error"
    default_detail = "The request is not valid; see 'errors'."

    def __init__(
        self, loc: Sequence[Any], msg: str, type_: str = "value_error", detail: str | None = None
    ) -> None:
        errors = [{"loc": [str(p) for p in loc], "msg": msg, "type": type_}]
        super().__init__(detail, extra={"errors": errors})


class PreconditionFailed(Problem):
    status = 412
    title = "Precondition failed"
    slug = "precondition-failed"
    default_detail = "The resource has changed since you read it; fetch it again and retry."


class PreconditionRequired(Problem):
    status = 428
    title = "Precondition required"
    slug = "precondition-required"
    default_detail = "This request needs an If-Match header with the resource's current ETag."


class PayloadTooLarge(Problem):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"
    default_detail = "The request body exceeds the limit of 1 MiB (8 MiB for a mass intake)."


class UnsupportedMediaType(Problem):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"
    default_detail = "Send the request body as JSON with 'Content-Type: application/json'."


class ServiceUnavailable(Problem):
    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"
    default_detail = "The service is busy; retry shortly."

    def __init__(self, detail: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


def problem_body(
    request: Request,
    *,
    status: int,
    title: str,
    slug: str,
    detail: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request.scope.get("state", {}).get("request_id"),
    }
    if extra:
        body.update(extra)
    return body


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    slug: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body = problem_body(request, status=status, title=title, slug=slug, detail=detail, extra=extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Only loc, msg and type: pydantic's "input" and "ctx" can echo personal data back.
    return [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "msg": e.get("msg", ""),
            "type": e["type"],
        }
        for e in errors
    ]


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        request,
        status=exc.status,
        title=exc.title,
        slug=exc.slug,
        detail=exc.detail,
        headers=exc.headers,
        extra=exc.extra,
    )


async def handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return await handle_problem(request, MalformedJson())
    has_body = request.headers.get("content-length") not in (None, "0") or (
        "chunked" in request.headers.get("transfer-encoding", "")
    )
    body_error = any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)
    if body_error and has_body and not _is_json(request.headers.get("content-type")):
        # FastAPI (>= 0.132) ignores a JSON body sent without a JSON Content-Type; say so
        # instead of reporting every field as missing.
        exc415 = UnsupportedMediaType()
        return await handle_problem(request, exc415)
    return problem_response(
        request,
        status=422,
        title="Validation failed",
        slug="validation-error",
        detail="The request is not valid; see 'errors'.",
        extra={"errors": _validation_errors(errors)},
    )


_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and status < 500 else phrase
    headers = dict(exc.headers or {})
    if status == 404:
        detail = "No such resource."
    if status == 405:
        from app.core.routes import allowed_methods

        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return problem_response(
        request,
        status=status,
        title=phrase,
        slug=_HTTP_SLUGS.get(status, "http-error"),
        detail=detail,
        headers=headers,
    )


def error_fields(exc: BaseException) -> dict[str, str]:
    """What a log line may say about an unexpected error: never its message, which for a
    driver error can carry SQL parameters (personal data), but its class, where in our code
    it was raised, and the database's own error code."""
    fields = {"error_class": type(exc).__name__}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/app/" in f.filename]
    if frames:
        last = frames[-1]
        fields["error_origin"] = f"{last.filename.rsplit('/app/', 1)[-1]}:{last.lineno} {last.name}"
    orig = getattr(exc, "orig", None)
    if orig is not None:
        fields["db_error_class"] = type(orig).__name__
        code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        if code:
            fields["db_error_code"] = str(code)
    return fields


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled exception", extra={**error_fields(exc), "path": request.url.path})
    return problem_response(
        request,
        status=500,
        title="Internal server error",
        slug="internal-error",
        detail="The server could not complete the request. Quote the request_id if you report it.",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, handle_problem)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
