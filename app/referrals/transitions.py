"""The referral status machine of API.md: who sets which status, from which states."""

from __future__ import annotations

from dataclasses import dataclass

RECIPIENT, SENDER = "recipient", "sender"


@dataclass(frozen=True)
class Rule:
    by: str
    sources: frozenset[str]
    reason_required: bool = False


RULES: dict[str, Rule] = {
    "received": Rule(RECIPIENT, frozenset({"requested"})),
    "accepted": Rule(RECIPIENT, frozenset({"requested", "received"})),
    "rejected": Rule(RECIPIENT, frozenset({"requested", "received"}), reason_required=True),
    "in_progress": Rule(RECIPIENT, frozenset({"accepted"})),
    "completed": Rule(RECIPIENT, frozenset({"accepted", "in_progress"})),
    "cancelled": Rule(
        SENDER,
        frozenset({"requested", "received", "accepted", "in_progress"}),
        reason_required=True,
    ),
}

TERMINAL = frozenset({"rejected", "completed", "cancelled"})


def allowed_from(current: str, side: str | None = None) -> list[str]:
    """Statuses reachable from ``current`` (for one side, or for either)."""
    return sorted(
        to for to, rule in RULES.items() if current in rule.sources and side in (None, rule.by)
    )
