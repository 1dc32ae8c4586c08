"""Repeated failed token requests for one client id answer 429 (API.md, Authentication).

Counted per client id (known or not, so guessing secrets of made-up ids is limited too) in
the shared rate-limit counters, so every API process sees the same count. While a client id
is over the limit even a correct secret is refused until the window ends.
"""

from __future__ import annotations

import hashlib

from app.core.ratelimit import Limit, RateLimiter


def _bucket(client_id: str) -> str:
    # Hashed: the client id field is attacker-chosen text of any length.
    digest = hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"token-failures:{digest[:40]}"


def ensure_may_try(limiter: RateLimiter, client_id: str, limit: Limit) -> None:
    """Raise ``RateLimited`` while this client id is over its failure limit."""
    limiter.ensure_under(_bucket(client_id), limit)


def count_failure(limiter: RateLimiter, client_id: str, limit: Limit) -> None:
    limiter.count(_bucket(client_id), limit)
