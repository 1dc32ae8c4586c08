"""Who is calling: the client, its agency and the scopes its token carries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    client_id: uuid.UUID
    agency_id: uuid.UUID
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes
