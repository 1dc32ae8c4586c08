"""The fuzz run's own check must be able to fail: it flags a foreign id in a body or header."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.hardening import schemathesis_hooks


def test_no_foreign_record_ids_flags_a_leak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    foreign = str(uuid.uuid4())
    ids = tmp_path / "ids.json"
    ids.write_text(json.dumps([foreign]))
    monkeypatch.setenv("REFERRALS_FOREIGN_IDS_FILE", str(ids))
    schemathesis_hooks._foreign_ids.cache_clear()
    check = schemathesis_hooks.no_foreign_record_ids

    def response(body: str, headers: dict[str, list[str]]) -> SimpleNamespace:
        return SimpleNamespace(content=body.encode(), headers=headers)

    assert check(None, response('{"items": []}', {"etag": ['"1"']}), None) is None
    with pytest.raises(AssertionError, match=foreign):
        check(None, response(f'{{"id": "{foreign}"}}', {}), None)
    with pytest.raises(AssertionError, match=foreign):
        check(None, response("", {"location": [f"/v1/victims/{foreign}"]}), None)
    schemathesis_hooks._foreign_ids.cache_clear()
