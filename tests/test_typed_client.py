"""A typed client generated from openapi/openapi.json does a full round trip.

Partners generate clients from the committed document; if the generator warns, guesses a
type, or the client it writes cannot talk to the real server, the spec is wrong and this
fails. openapi-python-client is the generator (a dev dependency); the server is real
uvicorn on the test database.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from app.core.config import Settings
from tests.conftest import Partner
from tests.live import live_servers

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
VENV_BIN = Path(sys.executable).parent


def generate_client(out_dir: Path, package: str, spec: Path = SPEC) -> str:
    """Run the generator as a partner would; return what it printed."""
    env = dict(os.environ)
    # Its post-generation hook runs `ruff` from PATH; ours is in the venv.
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(out_dir / package),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return result.stdout + result.stderr


def problems_in(output: str) -> bool:
    """Whether the generator said something is wrong with the document."""
    lowered = output.lower()
    return "warning" in lowered or "error" in lowered


@pytest.fixture(scope="module")
def nrm_client(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out_dir = tmp_path_factory.mktemp("generated")
    package = f"nrm_client_{uuid.uuid4().hex[:8]}"
    output = generate_client(out_dir, package)
    # Any warning means a schema the generator could not type: a broken or ambiguous spec.
    assert not problems_in(output), output
    sys.path.insert(0, str(out_dir))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out_dir))


def test_a_broken_spec_makes_the_generator_complain(tmp_path: Path) -> None:
    # The check above must be able to fail: a response naming a schema that does not
    # exist is what a careless edit of the spec looks like.
    spec = json.loads(SPEC.read_text())
    operation = spec["paths"]["/v1/victims/{victim_id}"]["get"]
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/NoSuchSchema"
    }
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(spec))
    assert problems_in(generate_client(tmp_path, "broken_client", broken))


def submodule(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_generated_client_round_trip(
    nrm_client: ModuleType, migrated: Settings, ngo: Partner, tmp_path: Path
) -> None:
    api = lambda name: submodule(nrm_client, f"api.{name}")  # noqa: E731
    models = submodule(nrm_client, "models")

    with live_servers(migrated, 1, tmp_path) as [url]:
        anonymous = nrm_client.Client(base_url=url)
        token = api("auth.issue_token").sync(
            client=anonymous,
            body=models.IssueTokenBody(
                grant_type=models.IssueTokenBodyGrantType.CLIENT_CREDENTIALS,
                client_id=ngo.client_id,
                client_secret=ngo.client_secret,
            ),
        )
        assert isinstance(token, models.TokenResponse), token
        client = nrm_client.AuthenticatedClient(base_url=url, token=token.access_token)

        operation = api("rescue_operations.create_rescue_operation").sync(
            client=client,
            body=models.OperationCreate.from_dict(
                {
                    "name": "Typed client check (synthetic)",
                    "started_on": "2026-11-20",
                    "location": {"place": "Mae Sot", "country": "TH"},
                }
            ),
        )
        assert isinstance(operation, models.OperationRead), operation

        created = api("victims.register_victim").sync_detailed(
            client=client,
            body=models.VictimCreate(
                sex=models.Sex.FEMALE,
                age_estimate=31,
                nationality="VN",
                exploitation_types=[models.ExploitationType.FORCED_CRIMINALITY],
                rescue_operation_id=operation.id,
                identity=models.Identity(given_name="Lan", family_name="Example-Nguyen"),
            ),
            idempotency_key=f"typed-{uuid.uuid4().hex}",
        )
        assert created.status_code == 201, created.content
        victim = created.parsed
        assert isinstance(victim, models.VictimRead)
        assert victim.age_band == "30-38"

        read = api("victims.get_victim").sync(client=client, victim_id=victim.id)
        assert isinstance(read, models.VictimRead), read
        assert read.case_number == victim.case_number
        assert read.identity.given_name == "Lan"
        assert read.exploitation_types == [models.ExploitationType.FORCED_CRIMINALITY]

        page = api("victims.list_victims").sync(
            client=client, rescue_operation_id=operation.id, limit=10
        )
        assert isinstance(page, models.PageVictimRead), page
        assert [item.id for item in page.items] == [victim.id]
        assert page.next_cursor is None

        # Errors come back typed too: another id answers 404 as a ProblemDetail.
        missing = api("victims.get_victim").sync(client=client, victim_id=uuid.uuid4())
        assert isinstance(missing, models.ProblemDetail), missing
        assert missing.type_ == "urn:referral-api:problem:victim-not-found"
