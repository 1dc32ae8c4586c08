"""G16: overload degrades, never hangs — 256 concurrent connections on one worker for 30 s
(REFERRALS_OVERLOAD_SECONDS to change): every request is answered 2xx or 503, nothing
acknowledged is lost, and the server is healthy afterwards."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.conftest import Partner
from tests.factories import victim_body
from tests.live import live_servers

CONNECTIONS = 256
SECONDS = float(os.environ.get("REFERRALS_OVERLOAD_SECONDS", "30"))
# A request unanswered this long counts as a hang.
HANG_SECONDS = 30.0

pytestmark = pytest.mark.slow


async def _storm(url: str, partner: Partner) -> tuple[Counter[str], list[str]]:
    outcomes: Counter[str] = Counter()
    created: list[str] = []
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    deadline = time.monotonic() + SECONDS
    async with httpx.AsyncClient(
        base_url=url, headers=partner.headers, limits=limits, timeout=HANG_SECONDS
    ) as client:

        async def connection(n: int) -> None:
            rng = random.Random(n)
            i = 0
            while time.monotonic() < deadline:
                i += 1
                try:
                    if rng.random() < 0.3:
                        r = await client.post("/v1/victims", json=victim_body(n * 100_000 + i))
                        if r.status_code == 201:
                            created.append(r.json()["id"])
                    else:
                        r = await client.get("/v1/victims", params={"limit": 20})
                    outcomes[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

        await asyncio.gather(*(connection(n) for n in range(CONNECTIONS)))
    return outcomes, created


def test_256_connections_for_30_seconds(settings: Settings, ngo: Partner, tmp_path: Path) -> None:
    env = {"REFERRALS_API_RATE_LIMIT": "100000000"}
    with live_servers(settings, 1, tmp_path, **env) as (url,):
        outcomes, created = asyncio.run(_storm(url, ngo))
        print(f"overload outcomes: {dict(outcomes)}")
        answered_ok = outcomes["200"] + outcomes["201"]
        assert set(outcomes) <= {"200", "201", "503"}, outcomes
        assert answered_ok > 100, outcomes

        started = time.monotonic()
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        assert time.monotonic() - started < 5
        seen: set[str] = set()
        cursor: str | None = None
        with httpx.Client(base_url=url, headers=ngo.headers, timeout=30) as c:
            while True:
                params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
                page = c.get("/v1/victims", params=params)
                assert page.status_code == 200
                seen |= {v["id"] for v in page.json()["items"]}
                cursor = page.json()["next_cursor"]
                if not cursor:
                    break
        assert set(created) <= seen
