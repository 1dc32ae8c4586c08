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


def batch_hashes(
    prev_hash: str, first_seq: int, common: Mapping[str, Any], rows: list[tuple[Any, Any]]
) -> list[str]:
    """``entry_hash`` of consecutive entries that differ only in ``id``, ``resource_id`` and
    ``seq`` (one audited request), chained from ``prev_hash``; ``rows`` is (id, resource_id).

    The same bytes as ``entry_hash(prev, chained_fields(row))``: the canonical JSON of the
    shared fields is encoded once, and each entry fills in its three values. A list read
    hashes 50 entries, and encoding each whole dictionary was most of its audit cost.
    """

    def value(v: Any) -> str:
        return "null" if v is None else json.dumps(str(v))

    # Keys in sort_keys order, as json.dumps writes them in entry_hash.
    head = (
        f'{{"action":{json.dumps(common["action"])},"agency_id":{value(common["agency_id"])},'
        f'"at":{json.dumps(common["at"].isoformat())},"client_id":{value(common["client_id"])},'
        '"id":'
    )
    middle = (
        f',"outcome":{json.dumps(common["outcome"])},'
        f'"request_id":{json.dumps(common["request_id"])},"resource_id":'
    )
    tail = f',"resource_type":{json.dumps(common["resource_type"])},"seq":'
    hashes = []
    for offset, (entry_id, resource_id) in enumerate(rows):
        canonical = (
            f"{head}{value(entry_id)}{middle}{value(resource_id)}{tail}{first_seq + offset}}}"
        )
        prev_hash = hashlib.sha256(prev_hash.encode() + b"\x1f" + canonical.encode()).hexdigest()
        hashes.append(prev_hash)
    return hashes
