"""After the run: every status the app answered on an operation is documented for it.

The metrics counter labels each response by method, route template and status, so the
whole suite doubles as a survey of what the API really returns. An error status that a
test provoked but the OpenAPI document does not list for that operation fails the run.
(Requests to live uvicorn subprocesses are counted there, not here.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.metrics import REQUESTS

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def undocumented_statuses(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    gaps = set()
    for metric in REQUESTS.collect():
        for sample in metric.samples:
            if not sample.name.endswith("_total"):
                continue
            method, route, status = (sample.labels[k] for k in ("method", "route", "status"))
            operation = spec["paths"].get(route, {}).get(method.lower())
            if operation is not None and status not in operation["responses"]:
                gaps.add((method, route, status))
    return sorted(gaps)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    gaps = undocumented_statuses(json.loads(COMMITTED.read_text()))
    if gaps:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"statuses returned but not in openapi/openapi.json: {gaps}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
