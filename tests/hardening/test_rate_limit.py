"""G15: one client cannot starve the others — a per-client limit answered with 429 and
Retry-After, counted in state every server process shares (the database, or Redis)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import PartnerFactory
from tests.live import live_servers

REDIS_URL = os.environ.get("REFERRALS_TEST_REDIS_URL", "")
BACKENDS = ["database", *(["redis"] if REDIS_URL else [])]
LIMIT = 20
# A day-long window: the test cannot straddle a window boundary in practice.
WINDOW = 86_400


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_limit_is_shared_by_every_process_and_spares_other_clients(
    settings: Settings, tmp_path: Path, make_partner: PartnerFactory, backend: str
) -> None:
    greedy = make_partner(["decision_recipient"])
    patient = make_partner(["decision_recipient"])
    env = {"REFERRALS_API_RATE_LIMIT": str(LIMIT), "REFERRALS_API_RATE_WINDOW_SECONDS": str(WINDOW)}
    if backend == "redis":
        env["REFERRALS_REDIS_URL"] = REDIS_URL
    with live_servers(settings, 2, tmp_path, **env) as urls:
        # Alternate between the two processes: a per-process count would allow twice LIMIT.
        responses = [
            httpx.get(f"{urls[i % 2]}/v1/agencies?limit=1", headers=greedy.headers)
            for i in range(LIMIT + 10)
        ]
        statuses = [r.status_code for r in responses]
        assert statuses == [200] * LIMIT + [429] * 10
        refused = responses[-1]
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith(":rate-limited")
        assert 1 <= int(refused.headers["retry-after"]) <= WINDOW + 1
        assert refused.headers["ratelimit-limit"] == str(LIMIT)
        assert refused.headers["ratelimit-remaining"] == "0"
        for url in urls:
            ok = httpx.get(f"{url}/v1/agencies?limit=1", headers=patient.headers)
            assert ok.status_code == 200


def test_an_unreachable_store_lets_requests_through_and_says_so(
    settings: Settings, make_partner: PartnerFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    partner = make_partner(["decision_recipient"])
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0", "api_rate_limit": 2})
    with TestClient(create_app(broken)) as client:
        statuses = [
            client.get("/v1/agencies?limit=1", headers=partner.headers).status_code
            for _ in range(4)
        ]
    assert statuses == [200] * 4
    assert '"msg": "rate limit store unavailable"' in capfd.readouterr().err


def test_sqlite_counters_live_beside_the_database_and_are_shared(tmp_path: Path) -> None:
    """On SQLite the counts are kept in a side file (not the main file's write lock):
    two stores on it (two processes) see one count, and a store keeps counting after
    ``close`` (an app's lifespan can run more than once)."""
    from app.core.ratelimit import SQLiteCounters, Window, counters_path

    side = counters_path(f"sqlite:///{tmp_path / 'app.db'}")
    assert side == str(tmp_path / "app.counters.db")
    assert counters_path("postgresql+psycopg://u@h/db") is None
    window = Window.containing(1_000_000, 60)
    one, other = (SQLiteCounters(side, busy_timeout_ms=1000) for _ in range(2))
    assert [one.hit("api:x", window), other.hit("api:x", window)] == [1, 2]
    one.close()
    assert one.hit("api:x", window) == 3
    assert other.peek("api:x", window) == 3
    assert other.peek("api:y", window) == 0
    # A new window starts from one and drops the bucket's older windows.
    later = Window.containing(1_000_060, 60)
    assert one.hit("api:x", later) == 1
    assert other.peek("api:x", window) == 0
    one.close()
    other.close()


def test_database_counters_lose_at_most_one_hit_when_their_connections_drop(
    settings: Settings,
) -> None:
    """PostgreSQL counters skip the pool's pre-ping (a round trip a request): when the
    database drops their connections (a restart, a failover), the next hit may fail,
    which the limiter lets through, and counting resumes on a new connection."""
    if settings.is_sqlite:
        pytest.skip("the database counters run on PostgreSQL (SQLite keeps a side file)")
    import time
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from app.core.ratelimit import (
        COUNTERS_APPLICATION_NAME,
        DatabaseCounters,
        Window,
        make_counters,
    )

    counters = make_counters(settings)
    assert isinstance(counters, DatabaseCounters)
    window = Window.containing(int(time.time()), WINDOW)
    bucket = f"api:{uuid.uuid4()}"
    try:
        assert counters.hit(bucket, window) == 1
        admin = create_engine(settings.database_url)
        with admin.connect() as conn:
            dropped = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": COUNTERS_APPLICATION_NAME},
            ).scalar_one()
        admin.dispose()
        assert dropped >= 1
        outcomes: list[int | None] = []
        for _ in range(3):
            try:
                outcomes.append(counters.hit(bucket, window))
            except OperationalError:
                outcomes.append(None)
        assert outcomes in ([None, 2, 3], [2, 3, 4])
    finally:
        counters.close()
