from __future__ import annotations

from typing import Any

from app.core.errors import Conflict, NotFound, Problem


class VictimNotFound(NotFound):
    slug = "victim-not-found"
    default_detail = "No such victim record."


class ConsentNotFound(NotFound):
    slug = "consent-not-found"
    default_detail = "No such consent record."


class NotRegisteringAgency(Problem):
    status = 403
    title = "Forbidden"
    slug = "not-registering-agency"
    default_detail = "Only the agency that registered this person may do this."


class IdentityScopeRequired(Problem):
    status = 403
    title = "Forbidden"
    slug = "identity-scope-required"
    default_detail = "Writing identity fields (identity, date_of_birth) needs victims:identity."


class VictimErased(Conflict):
    slug = "victim-erased"
    default_detail = "This person's identity was erased; it cannot be recorded again here."


class ConsentAlreadyWithdrawn(Conflict):
    slug = "consent-already-withdrawn"
    default_detail = "This consent was already withdrawn."


class InvalidVictimInput(Problem):
    """A 422 in the validation-error shape, for rules the schema alone cannot check."""

    status = 422
    title = "Validation failed"
    slug = "validation-error"
    default_detail = "The request is not valid; see 'errors'."

    def __init__(self, loc: list[Any], msg: str, type_: str) -> None:
        super().__init__(
            extra={"errors": [{"loc": [str(p) for p in loc], "msg": msg, "type": type_}]}
        )
