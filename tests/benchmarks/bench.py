"""``make bench``: throughput of the hot paths as ratios to ``/healthz``, in one run.

Starts the server as production would (one uvicorn worker, migrations applied, logs at
info), seeds synthetic data through the app's own code, drives load from a separate
process (wrk when installed, else an async httpx generator) and prints one table plus the
server's peak RSS. SQLite by default; PostgreSQL when REFERRALS_BENCH_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.agencies import service as agencies
from app.agencies.schemas import AgencyCreate, ClientCreate
from app.auth.keys import generate_private_key_pem
from app.core.config import Settings
from app.core.crypto import Keyring, generate_key_text, generate_keyring_text
from app.core.db import Database
from app.core.migrations import upgrade
from app.operations import service as operations
from app.operations.schemas import Location, OperationCreate
from app.victims import service as victims
from app.victims.schemas import VictimBatchCreate, VictimCreate

NATIONALITIES = ["PH", "LA", "KH", "CN", "LK", "VN", "ID", "NP", "IN", "KE", "UG", "ET", "NG"]


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        environment="production",
        data_dir=data_dir,
        database_url=database_url,
        jwt_private_key=generate_private_key_pem(),
        identity_keys=generate_keyring_text(),
        hmac_key=generate_key_text(),
        log_level="INFO",
    )


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REFERRALS_ENVIRONMENT=settings.environment,
        REFERRALS_DATA_DIR=str(settings.data_dir),
        REFERRALS_DATABASE_URL=settings.database_url,
        REFERRALS_JWT_PRIVATE_KEY=settings.jwt_private_key,
        REFERRALS_IDENTITY_KEYS=settings.identity_keys,
        REFERRALS_HMAC_KEY=settings.hmac_key,
        REFERRALS_LOG_LEVEL="INFO",
    )
    return env


def seed(settings: Settings, people: int) -> tuple[str, str]:
    """An NGO with a client and ``people`` registered victims, through the service layer."""
    from app.auth.principal import Caller

    database = Database(settings)
    keyring = Keyring.from_text(settings.identity_keys)
    try:
        with database.session() as session:
            agency = agencies.create_agency(
                session,
                AgencyCreate(
                    slug=f"bench-{uuid.uuid4().hex[:8]}", name="Benchmark NGO", kind="ngo",  # type: ignore[arg-type]
                    country="TH", roles=["first_responder"],  # type: ignore[list-item]
                ),
            )  # fmt: skip
            created = agencies.create_client(
                session, agency.id, ClientCreate(name="bench"), hash_cost=settings.secret_hash_n
            )
            caller = Caller(created.client.id, agency.id, frozenset(created.client.scopes))
            op = operations.create(
                session,
                caller,
                OperationCreate(
                    name="Benchmark intake",
                    started_on="2026-11-20",  # type: ignore[arg-type]
                    location=Location(place="Mae Sot", country="TH"),
                ),
            )
        done = 0
        while done < people:
            size = min(1000, people - done)
            batch = VictimBatchCreate(
                victims=[
                    VictimCreate(
                        sex="female" if (done + i) % 2 else "male",  # type: ignore[arg-type]
                        age_estimate=18 + (done + i) % 30,
                        nationality=NATIONALITIES[(done + i) % len(NATIONALITIES)],
                        exploitation_types=["forced_criminality"],  # type: ignore[list-item]
                        identity={"given_name": f"Bench{done + i}", "family_name": "Synthetic"},  # type: ignore[arg-type]
                    )
                    for i in range(size)
                ]
            )
            with database.session() as session:
                victims.register_intake(session, caller, op.id, batch, keyring)
            done += size
            print(f"  seeded {done}/{people}", file=sys.stderr, end="\r")
        print(file=sys.stderr)
        return str(created.client.id), created.secret
    finally:
        database.dispose()


def _wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> tuple[float, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    assert p50 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} non-2xx responses")
    return rps, float(p50.group(1)) * scale


async def _httpx_load(
    url: str, headers: dict[str, str], seconds: int, connections: int
) -> tuple[float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            r = await client.get(url, headers=headers)
            r.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    return len(latencies) / seconds, statistics.median(latencies)


def measure(name: str, url: str, headers: dict[str, str], seconds: int, connections: int) -> Result:
    if shutil.which("wrk"):
        rps, p50 = _wrk(url, headers, seconds, connections)
    else:
        rps, p50 = asyncio.run(_httpx_load(url, headers, seconds, connections))
    return Result(name, rps, p50)


def pull_events(base: str, auth: dict[str, str], page: int = 500) -> Result:
    """A government system catching up: the whole feed from the start, pages of 500.

    Reported as events per second (the ratio column compares it with /healthz requests
    per second, as the performance issue asks).
    """
    pulled, cursor, latencies = 0, None, []
    started = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        while True:
            params: dict[str, str | int] = {"limit": page}
            if cursor:
                params["after"] = cursor
            t = time.perf_counter()
            body = client.get(f"{base}/v1/events", params=params, headers=auth).json()
            latencies.append((time.perf_counter() - t) * 1000)
            if not body["items"]:
                break
            pulled += len(body["items"])
            cursor = body["next_cursor"]
    elapsed = time.perf_counter() - started
    return Result(f"events pulled/s ({pulled:,} events, pages of {page})", pulled / elapsed,
                  statistics.median(latencies))  # fmt: skip


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        data_dir = Path(tmp)
        url = os.environ.get("REFERRALS_BENCH_DATABASE_URL") or f"sqlite:///{data_dir / 'b.db'}"
        settings = _settings(data_dir, url)
        if not settings.is_sqlite:
            from tests.conftest import reset_postgres

            reset_postgres(url)
        upgrade(url)
        print(f"seeding {args.victims} victims ...", file=sys.stderr)
        client_id, secret = seed(settings, args.victims)

        port = _free_port()
        log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=_env(settings), stdout=log, stderr=log,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = httpx.post(
                f"{base}/v1/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, secret),
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            results = [
                measure("GET /healthz", f"{base}/healthz", {}, args.seconds, args.connections),
                measure(
                    "GET /v1/victims?limit=50",
                    f"{base}/v1/victims?limit=50",
                    auth,
                    args.seconds,
                    args.connections,
                ),
            ]
            results.append(pull_events(base, auth))
            rss = _peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    floor = results[0].rps
    print(f"\ndatabase: {'sqlite' if settings.is_sqlite else 'postgresql'}, "
          f"victims: {args.victims}, connections: {args.connections}, {args.seconds}s each, "
          f"load: {'wrk' if shutil.which('wrk') else 'httpx'}")  # fmt: skip
    print("| figure | requests/s | p50 ms | ÷ /healthz |\n|---|---:|---:|---:|")
    for r in results:
        print(f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.rps / floor:.3f} |")
    print(f"| server peak RSS | {rss:.0f} MB | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
