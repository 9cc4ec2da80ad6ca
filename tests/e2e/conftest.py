"""Fixtures for the browser tests (see browser_harness.py for what they guarantee)."""
from __future__ import annotations

import pytest
from browser_harness import CHROMIUM, CHROMIUM_ARGS, ROOT, VoilaServer, require_chromium


@pytest.fixture(scope="module")
def voila(request, tmp_path_factory):
    """Start Voila on the notebook named by the test module's ``NOTEBOOK`` (a path under the project root)."""
    require_chromium()
    notebook = ROOT / request.module.NOTEBOOK
    server = VoilaServer(notebook, tmp_path_factory.mktemp("voila"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, voila):
    """A page on the served app with every request off 127.0.0.1 aborted (``page.blocked`` lists them)."""
    context = browser.new_context(viewport={"width": 1320, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    blocked: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.blocked = blocked
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()
