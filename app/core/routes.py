"""The app's routes, flattened (FastAPI >= 0.16x keeps included routers nested)."""

from __future__ import annotations

import re
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


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at ``path``, for the Allow header of a 405.

    Starlette names only the methods of the first route whose path matched, but FastAPI
    keeps one route per method, so ``/v1/victims/{id}`` would claim to allow GET alone.
    """
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "_allow_table", None
    )
    if table is None:
        table = []
        for context in iter_route_contexts(app.routes):
            template = context.path_format or ""
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            table.append((re.compile(pattern), frozenset(context.methods or ())))
        app.state._allow_table = table
    methods = {m for pattern, ms in table if pattern.fullmatch(path) for m in ms}
    return sorted(methods)
