from __future__ import annotations

from app.core.errors import NotFound, Problem


class OperationNotFound(NotFound):
    slug = "rescue-operation-not-found"
    default_detail = "No such rescue operation."


class UnknownAgencies(Problem):
    status = 422
    title = "Validation failed"
    slug = "validation-error"
    default_detail = "Some participating agencies do not exist."


class ReferenceTaken(Problem):
    status = 409
    title = "Conflict"
    slug = "rescue-operation-reference-taken"
    default_detail = "Your agency already leads a rescue operation with this reference."


class NotLeadAgency(Problem):
    status = 403
    title = "Forbidden"
    slug = "not-lead-agency"
    default_detail = "Only the lead agency may change this rescue operation."
