"""A real browser (Debian's chromium driven by Playwright) and axe-core from npm, for tests."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from .smtp import free_port

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS_DIR = ROOT / "tests" / "artifacts"
AXE_INSTALL = "npm install --prefix .venv-ci/axe axe-core@4"


def axe_source() -> str:
    """Return axe-core's script (installed by .ci/run; REPORTBACK_AXE names another copy)."""
    given = os.environ.get("REPORTBACK_AXE")
    path = Path(given) if given else ROOT / ".venv-ci/axe/node_modules/axe-core/axe.min.js"
    assert path.is_file(), f"axe-core is needed: {AXE_INSTALL} (or set REPORTBACK_AXE)"
    return path.read_text(encoding="utf-8")


def violations(page: Any) -> list[str]:
    """Run axe-core on the page as it is; return each violation as 'rule: target'."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.evaluate(axe_source())  # through the debugger: the pages' CSP allows no inline script
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a browser: Debian's chromium, started by Playwright."""
    path = shutil.which("chromium")
    assert path, "Debian's chromium is needed (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def running(app: Any) -> Iterator[int]:
    """Run an ASGI app under uvicorn on a free loopback port for the duration of the block."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)
