from __future__ import annotations

from app.core.errors import Conflict, NotFound, Problem


class AgencyNotFound(NotFound):
    slug = "agency-not-found"
    default_detail = "No such agency."


class ClientNotFound(NotFound):
    slug = "client-not-found"
    default_detail = "No such API client."


class AgencySlugTaken(Conflict):
    slug = "agency-slug-taken"
    default_detail = "An agency with this slug already exists."


class ScopeNotAllowed(Problem):
    status = 422
    title = "Scope not allowed"
    slug = "scope-not-allowed"
    default_detail = "A client may only hold scopes its agency's roles allow."
