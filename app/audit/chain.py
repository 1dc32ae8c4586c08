"""Hash chain: each entry's hash covers its fields and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(prev_hash.encode() + b"\x1f" + canonical.encode()).hexdigest()


def chained_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a hash covers (everything but the hashes themselves)."""

    def text(name: str) -> str | None:
        return None if row[name] is None else str(row[name])

    return {
        "seq": row["seq"],
        "id": str(row["id"]),
        "at": row["at"].isoformat(),
        "agency_id": text("agency_id"),
        "client_id": text("client_id"),
        "action": row["action"],
        "resource_type": row["resource_type"],
        "resource_id": text("resource_id"),
        "request_id": row["request_id"],
        "outcome": row["outcome"],
    }
