"""Fixtures for the real-browser tests: the app on a local port, Debian Chromium, a network guard.

Imported explicitly by tests/test_browser*.py (`from browser_fixtures import …`). Chromium is
the Debian package driven by pip playwright with `executable_path`; `playwright install` is never
run. Every request to a host other than the test server is aborted and recorded, and failed
requests, HTTP errors, console errors and page errors are collected so a test can assert that a
page loaded cleanly offline.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from webmap import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class Server:
    url: str
    app: object


@dataclass
class Guard:
    """What went wrong while a page loaded."""

    off_host: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.__dict__.items() if v}


def _quiet() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def start_server(config: dict | None = None) -> tuple[Server, object, threading.Thread]:
    _quiet()
    app = create_app({"OFFLINE_ASSETS": "raise", **(config or {})})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Server(f"http://127.0.0.1:{server.server_port}", app), server, thread


@pytest.fixture(scope="module")
def live_server() -> Iterator[Server]:
    srv, server, thread = start_server()
    yield srv
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMIUM), "Debian chromium is not installed (make system-deps)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def guard_page(page) -> Guard:
    guard = Guard()

    def route(r):
        host = urlsplit(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            guard.off_host.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: guard.failed.append(f"{req.url} {req.failure}"))
    page.on("response", lambda resp: resp.status >= 400
            and guard.http_errors.append(f"{resp.status} {resp.url}"))
    page.on("console", lambda msg: msg.type == "error" and guard.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: guard.page_errors.append(str(exc)))
    return guard


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.guard = guard_page(pg)
    yield pg
    context.close()


def cjk_fonts() -> list[str]:
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return [line for line in out.stdout.splitlines() if line.strip()]
