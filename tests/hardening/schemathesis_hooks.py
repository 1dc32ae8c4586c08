"""Schemathesis hooks for the API fuzz run (loaded with SCHEMATHESIS_HOOKS).

``no_foreign_record_ids``: no response, whatever the request, may contain an id of a record
that belongs to another agency (need to know, G1). The ids to look for are those the test
created for that agency, passed in the file named by ``REFERRALS_FOREIGN_IDS_FILE``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import schemathesis


@cache
def _foreign_ids() -> frozenset[str]:
    with open(os.environ["REFERRALS_FOREIGN_IDS_FILE"]) as f:
        return frozenset(json.load(f))


@schemathesis.check
def no_foreign_record_ids(ctx: Any, response: Any, case: Any) -> bool | None:
    body = response.content.decode("utf-8", "replace")
    headers = " ".join(" ".join(v) for v in response.headers.values())
    leaked = sorted(i for i in _foreign_ids() if i in body or i in headers)
    if leaked:
        raise AssertionError(f"response carries another agency's record ids: {leaked}")
    return None
