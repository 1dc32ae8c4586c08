"""Contention and load shedding: busy databases and too many requests answer 503 with
Retry-After (never a 500 or a hang), and PostgreSQL transactions that lose a race are
re-run a bounded number of times."""

from __future__ import annotations

import re
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.core.config import Settings
from app.main import create_app
from tests.conftest import Partner
from tests.factories import victim_body
from tests.live import live_servers


def _retries(base_url: str) -> float:
    text = httpx.get(f"{base_url}/metrics").text
    match = re.search(r"^db_transaction_retries_total (\S+)$", text, re.MULTILINE)
    assert match, "retry counter missing from /metrics"
    return float(match.group(1))


def _register_concurrently(url: str, partner: Partner, n: int) -> list[httpx.Response]:
    def register(i: int) -> httpx.Response:
        with httpx.Client(timeout=60) as c:
            return c.post(f"{url}/v1/victims", json=victim_body(i), headers=partner.headers)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(register, range(n)))


def test_sqlite_held_lock_is_503_with_retry_after_then_works(
    settings: Settings, ngo: Partner
) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite's single-writer lock")
    path = make_url(settings.database_url).database
    impatient = settings.model_copy(update={"sqlite_busy_timeout_ms": 200})
    blocker = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    with TestClient(create_app(impatient)) as client:
        try:
            blocker.execute("BEGIN IMMEDIATE")
            write = client.post("/v1/victims", json=victim_body(1), headers=ngo.headers)
            read = client.get("/v1/victims?limit=5", headers=ngo.headers)  # audited: writes
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        for r in (write, read):
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "1"
            assert r.headers["content-type"].startswith("application/problem+json")
        assert (
            client.post("/v1/victims", json=victim_body(1), headers=ngo.headers).status_code == 201
        )


def test_postgresql_conflicts_are_retried_until_every_write_lands(
    settings: Settings, ngo: Partner, tmp_path: Path
) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL serialization failures")
    # REPEATABLE READ turns every race on the audit chain head into a real serialization
    # failure (SQLSTATE 40001), which the server must absorb by re-running the request.
    env = {"REFERRALS_DATABASE_ISOLATION": "repeatable_read", "REFERRALS_DB_CONFLICT_RETRIES": "10"}
    with live_servers(settings, 1, tmp_path, **env) as (url,):
        responses = _register_concurrently(url, ngo, 16)
        assert [r.status_code for r in responses] == [201] * 16
        assert _retries(url) > 0
        ids = {r.json()["id"] for r in responses}
        for victim_id in ids:
            assert (
                httpx.get(f"{url}/v1/victims/{victim_id}", headers=ngo.headers).status_code == 200
            )


def test_postgresql_conflicts_beyond_the_retries_are_503_and_store_nothing(
    settings: Settings, ngo: Partner, tmp_path: Path
) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL serialization failures")
    env = {"REFERRALS_DATABASE_ISOLATION": "repeatable_read", "REFERRALS_DB_CONFLICT_RETRIES": "0"}
    with live_servers(settings, 1, tmp_path, **env) as (url,):
        responses = _register_concurrently(url, ngo, 16)
        statuses = sorted({r.status_code for r in responses})
        assert statuses == [201, 503], statuses
        for r in responses:
            if r.status_code == 503:
                assert r.headers["retry-after"] == "1"
        listed = httpx.get(f"{url}/v1/victims?limit=200", headers=ngo.headers).json()["items"]
        assert len(listed) == sum(r.status_code == 201 for r in responses)


def test_requests_beyond_the_in_flight_limit_get_503_at_once(
    settings: Settings, ngo: Partner, tmp_path: Path
) -> None:
    env = {"REFERRALS_MAX_REQUESTS_IN_FLIGHT": "2", "REFERRALS_FAULT_COMMIT_DELAY_MS": "300"}
    with live_servers(settings, 1, tmp_path, **env) as (url,):
        responses = _register_concurrently(url, ngo, 12)
        statuses = [r.status_code for r in responses]
        assert set(statuses) == {201, 503}, statuses
        shed = [r for r in responses if r.status_code == 503]
        assert all(r.headers["retry-after"] == "1" for r in shed)
        assert all(r.json()["type"].endswith(":service-unavailable") for r in shed)
        assert httpx.get(f"{url}/healthz").status_code == 200
        listed = httpx.get(f"{url}/v1/victims?limit=200", headers=ngo.headers).json()["items"]
        assert len(listed) == statuses.count(201)


def test_a_get_with_an_endless_body_is_answered_without_reading_it(
    settings: Settings, ngo: Partner, tmp_path: Path
) -> None:
    """GET bodies are never read; nothing may wait for (or buffer) one before answering."""
    with live_servers(settings, 1, tmp_path) as (url,):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            head = (
                "GET /v1/victims?limit=1 HTTP/1.1\r\nHost: test\r\n"
                f"Authorization: {ngo.headers['Authorization']}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            )
            # One chunk of a body that never ends.
            conn.sendall(head.encode() + b"400\r\n" + b"x" * 1024 + b"\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
        assert status_line == b"HTTP/1.1 200 OK"
