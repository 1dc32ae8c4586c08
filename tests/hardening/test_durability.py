"""G8: a 2xx means durable — kill -9 the server during a write storm; after a restart every
acknowledged registration is there and the audit chain still verifies."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.conftest import Partner, PartnerFactory
from tests.factories import victim_body
from tests.live import start_server, stop, wait_until_ready

WRITERS = 8
STORM_SECONDS = 4.0

pytestmark = pytest.mark.slow


def test_kill_9_during_a_write_storm_loses_no_acknowledged_write(
    settings: Settings, ngo: Partner, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    oversight = make_partner(["oversight"], kind="government")
    env = {"REFERRALS_API_RATE_LIMIT": "100000000"}
    proc, url = start_server(settings, tmp_path / "before.log", **env)
    acknowledged: list[str] = []
    stopping = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=url, headers=ngo.headers, timeout=10) as c:
            i = 0
            while not stopping.is_set():
                i += 1
                try:
                    r = c.post("/v1/victims", json=victim_body(n * 100_000 + i))
                except httpx.HTTPError:
                    continue  # no answer: not acknowledged, may or may not exist
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])

    try:
        wait_until_ready(url)
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(STORM_SECONDS)
        proc.kill()  # SIGKILL: no shutdown hooks, no flush
        proc.wait()
        stopping.set()
        for t in threads:
            t.join()
    finally:
        stop([proc])
    assert len(acknowledged) >= 20, "the storm wrote too little to prove anything"

    proc, url = start_server(settings, tmp_path / "after.log", **env)
    try:
        wait_until_ready(url)
        with httpx.Client(base_url=url, timeout=30) as c:
            missing = [
                victim_id
                for victim_id in acknowledged
                if c.get(f"/v1/victims/{victim_id}", headers=ngo.headers).status_code != 200
            ]
            verify = c.get("/v1/audit-events/verify", headers=oversight.headers)
    finally:
        stop([proc])
    assert missing == []
    assert verify.status_code == 200, verify.text
    assert verify.json()["valid"] is True
