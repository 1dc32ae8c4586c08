"""G6: while 8 writers commit concurrently through two server processes, with random delays
inside their transactions, a poller following the cursor receives exactly the committed
events, each once, in the order a full re-read gives."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from app.core.config import Settings
from tests.conftest import Partner
from tests.factories import victim_body
from tests.live import live_servers

WRITERS = 8
PER_WRITER = 12


def test_concurrent_writers_and_a_polling_reader(
    settings: Settings, ngo: Partner, tmp_path: Path
) -> None:
    with live_servers(settings, 2, tmp_path, REFERRALS_FAULT_COMMIT_DELAY_MS="40") as urls:
        headers = ngo.headers
        with httpx.Client(timeout=30) as c:
            start = c.get(f"{urls[0]}/v1/events", params={"limit": 1000}, headers=headers).json()
        cursor = start["next_cursor"]
        polled: list[str] = []
        done = threading.Event()

        def poller() -> None:
            nonlocal cursor
            with httpx.Client(timeout=30) as c:
                idle_after_done = 0
                while idle_after_done < 3:
                    params: dict[str, Any] = {"limit": 7, "types": "victim.registered"}
                    if cursor:
                        params["after"] = cursor
                    page = c.get(f"{urls[0]}/v1/events", params=params, headers=headers).json()
                    polled.extend(e["resource_id"] for e in page["items"])
                    cursor = page["next_cursor"] or cursor
                    if not page["items"]:
                        idle_after_done += 1 if done.is_set() else 0
                        time.sleep(0.02)

        def writer(n: int) -> list[str]:
            made = []
            with httpx.Client(timeout=60) as c:
                for i in range(PER_WRITER):
                    url = urls[(n + i) % 2]
                    body = victim_body(n * 100 + i, identity=False, external_ref=None)
                    r = c.post(f"{url}/v1/victims", json=body, headers=headers)
                    assert r.status_code == 201, r.text
                    made.append(r.json()["id"])
            return made

        reader = threading.Thread(target=poller)
        reader.start()
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            committed = [vid for made in pool.map(writer, range(WRITERS)) for vid in made]
        done.set()
        reader.join(timeout=60)
        assert not reader.is_alive()

        with httpx.Client(timeout=30) as c:
            params = {"limit": 1000, "types": "victim.registered"}
            if start["next_cursor"]:
                params["after"] = start["next_cursor"]
            reread = [
                e["resource_id"]
                for e in c.get(f"{urls[1]}/v1/events", params=params, headers=headers).json()[
                    "items"
                ]
            ]

    assert len(committed) == WRITERS * PER_WRITER
    assert len(polled) == len(set(polled)), "an event was delivered twice"
    assert set(polled) == set(committed), "the poller missed committed events"
    assert polled == reread, "the incremental order differs from a full re-read"
