"""Real server processes (uvicorn, as production runs it) on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.core.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REFERRALS_ENVIRONMENT=settings.environment,
        REFERRALS_DATA_DIR=str(settings.data_dir),
        REFERRALS_DATABASE_URL=settings.database_url,
        REFERRALS_JWT_PRIVATE_KEY=settings.jwt_private_key,
        REFERRALS_IDENTITY_KEYS=settings.identity_keys,
        REFERRALS_HMAC_KEY=settings.hmac_key,
        REFERRALS_LOG_LEVEL="WARNING",
        REFERRALS_INPROCESS_WORKER="false",
    )
    env.update(overrides)
    return env


def start_server(
    settings: Settings, log_path: Path, port: int | None = None, **env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """One uvicorn process (``referral-api serve``, as production runs it); not yet ready."""
    port = port or free_port()
    log = open(log_path, "ab")  # noqa: SIM115 (owned by the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=server_env(settings, **env),
        stdout=log,
        stderr=log,
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_until_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server {url} did not start")
        time.sleep(0.1)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def live_servers(settings: Settings, count: int, log_dir: Path, **env: str) -> Iterator[list[str]]:
    """``count`` uvicorn processes on one database; yields their base URLs."""
    procs: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for i in range(count):
            proc, url = start_server(settings, log_dir / f"server-{i}.log", **env)
            procs.append(proc)
            urls.append(url)
        for url in urls:
            wait_until_ready(url)
        yield urls
    finally:
        stop(procs)
