from __future__ import annotations

from app.core.errors import Conflict, InvalidField, NotFound, Problem


class ReferralNotFound(NotFound):
    slug = "referral-not-found"
    default_detail = "No such referral."


class InvalidReferral(InvalidField):
    def __init__(self, field: str, msg: str, type_: str = "value_error") -> None:
        super().__init__(["body", field], msg, type_)


class RecipientNotAccepting(Conflict):
    slug = "recipient-not-accepting"
    default_detail = "The recipient is not accepting referrals at the moment."


class ConsentRequired(Conflict):
    slug = "consent-required"
    default_detail = "The person has not given the consent this referral needs."

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"An active consent is needed for: {', '.join(missing)}.",
            extra={"missing_consents": missing},
        )


class DuplicateOpenReferral(Conflict):
    slug = "duplicate-open-referral"
    default_detail = "This person already has an open referral to this agency for this purpose."


class TransitionNotAllowed(Conflict):
    slug = "transition-not-allowed"

    def __init__(self, current: str, allowed: list[str], detail: str | None = None) -> None:
        super().__init__(
            detail or f"A referral that is {current} cannot move to that status.",
            extra={"current_status": current, "allowed_transitions": allowed},
        )


class WrongSide(Problem):
    status = 403
    title = "Forbidden"
    slug = "not-your-transition"
    default_detail = "Your agency is not the side of this referral that may set this status."

    def __init__(self, side: str) -> None:
        super().__init__(f"Only the {side} of a referral may set this status.")


class ReasonRequired(InvalidField):
    def __init__(self, to: str) -> None:
        super().__init__(
            ["body", "reason"], f"Required for {to}.", "missing", "This transition needs a reason."
        )
