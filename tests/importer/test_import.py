"""``referral-api import victims``: the real command, over HTTP, against a live server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.conftest import Partner, PartnerFactory
from tests.importer.proxy import faulty_proxy
from tests.live import live_servers

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "victims.csv"
HEADER = TEMPLATE.read_text().splitlines()[0].split(",")


@pytest.fixture(scope="module")
def server_url(migrated: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_servers(migrated, 1, tmp_path_factory.mktemp("import-server")) as [url]:
        yield url


@dataclass
class Intake:
    partner: Partner
    operation_id: str


@pytest.fixture
def intake(client: TestClient, ngo: Partner) -> Intake:
    body = {"name": "Import test", "started_on": "2026-11-20",
            "location": {"place": "Mae Sot", "country": "TH"}}  # fmt: skip
    answer = client.post("/v1/rescue-operations", json=body, headers=ngo.headers)
    assert answer.status_code == 201, answer.text
    return Intake(ngo, answer.json()["id"])


def registered(client: TestClient, intake: Intake) -> list[dict[str, Any]]:
    """Everyone the partner can see in the operation, by paging the list."""
    people: list[dict[str, Any]] = []
    params: dict[str, Any] = {"rescue_operation_id": intake.operation_id, "limit": 200}
    while True:
        page = client.get("/v1/victims", params=params, headers=intake.partner.headers).json()
        people += page["items"]
        if not page["next_cursor"]:
            return people
        params["cursor"] = page["next_cursor"]


def person(index: int, *, ref: bool = False, identity: bool = False) -> dict[str, str]:
    row = {"sex": ("female", "male", "other")[index % 3], "age_estimate": str(18 + index % 40),
           "nationality": ("PH", "KE", "LA")[index % 3], "languages": "en;tl",
           "exploitation_types": "forced_criminality", "needs": "shelter;medical"}  # fmt: skip
    if ref:
        row["external_ref"] = f"IMP-{index:04d}"
    if identity:
        row |= {"given_name": f"Sample{index}", "family_name": "Synthetic", "aliases": "A;B",
                "document_type": "passport", "document_number": f"X{index:07d}"}  # fmt: skip
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue())
    return path


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))


def run_import(
    intake: Intake, file: Path, base_url: str, *args: str, secret: str | None = None
) -> Run:
    # A partner's machine: no server settings at all, credentials from the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRALS_")}
    env["REFERRALS_CLIENT_ID"] = intake.partner.client_id
    env["REFERRALS_CLIENT_SECRET"] = secret or intake.partner.client_secret
    command = [sys.executable, "-m", "app.cli", "import", "victims", str(file),
               "--operation", intake.operation_id, "--base-url", base_url, *args]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert intake.partner.client_secret not in result.stdout + result.stderr
    return Run(result.returncode, result.stdout, result.stderr)


def test_template_is_valid_and_synthetic() -> None:
    rows = list(csv.DictReader(TEMPLATE.open()))
    assert len(rows) == 2
    command = [sys.executable, "-m", "app.cli", "import", "victims", str(TEMPLATE),
               "--operation", str(uuid.uuid4()), "--dry-run"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"rows": 2, "valid": True, "sent": 0}


def test_valid_csv_registers_everyone_in_batches(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    rows = [person(i, ref=i % 2 == 0, identity=i % 3 == 0) for i in range(7)]
    run = run_import(intake, write_csv(tmp_path / "people.csv", rows), server_url,
                     "--batch-size", "3")  # fmt: skip

    assert run.code == 0, run.stderr
    assert run.summary | {"operation_id": ""} == {
        "operation_id": "", "rows": 7, "batches": 3, "created": 7, "already_registered": 0,
        "replayed": 0, "batches_created": 3, "batches_already_registered": 0,
        "batches_replayed": 0,
    }  # fmt: skip
    assert "[####" in run.stderr  # the progress bar
    assert "7/7" in run.stderr
    assert "Sample" not in run.stdout + run.stderr  # no personal data printed
    people = registered(client, intake)
    assert len(people) == 7
    assert {p["external_ref"] for p in people} == {None, "IMP-0000", "IMP-0002", "IMP-0004",
                                                   "IMP-0006"}  # fmt: skip
    with_identity = [p for p in people if p["identity"] and p["identity"]["given_name"]]
    assert sorted(p["identity"]["given_name"] for p in with_identity) == ["Sample0", "Sample3",
                                                                           "Sample6"]  # fmt: skip
    assert with_identity[0]["identity"]["aliases"] == ["A", "B"]
    assert {tuple(p["languages"]) for p in people} == {("en", "tl")}


def test_invalid_file_reports_every_error_and_sends_nothing(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    rows = [
        person(0),
        person(1) | {"sex": "Female", "nationality": "ph"},
        person(2) | {"age_estimate": "twenty"},
        person(3) | {"languages": "en;english", "date_of_birth": "2999-01-01"},
        person(4) | {"external_ref": "DUP-1"},
        person(5) | {"external_ref": "DUP-1", "phone": "call me"},  # invalid: no dup check
        person(6) | {"sex": ""},
        person(7) | {"document_type": "driving_licence"},
        person(8) | {"external_ref": "DUP-1"},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with faulty_proxy(server_url) as proxy:
        run = run_import(intake, path, proxy.url)
        assert proxy.requests == 0  # not even a token was asked for

    assert run.code == 1
    lines = run.stderr.strip().splitlines()
    assert lines[-1] == "9 error(s) in the file; nothing was sent"
    # Spreadsheet row numbers (the header is row 1), every error, in row order.
    assert [line.split(":", 1)[0] for line in lines[:-1]] == [
        "row 3, column sex", "row 3, column nationality", "row 4, column age_estimate",
        "row 5, column date_of_birth", "row 5, column languages", "row 7, column phone",
        "row 8, column sex", "row 9, column document_type", "row 10, column external_ref",
    ]  # fmt: skip
    assert "row 5, column languages: item 2: String should have at most 3 characters" in run.stderr
    assert "row 8, column sex: Field required" in run.stderr
    assert "row 10, column external_ref: same as row 6" in run.stderr
    assert "call me" not in run.stderr  # no cell contents
    assert "english" not in run.stderr
    assert registered(client, intake) == []


def test_header_errors_are_row_1(intake: Intake, server_url: str, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("nationality,colour,nationality\nPH,blue,PH\n")
    run = run_import(intake, path, server_url)
    assert run.code == 1
    assert run.stderr.splitlines()[:3] == [
        "row 1, column colour: unknown column; the columns are " + ", ".join(HEADER),
        "row 1, column nationality: the column appears twice",
        "row 1, column sex: required column is missing",
    ]


def test_rerun_replays_instead_of_duplicating(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    # No external_ref: only the Idempotency-Key stands between a re-run and duplicates.
    path = write_csv(tmp_path / "people.csv", [person(i) for i in range(5)])
    first = run_import(intake, path, server_url, "--batch-size", "2")
    assert first.code == 0, first.stderr
    assert (first.summary["created"], first.summary["batches_created"]) == (5, 3)

    again = run_import(intake, path, server_url, "--batch-size", "2")
    assert again.code == 0, again.stderr
    assert (again.summary["created"], again.summary["replayed"]) == (0, 5)
    assert again.summary["batches_replayed"] == 3
    assert len(registered(client, intake)) == 5

    # Another batch size would pair keys with other rows: refused, not duplicated.
    other = run_import(intake, path, server_url, "--batch-size", "3")
    assert other.code == 3
    assert "same --batch-size" in other.stderr
    assert len(registered(client, intake)) == 5


def test_dropped_connection_is_retried_with_the_same_key(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "people.csv", [person(i) for i in range(7)])
    # The server stores batch 2, then the connection drops before its answer arrives.
    with faulty_proxy(server_url, {2: "drop"}) as proxy:
        run = run_import(intake, path, proxy.url, "--batch-size", "3")
        assert proxy.batch_posts == 4  # three batches and one retry

    assert run.code == 0, run.stderr
    assert (run.summary["created"], run.summary["replayed"]) == (4, 3)
    assert len(registered(client, intake)) == 7


def test_killed_midway_then_rerun_registers_each_person_once(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "people.csv", [person(i) for i in range(8)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRALS_")}
    env |= {"REFERRALS_CLIENT_ID": intake.partner.client_id,
            "REFERRALS_CLIENT_SECRET": intake.partner.client_secret}  # fmt: skip
    with faulty_proxy(server_url, {2: "hold"}) as proxy:
        importer = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "import", "victims", str(path), "--operation",
             intake.operation_id, "--base-url", proxy.url, "--batch-size", "3"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert proxy.held.wait(60), "the importer never sent its second batch"
        finally:
            importer.kill()  # batch 2 is stored; the importer dies before hearing so
            importer.wait(30)
    assert len(registered(client, intake)) == 6

    rerun = run_import(intake, path, server_url, "--batch-size", "3")
    assert rerun.code == 0, rerun.stderr
    assert (rerun.summary["replayed"], rerun.summary["created"]) == (6, 2)
    assert rerun.summary["batches_replayed"] == 2
    assert len(registered(client, intake)) == 8


def test_external_refs_already_registered_are_not_duplicated(
    client: TestClient, intake: Intake, server_url: str, tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "first.csv", [person(i, ref=True) for i in range(3)])
    assert run_import(intake, first, server_url).code == 0
    # An edited file (new keys) naming the same people by external_ref, plus one new.
    edited = write_csv(tmp_path / "edited.csv", [person(i, ref=True) for i in range(4)])
    run = run_import(intake, edited, server_url)
    assert run.code == 0, run.stderr
    assert run.summary["batches_created"] == 1
    assert len(registered(client, intake)) == 4


def test_xlsx_file(client: TestClient, intake: Intake, server_url: str, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["external_ref", "sex", "age_estimate", "date_of_birth", "nationality",
                  "languages", "given_name"])  # fmt: skip
    sheet.append(["XL-1", "female", 24, None, "PH", "tl, en", "Sample"])  # a number cell
    sheet.append([None, None, None, None, None, None, None])  # blank rows are skipped
    sheet.append(["XL-2", "male", 31.0, datetime(1994, 5, 6), "KE", "sw", None])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    run = run_import(intake, path, server_url)
    assert run.code == 0, run.stderr
    assert run.summary["created"] == 2
    people = {p["external_ref"]: p for p in registered(client, intake)}
    assert people["XL-1"]["age_estimate"] == 24
    assert people["XL-1"]["languages"] == ["tl", "en"]
    assert people["XL-2"]["date_of_birth"] == "1994-05-06"

    sheet.append(["XL-3", "male", 12.5, None, "KE", "sw", None])  # row 5 in Excel
    workbook.save(path)
    bad = run_import(intake, path, server_url)
    assert bad.code == 1
    assert bad.stderr.startswith("row 5, column age_estimate: ")


def test_refusals_before_sending(
    client: TestClient,
    intake: Intake,
    make_partner: PartnerFactory,
    server_url: str,
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "people.csv", [person(0, identity=True)])

    wrong = run_import(intake, path, server_url, secret="not-the-secret")
    assert wrong.code == 3
    assert "refused the client id or secret" in wrong.stderr
    assert "not-the-secret" not in wrong.stderr + wrong.stdout

    # A client without victims:identity is stopped before any batch for identity columns.
    limited = make_partner(["first_responder"], scopes=["victims:write", "operations:read"])
    without_identity = Intake(limited, intake.operation_id)
    run = run_import(without_identity, path, server_url)
    assert run.code == 3
    assert "rows 2 have identity columns" in run.stderr

    # Another agency's operation answers like a missing one.
    plain = write_csv(tmp_path / "plain.csv", [person(0)])
    run = run_import(without_identity, plain, server_url)
    assert run.code == 3
    assert f"no rescue operation {intake.operation_id} is visible" in run.stderr
    assert registered(client, intake) == []
