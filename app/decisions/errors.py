from __future__ import annotations

from app.core.errors import Conflict, InvalidField, NotFound, Problem


class DecisionNotFound(NotFound):
    slug = "decision-not-found"
    default_detail = "No such decision."


class NotDecidingAuthority(Problem):
    status = 403
    title = "Forbidden"
    slug = "not-deciding-authority"
    default_detail = "Only the competent authority this referral went to may decide on it."


class NotReferringAgency(Problem):
    status = 403
    title = "Forbidden"
    slug = "not-referring-agency"
    default_detail = "Only the agency that made the referral may ask for reconsideration."


class DecisionNotAllowed(Conflict):
    slug = "decision-not-allowed"


class ReconsiderationNotAllowed(Conflict):
    slug = "reconsideration-not-allowed"


class InvalidDecision(InvalidField):
    def __init__(self, field: str, msg: str, type_: str = "value_error") -> None:
        super().__init__(["body", field], msg, type_)
