"""Scopes, agency roles and the role -> scope bounds of API.md."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """OAuth 2.0 scopes: `<resource>:read` / `:write`, `victims:identity` to see or write
    identity fields, `webhooks:manage`, `statistics:read`, `audit:read`, `agencies:read`
    and `admin` (agencies and API clients)."""

    OPERATIONS_READ = "operations:read"
    OPERATIONS_WRITE = "operations:write"
    VICTIMS_READ = "victims:read"
    VICTIMS_WRITE = "victims:write"
    VICTIMS_IDENTITY = "victims:identity"
    REFERRALS_READ = "referrals:read"
    REFERRALS_WRITE = "referrals:write"
    DECISIONS_READ = "decisions:read"
    DECISIONS_WRITE = "decisions:write"
    EVENTS_READ = "events:read"
    WEBHOOKS_MANAGE = "webhooks:manage"
    STATISTICS_READ = "statistics:read"
    AUDIT_READ = "audit:read"
    AGENCIES_READ = "agencies:read"
    ADMIN = "admin"


class Role(StrEnum):
    """An agency's roles in the mechanism; they bound the scopes its API clients may get."""

    FIRST_RESPONDER = "first_responder"
    SERVICE_PROVIDER = "service_provider"
    COMPETENT_AUTHORITY = "competent_authority"
    DECISION_RECIPIENT = "decision_recipient"
    OVERSIGHT = "oversight"
    PLATFORM_ADMIN = "platform_admin"


S = Scope
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.FIRST_RESPONDER: frozenset(
        {
            S.OPERATIONS_READ, S.OPERATIONS_WRITE, S.VICTIMS_READ, S.VICTIMS_WRITE,
            S.VICTIMS_IDENTITY, S.REFERRALS_READ, S.REFERRALS_WRITE, S.DECISIONS_READ,
            S.EVENTS_READ, S.WEBHOOKS_MANAGE,
        }
    ),
    Role.SERVICE_PROVIDER: frozenset(
        {
            S.VICTIMS_READ, S.VICTIMS_IDENTITY, S.REFERRALS_READ, S.REFERRALS_WRITE,
            S.DECISIONS_READ, S.EVENTS_READ, S.WEBHOOKS_MANAGE,
        }
    ),
    Role.COMPETENT_AUTHORITY: frozenset(
        {
            S.VICTIMS_READ, S.VICTIMS_IDENTITY, S.REFERRALS_READ, S.REFERRALS_WRITE,
            S.DECISIONS_READ, S.DECISIONS_WRITE, S.EVENTS_READ, S.WEBHOOKS_MANAGE,
        }
    ),
    Role.DECISION_RECIPIENT: frozenset({S.DECISIONS_READ, S.EVENTS_READ, S.WEBHOOKS_MANAGE}),
    Role.OVERSIGHT: frozenset({S.STATISTICS_READ, S.AUDIT_READ}),
    Role.PLATFORM_ADMIN: frozenset({S.ADMIN}),
}  # fmt: skip

# Every client may hold these, whatever its agency's roles.
UNIVERSAL_SCOPES: frozenset[Scope] = frozenset({S.AGENCIES_READ, S.STATISTICS_READ})

SCOPE_DESCRIPTIONS: dict[str, str] = {
    S.OPERATIONS_READ: "Read rescue operations your agency leads or takes part in",
    S.OPERATIONS_WRITE: "Create and change rescue operations",
    S.VICTIMS_READ: "Read (pseudonymous) victim records your agency may see",
    S.VICTIMS_WRITE: "Register and change victim records",
    S.VICTIMS_IDENTITY: "See identity fields where the referral and consent allow",
    S.REFERRALS_READ: "Read referrals to and from your agency",
    S.REFERRALS_WRITE: "Create referrals and change their status",
    S.DECISIONS_READ: "Read identification decisions",
    S.DECISIONS_WRITE: "Record identification decisions (competent authority)",
    S.EVENTS_READ: "Pull the change feed",
    S.WEBHOOKS_MANAGE: "Manage webhook subscriptions",
    S.STATISTICS_READ: "Read suppressed aggregate statistics",
    S.AUDIT_READ: "Read and verify the audit trail",
    S.AGENCIES_READ: "Read the agency directory",
    S.ADMIN: "Administer agencies and API clients",
}


def allowed_scopes(roles: list[str] | list[Role]) -> frozenset[Scope]:
    """Every scope a client of an agency with these roles may hold."""
    scopes: set[Scope] = set(UNIVERSAL_SCOPES)
    for role in roles:
        scopes |= ROLE_SCOPES[Role(role)]
    return frozenset(scopes)
