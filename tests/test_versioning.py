"""Versioning: one version everywhere, a changelog entry for it, and deprecation headers."""

from __future__ import annotations

import importlib.metadata
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from app import __version__
from app.core.config import Settings
from app.core.deprecation import MIN_NOTICE_DAYS, deprecated_route
from app.core.errors import NotFound
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def test_one_version_everywhere(app: FastAPI) -> None:
    assert SEMVER.match(__version__)
    assert app.openapi()["info"]["version"] == __version__
    # pyproject.toml reads it from app/__init__.py (setuptools dynamic version).
    assert importlib.metadata.version("referral-api") == __version__
    assert 'version = { attr = "app.__version__" }' in (ROOT / "pyproject.toml").read_text()


def test_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "Keep a Changelog" in changelog
    assert re.search(
        rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
    )


def test_the_policy_is_written_down() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## Versioning and deprecation" in readme
    assert "six months" in readme
    assert MIN_NOTICE_DAYS >= 183


def test_a_sunset_needs_the_notice_period() -> None:
    with pytest.raises(ValueError, match="notice"):
        deprecated_route(since=date(2027, 1, 4), sunset=date(2027, 3, 1), link="https://x.example")


@pytest.fixture
def app_with_deprecated_routes(migrated: Settings) -> FastAPI:
    application = create_app(migrated)
    policy = deprecated_route(
        since=date(2027, 1, 4), sunset=date(2027, 7, 12), link="https://docs.example/migrate"
    )

    @application.get("/v1-test/old-model", tags=["operations"], **policy)
    def old_model() -> dict[str, str]:
        """A deprecated operation returning a body."""
        return {"status": "ok"}

    @application.get("/v1-test/old-response", tags=["operations"], **policy)
    def old_response() -> JSONResponse:
        """A deprecated operation returning a Response of its own."""
        return JSONResponse({"status": "ok"})

    @application.get("/v1-test/old-missing", tags=["operations"], **policy)
    def old_missing() -> None:
        """A deprecated operation answering with a problem."""
        raise NotFound()

    return application


def test_deprecated_operations_announce_their_sunset(
    app_with_deprecated_routes: FastAPI,
) -> None:
    with TestClient(app_with_deprecated_routes) as client:
        for path, status in [
            ("/v1-test/old-model", 200),
            ("/v1-test/old-response", 200),
            ("/v1-test/old-missing", 404),
        ]:
            response = client.get(path)
            assert response.status_code == status
            since = datetime.fromtimestamp(int(response.headers["Deprecation"][1:]), UTC)
            assert since == datetime(2027, 1, 4, tzinfo=UTC)
            assert parsedate_to_datetime(response.headers["Sunset"]) == datetime(
                2027, 7, 12, tzinfo=UTC
            )
            assert response.headers["Link"] == '<https://docs.example/migrate>; rel="deprecation"'
        assert "Deprecation" not in client.get("/healthz").headers

        operation = client.get("/openapi.json").json()["paths"]["/v1-test/old-model"]["get"]
        assert operation["deprecated"] is True
        assert operation["x-sunset"] == "2027-07-12"


def test_no_live_operation_is_deprecated_without_dates(app: FastAPI) -> None:
    # Deprecate only with deprecated_route(), so the headers and notice period follow.
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if operation.get("deprecated"):
                assert "x-sunset" in operation, (method, path)
