"""The authenticated /v1 routes and the scopes each declares, walked from the app itself."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from app.auth.deps import authenticated
from app.core.routes import api_routes

PUBLIC = {"/v1/oauth/token"}


def declared_scopes(dependant: Dependant) -> set[str]:
    scopes: set[str] = set()
    for dep in dependant.dependencies:
        if dep.call is authenticated:
            scopes |= set(dep.own_oauth_scopes or [])
        scopes |= declared_scopes(dep)
    return scopes


def v1_routes(app: FastAPI) -> list[tuple[str, str, set[str]]]:
    """``(method, path template, scopes)`` of every /v1 route that needs a token."""
    found = []
    for ctx in api_routes(app):
        path = ctx.path_format or ""
        if path.startswith("/v1/") and path not in PUBLIC:
            found += [(m, path, declared_scopes(ctx.dependant)) for m in sorted(ctx.methods or ())]
    return found
