"""The live stack the page tests drive: a real Triton (tiny CLIP), the sample catalog indexed by the
indexer library, and the real gateway served by uvicorn on a free loopback port, plus headless Chromium.

Everything is started once per test session and always stopped. A part that cannot start raises, so the
tests error instead of skipping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.deps import Services, build_services
from api.main import create_app
from api.routes import ui
from engine.ports import free_port
from tests.e2e.browser import console_errors, ensure_browser, open_browser
from tests.fixtures.triton import triton_settings

API_KEY = "e2e-admin-key"


@dataclass
class LiveGateway:
    url: str
    services: Services
    app: FastAPI  # tests may mount their own pages on it (same origin as the API)

    @property
    def key(self) -> str:
        return API_KEY


def _serve(app: object, port: int) -> tuple[object, threading.Thread]:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the gateway did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    return server, thread


# The page's attribute facets: the default colour and size, and the sample catalog's material.
PAGE_FACETS = {"color": "Colour", "size": "Size", "material": "Material"}


@pytest.fixture(scope="session")
def live_gateway(tmp_path_factory: pytest.TempPathFactory, tiny_clip_dir: Path) -> Iterator[LiveGateway]:
    from engine.inference.factory import create_inference
    from engine.lexical.factory import create_lexical
    from engine.sample import sample_catalog_path
    from engine.triton.launcher import start_triton
    from indexer.build import Builder, BuildOptions

    settings = triton_settings(
        tmp_path_factory.mktemp("ui-data"),
        clip_model=str(tiny_clip_dir),
        api_key=API_KEY,
        triton_timeout_s=120.0,  # a busy two-core CI machine can stall a request for a while
        page_facets=PAGE_FACETS,
    )
    triton = start_triton(settings)
    services = None
    server = thread = None
    try:
        inference = create_inference(settings)  # the running server, found by its pidfile
        try:
            Builder(settings, inference, create_lexical(settings)).build(
                sample_catalog_path(), BuildOptions(progress=False)
            )
        finally:
            inference.close()
        services = build_services(settings)
        services.warm_products().join(60)
        app = create_app(services)
        if not any(getattr(r, "path", None) == "/admin" for r in app.routes):
            app.include_router(ui.router)
        port = free_port()
        server, thread = _serve(app, port)
        yield LiveGateway(f"http://127.0.0.1:{port}", services, app)
    finally:
        if server is not None and thread is not None:
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(30)
        if services is not None:
            services.close()
        triton.stop()


@pytest.fixture(scope="session")
def browser_session() -> Iterator[object]:
    ensure_browser()
    driver = open_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(browser_session, live_gateway: LiveGateway):  # type: ignore[no-untyped-def]
    """The shared window, reset to desktop size on a blank page; fails the test on console errors."""
    driver = browser_session
    driver.set_window_size(1200, 900)
    driver.get(f"{live_gateway.url}/static/favicon.svg")
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    console_errors(driver)
    yield driver
    # The blank page is an SVG document, for which Chromium also asks the origin for /favicon.ico (which
    # the gateway does not serve); that 404 can be logged after the drain above, so it is set aside.
    blank_page_icon = f"{live_gateway.url}/favicon.ico "
    errors = [e for e in console_errors(driver) if not e.startswith(blank_page_icon)]
    assert not errors, f"the page logged console errors: {errors}"
