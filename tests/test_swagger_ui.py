"""Swagger UI in a real browser: Authorize with a demo client, call GET /v1/victims, see 200.

What a partner's developer does first. Debian's chromium (``.ci/ensure-chromium``) is
driven by Playwright's Python package; Playwright never downloads a browser here. The
server is real uvicorn on a database of its own with the demo loaded, as ``make run``
serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.migrations import upgrade
from app.demo.build import DemoCredentials, build_demo
from tests.live import live_servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, DemoCredentials]]]:
    data_dir = tmp_path_factory.mktemp("swagger-demo")
    url = f"sqlite:///{data_dir / 'demo.db'}"
    demo = Settings(**(settings.model_dump() | {"database_url": url, "data_dir": data_dir}))
    upgrade(url)
    credentials = {c.slug: c for c in build_demo(demo, progress=lambda _: None)}
    with live_servers(demo, 1, data_dir) as [base_url]:
        yield base_url, credentials


def test_authorize_and_call_list_victims_in_swagger_ui(
    demo_server: tuple[str, dict[str, DemoCredentials]],
) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "chromium is missing: run .ci/ensure-chromium"
    base_url, credentials = demo_server
    ngo = credentials["demo-ngo"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base_url}/docs")

            page.click("button.authorize")
            page.fill("#client_id_clientCredentials", ngo.client_id)
            page.fill("#client_secret_clientCredentials", ngo.client_secret)
            page.click(".auth-btn-wrapper button.authorize")
            # The button's accessible name is "Remove authorization"; its text is "Logout".
            page.locator(".auth-btn-wrapper button", has_text="Logout").first.wait_for()
            page.click(".btn-done")

            operation = page.locator("#operations-victims-list_victims")
            operation.locator(".opblock-summary").click()
            operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table tbody .response-col_status")
            status.first.wait_for()
            assert status.first.inner_text().strip() == "200"
            body = operation.locator(".live-responses-table .response-col_description pre")
            assert '"items"' in body.first.inner_text()
        finally:
            browser.close()
