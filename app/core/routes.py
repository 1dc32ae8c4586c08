"""The app's routes, flattened (FastAPI >= 0.16x keeps included routers nested)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every API route with its full path template, methods and dependant."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def route_templates(app: FastAPI) -> dict[int, str]:
    """``id(route) -> full path template``, so logs and metrics never carry raw paths."""
    return {
        id(context.original_route): context.path_format or "unmatched"
        for context in iter_route_contexts(app.routes)
    }
