"""Rate-limit counters (a Core table: no ORM use; see ``app.core.ratelimit``)."""

from __future__ import annotations

from app.core.ratelimit import rate_counters

__all__ = ["rate_counters"]
