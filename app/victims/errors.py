from __future__ import annotations

from app.core.errors import Conflict, InvalidField, NotFound, Problem


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


class InvalidVictimInput(InvalidField):
    """A victim body that breaks a rule beyond its schema (e.g. a batch's duplicate ref)."""
