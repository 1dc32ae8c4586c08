"""G9: bad input is a 4xx problem, never a 5xx or a hang — one table of hostile requests
against the write routes, the lists, the conditional headers and the token endpoint."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Partner
from tests.factories import create_operation, register_victim, victim_body

MiB = 1024 * 1024
FORM = "application/x-www-form-urlencoded"


@dataclass
class Case:
    name: str
    method: str
    path: str  # may contain {victim_id} / {operation_id}
    body: bytes | None = None
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _victim(**fields: Any) -> bytes:
    return _json({**victim_body(1), **fields})


def _deep(depth: int) -> bytes:
    return b'{"languages": ' + b"[" * depth + b"]" * depth + b"}"


CASES = [
    # Bodies that are not JSON, or not the JSON we take.
    Case("malformed json", "POST", "/v1/victims", b'{"sex": '),
    Case("trailing garbage", "POST", "/v1/victims", _victim() + b"}}"),
    Case("bad utf-8", "POST", "/v1/victims", b'{"sex": "\xff\xfe", "languages": []}'),
    Case("escaped nul", "POST", "/v1/victims", _victim(external_ref="a\u0000b")),
    Case("raw nul byte", "POST", "/v1/victims", b'{"sex": "female\x00"}'),
    Case("lone surrogate", "POST", "/v1/victims", b'{"sex": "female", "external_ref": "\\ud800"}'),
    Case("surrogate in identity", "POST", "/v1/victims",
         b'{"sex": "female", "identity": {"given_name": "\\udfff"}}'),
    Case("deep nesting 100k", "POST", "/v1/victims", _deep(100_000)),
    Case("deep nesting 1k", "POST", "/v1/victims", _deep(1_000)),
    Case("5000-digit integer", "POST", "/v1/victims", b'{"sex": "female", "age_estimate": '
         + b"9" * 5000 + b"}"),
    Case("5000-digit float", "POST", "/v1/victims", b'{"sex": "female", "age_estimate": 1.'
         + b"1" * 5000 + b"}"),
    Case("exponent overflow", "POST", "/v1/victims",
         b'{"sex": "female", "age_estimate": 1e999999}'),
    Case("NaN literal", "POST", "/v1/victims", b'{"sex": "female", "age_estimate": NaN}'),
    Case("huge string", "POST", "/v1/victims", _victim(external_ref="x" * 900_000)),
    Case("huge array", "POST", "/v1/victims", _victim(languages=["en"] * 200_000)),
    Case("huge batch array", "POST", "/v1/rescue-operations/{operation_id}/victims",
         _json({"victims": [{"sex": "female"}] * 300_000})),
    Case("wrong top-level type", "POST", "/v1/victims", b"[]"),
    Case("json null", "POST", "/v1/victims", b"null"),
    Case("wrong field types", "POST", "/v1/victims",
         _json({"sex": 1, "languages": "en", "age_estimate": "old", "needs": {"a": 1}})),
    Case("bool for int", "POST", "/v1/victims", _victim(age_estimate=True)),
    Case("number for date", "POST", "/v1/victims", _victim(date_of_birth=0)),
    Case("number for instant", "POST", "/v1/victims/{victim_id}/consents",
         _json({"purposes": ["identification"], "method": "verbal", "given_at": 0})),
    Case("string for int", "POST", "/v1/victims", _victim(age_estimate="30")),
    Case("int for bool", "POST", "/v1/referrals",
         _json({"victim_id": str(uuid.uuid4()), "to_agency_id": str(uuid.uuid4()),
                "purpose": "shelter", "urgency": "routine", "share_identity": 1})),
    Case("server-owned field", "POST", "/v1/victims", _victim(id=str(uuid.uuid4()))),
    Case("unknown enum", "POST", "/v1/victims", _victim(sex="robot")),
    Case("empty body", "POST", "/v1/victims", b""),
    # Content types.
    Case("text/plain", "POST", "/v1/victims", _victim(), "text/plain"),
    Case("form encoded", "POST", "/v1/victims", b"sex=female", FORM),
    Case("multipart", "POST", "/v1/victims", b"--x\r\n\r\n--x--",
         "multipart/form-data; boundary=x"),
    Case("no content type", "POST", "/v1/victims", _victim(), None),
    Case("xml", "POST", "/v1/victims", b"<victim/>", "application/xml"),
    # Sizes.
    Case("over 1 MiB with length", "POST", "/v1/victims", b" " * (MiB + 1)),
    Case("over 1 MiB chunked", "POST", "/v1/victims", b" " * (MiB + 1), chunked=True),
    Case("over 8 MiB batch chunked", "POST", "/v1/rescue-operations/{operation_id}/victims",
         b" " * (8 * MiB + 1), chunked=True),
    Case("bad content-length", "POST", "/v1/victims", _victim(), headers={"Content-Length": "x"}),
    # Lists, cursors and query parameters.
    Case("garbage cursor", "GET", "/v1/victims?cursor=garbage", None, None),
    Case("base64 garbage cursor", "GET", "/v1/victims?cursor=eyJhIjoxfQ", None, None),
    Case("huge cursor", "GET", "/v1/victims?cursor=" + "A" * 20_000, None, None),
    Case("nul in cursor", "GET", "/v1/victims?cursor=%00", None, None),
    Case("garbage feed cursor", "GET", "/v1/events?after=garbage", None, None),
    Case("limit zero", "GET", "/v1/victims?limit=0", None, None),
    Case("limit huge", "GET", "/v1/victims?limit=" + "9" * 40, None, None),
    Case("limit text", "GET", "/v1/victims?limit=abc", None, None),
    Case("bad date filter", "GET", "/v1/victims?updated_after=yesterday", None, None),
    Case("unix time filter", "GET", "/v1/victims?updated_after=0.5", None, None),
    Case("unix date filter", "GET", "/v1/statistics?group_by=sex&to=0", None, None),
    Case("year 0 filter", "GET", "/v1/victims?updated_after=0000-01-01T00:00:00Z", None, None),
    Case("lower-case country", "GET", "/v1/victims?nationality=ph", None, None),
    Case("unknown enum filter", "GET", "/v1/victims?identification_status=maybe", None, None),
    Case("surrogate in query", "GET", "/v1/victims?nationality=%ED%A0%80", None, None),
    Case("non-uuid id", "GET", "/v1/victims/not-a-uuid", None, None),
    Case("huge id", "GET", "/v1/victims/" + "9" * 5000, None, None),
    # Conditional requests and idempotency keys.
    Case("if-match garbage", "PATCH", "/v1/victims/{victim_id}", _json({"age_estimate": 31}),
         headers={"If-Match": "garbage"}),
    Case("if-match weak", "PATCH", "/v1/victims/{victim_id}", _json({"age_estimate": 31}),
         headers={"If-Match": 'W/"1"'}),
    Case("if-match huge number", "PATCH", "/v1/victims/{victim_id}", _json({"age_estimate": 31}),
         headers={"If-Match": '"' + "9" * 50 + '"'}),
    Case("if-match negative", "PATCH", "/v1/victims/{victim_id}", _json({"age_estimate": 31}),
         headers={"If-Match": '"-1"'}),
    Case("if-match empty", "PATCH", "/v1/victims/{victim_id}", _json({"age_estimate": 31}),
         headers={"If-Match": ""}),
    Case("patch server field", "PATCH", "/v1/victims/{victim_id}", _json({"version": 9}),
         headers={"If-Match": '"1"'}),
    Case("idempotency key too long", "POST", "/v1/victims", _victim(),
         headers={"Idempotency-Key": "k" * 256}),
    Case("idempotency key empty", "POST", "/v1/victims", _victim(),
         headers={"Idempotency-Key": ""}),
    # The token endpoint (RFC 6749 errors, not problem+json).
    Case("token: json body", "POST", "/v1/oauth/token", _json({"grant_type": "x"})),
    Case("token: bad form", "POST", "/v1/oauth/token", b"%%%\xff", FORM),
    Case("token: huge form", "POST", "/v1/oauth/token", b"client_id=" + b"a" * (MiB + 1),
         FORM),
    Case("token: bad basic", "POST", "/v1/oauth/token", b"grant_type=client_credentials",
         FORM, headers={"Authorization": "Basic %%%"}),
]  # fmt: skip


@pytest.fixture
def targets(client: TestClient, ngo: Partner) -> dict[str, str]:
    operation = create_operation(client, ngo)
    victim = register_victim(client, ngo)
    return {"operation_id": operation["id"], "victim_id": victim["id"]}


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_a_4xx_problem(
    client: TestClient, ngo: Partner, targets: dict[str, str], case: Case
) -> None:
    headers = dict((case.path.startswith("/v1/oauth") and {}) or ngo.headers)
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    headers.update(case.headers)
    content: Any = _chunks(case.body) if case.chunked and case.body else case.body
    started = time.monotonic()
    r = client.request(case.method, case.path.format(**targets), content=content, headers=headers)
    assert time.monotonic() - started < 10, "took too long: a hang in the making"
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if case.path.startswith("/v1/oauth") and r.status_code != 413:
        assert "error" in r.json()  # RFC 6749 section 5.2
    else:
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["status"] == r.status_code
        assert {"type", "title", "detail", "instance", "request_id"} <= set(problem)
    # Nothing of a rejected write was kept.
    if case.method == "POST" and case.path == "/v1/victims":
        listed = client.get("/v1/victims?limit=200", headers=ngo.headers).json()["items"]
        assert [v["id"] for v in listed] == [targets["victim_id"]]
