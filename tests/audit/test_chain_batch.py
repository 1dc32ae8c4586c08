"""The batched hash of one audited request equals the per-entry definition verify uses."""

from __future__ import annotations

import uuid

from app.audit.chain import GENESIS, batch_hashes, chained_fields, entry_hash
from app.core.db import utcnow


def test_batch_hashes_match_entry_hash_for_every_field_shape() -> None:
    common = {
        "at": utcnow(),
        "agency_id": uuid.uuid4(),
        "client_id": None,
        "action": "victim.list",
        "resource_type": "victim",
        "request_id": 'odd "id"\\ é',
        "outcome": "success",
    }
    keys = [(uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), None), (uuid.uuid4(), uuid.uuid4())]
    expected, prev = [], GENESIS
    for offset, (entry_id, resource_id) in enumerate(keys):
        row = {**common, "seq": 41 + offset, "id": entry_id, "resource_id": resource_id}
        prev = entry_hash(prev, chained_fields(row))
        expected.append(prev)
    assert batch_hashes(GENESIS, 41, common, keys) == expected
