"""The README quickstart runs: its marked blocks, exactly as written, against a live server.

The blocks follow a `<!-- quickstart -->` line. The `sh` blocks run in one bash session (as
a reader pastes them into one terminal); the `python` blocks run as one script with the venv
python, in an environment made by the first `sh` block (the variables the README tells the
reader to set). The server is the one `make run` starts: the demo loaded into a fresh SQLite
database, its credentials in `data/demo-credentials.json` under the working directory.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.live import live_servers, server_env

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- quickstart -->"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

on_sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL),
    reason="the quickstart runs on SQLite as `make run` does; the SQLite pass covers it",
)


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int


def quickstart_blocks(text: str) -> list[Block]:
    """Every fenced block right after a marker line, in README order."""
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        fence = lines[index + 1]
        assert fence.startswith("```"), f"README line {index + 2}: a block must follow {MARKER}"
        end = lines.index("```", index + 2)
        code = "\n".join(lines[index + 2 : end]) + "\n"
        blocks.append(Block(fence[3:].strip(), code, index + 3))
    return blocks


def test_marked_blocks_are_found() -> None:
    blocks = quickstart_blocks(README.read_text())
    assert {b.language for b in blocks} == {"sh", "python"}
    assert blocks[0].language == "sh"  # the variables the rest reads
    assert sum(b.language == "sh" for b in blocks) >= 6
    sample = f"text\n{MARKER}\n```sh\necho one\n```\n\n```sh\nnot marked\n```\n"
    assert quickstart_blocks(sample) == [Block("sh", "echo one\n", 4)]


@dataclass(frozen=True)
class DemoServer:
    url: str
    workdir: Path


@pytest.fixture(scope="module")
def demo_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoServer]:
    workdir = tmp_path_factory.mktemp("quickstart")
    # The reader runs the blocks in the repository's folder: its venv and templates.
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    (workdir / "templates").symlink_to(README.parent / "templates")
    data_dir = workdir / "data"
    demo_settings = Settings(
        **settings.model_dump()
        | {"data_dir": data_dir, "database_url": f"sqlite:///{data_dir / 'referrals.db'}"}
    )
    # What `make run` does before serving: `referral-api demo --if-empty` (which migrates).
    subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--if-empty"],
        env=server_env(demo_settings),
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    with live_servers(demo_settings, 1, workdir) as [url]:
        yield DemoServer(url, workdir)


def _reader_env(server: DemoServer) -> dict[str, str]:
    """A reader's terminal: no server settings, only API pointing at our server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRALS_")}
    env["API"] = server.url
    return env


def _run_bash(script: str, server: DemoServer) -> str:
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        env=_reader_env(server),
        cwd=server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _sh_script(blocks: list[Block]) -> str:
    # A marker before each block names the one that failed, should one fail.
    return "".join(
        f"echo '@@ README line {b.line}' >&2\n{b.code}" for b in blocks if b.language == "sh"
    )


def _ngo_client(server: DemoServer) -> httpx.Client:
    import json

    creds = json.loads((server.workdir / "data" / "demo-credentials.json").read_text())
    ngo = next(c for c in creds if c["slug"] == "demo-ngo")
    answer = httpx.post(
        f"{server.url}/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(ngo["client_id"], ngo["client_secret"]),
    )
    token = answer.json()["access_token"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def _one(pattern: str, output: str) -> tuple[str, ...]:
    found = re.search(pattern, output, re.MULTILINE)
    assert found, f"no line matching {pattern!r} in:\n{output}"
    return found.groups()


@on_sqlite_only
def test_curl_walk(demo_server: DemoServer) -> None:
    blocks = quickstart_blocks(README.read_text())
    output = _run_bash(_sh_script(blocks), demo_server)

    (tokens,) = _one(r"^tokens: (\d+) and \d+ characters$", output)
    assert int(tokens) > 100
    victim_id, operation_id = _one(rf"^registered victim ({UUID}) in operation ({UUID})$", output)
    (referral_id,) = _one(rf"^referral ({UUID}) is requested$", output)
    (decision_id,) = _one(rf"^decision ({UUID}) recorded$", output)
    assert _one(rf"^final positive ({UUID})$", output) == (referral_id,)
    (case_number,) = _one(r"^(V-[0-9A-Z]{4}-[0-9A-Z]{4}) identified$", output)
    assert _one(r'^  "(created)": 2,$', output)  # the template's two rows, imported
    last, cursor = _one(r"^last event: decision.issued (\S+); next time start after (\S+)$", output)
    assert last == decision_id
    assert cursor

    # What the blocks printed is what the API holds.
    with _ngo_client(demo_server) as ngo:
        victim = ngo.get(f"/v1/victims/{victim_id}").json()
        assert (victim["case_number"], victim["rescue_operation_id"]) == (case_number, operation_id)
        assert victim["identification_status"] == "identified"
        decision = ngo.get(f"/v1/decisions/{decision_id}").json()
        assert (decision["referral_id"], decision["victim_id"]) == (referral_id, victim_id)
        assert ngo.get(f"/v1/referrals/{referral_id}").json()["status"] == "completed"
        # The printed cursor is the end of the feed: nothing newer since.
        page = ngo.get("/v1/events", params={"after": cursor, "types": "decision.issued"})
        assert page.status_code == 200
        assert page.json()["items"] == []


@on_sqlite_only
def test_httpx_walk(demo_server: DemoServer) -> None:
    blocks = quickstart_blocks(README.read_text())
    script = demo_server.workdir / "quickstart.py"
    script.write_text("".join(b.code for b in blocks if b.language == "python"))
    setup = blocks[0].code  # the variables, as the reader set them in the same terminal
    output = _run_bash(
        f"{setup}\nexec {shlex.quote(sys.executable)} {shlex.quote(str(script))}\n", demo_server
    )

    (victim_id,) = _one(rf"^registered victim ({UUID})$", output)
    (referral_id,) = _one(rf"^referral ({UUID}) is requested$", output)
    (decision_id,) = _one(rf"^decision ({UUID}) recorded$", output)
    assert _one(rf"^decision is final positive for referral ({UUID})$", output) == (referral_id,)
    assert _one(rf"^last event: decision.issued ({UUID})$", output) == (decision_id,)

    with _ngo_client(demo_server) as ngo:
        assert ngo.get(f"/v1/victims/{victim_id}").json()["identification_status"] == "identified"
        decision = ngo.get(f"/v1/decisions/{decision_id}").json()
        assert (decision["referral_id"], decision["victim_id"]) == (referral_id, victim_id)
