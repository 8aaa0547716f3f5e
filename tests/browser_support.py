"""Browser tests' shared parts: Debian's Chromium under Playwright, offline, with a request and console log.

* :func:`browser` (a pytest fixture) starts Chromium once per test module. Without Chromium or
  the ``playwright`` package it skips with how to enable the tests; under ``CI=true`` a missing
  browser is a failure (``.ci/run`` installs Debian's ``chromium``).
* :func:`open_page` opens a page at a viewport in a fresh context that aborts, and records, every
  request to a host other than this machine, and records console errors and page errors.
* :func:`served` serves a folder on a loopback port for the duration of a ``with`` block.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

__all__ = ["DESKTOP", "PHONE", "CHROMIUM_ARGS", "HOW_TO", "Log", "browser", "chromium_path", "open_page",
           "require_browser", "served"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Chromium without its own calls home (update checks, sync, field trials): see the machine notes.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
HOW_TO = ("browser tests skipped: they need Chromium and the playwright package. On Debian/Ubuntu: "
          "`sudo apt-get install chromium` (or set CRM_LESSONS_CHROMIUM=/path/to/chrome), then `make test`. "
          "(CI=true makes this skip a failure.)")


def chromium_path() -> str | None:
    """The Chromium executable to drive: ``$CRM_LESSONS_CHROMIUM``, else ``chromium`` on the PATH."""
    for candidate in (os.environ.get("CRM_LESSONS_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def require_browser() -> str:
    """The Chromium to drive; else skip the test with :data:`HOW_TO`, or fail it under ``CI=true``."""
    exe = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        exe = None
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no browser: " + HOW_TO)
        pytest.skip(HOW_TO)
    return exe


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (Playwright ``Browser``) for the module's tests."""
    exe = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Log:
    """What a page did: requests to other hosts (aborted) and console or page errors."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


@contextlib.contextmanager
def open_page(browser, viewport: dict, *, ignore_console: tuple[str, ...] = ()):
    """Yield ``(page, log)``: a page at ``viewport`` whose requests to other hosts are aborted and logged."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600)
    log = Log()

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:
            log.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and not any(s in m.text for s in ignore_console)
            and log.errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: log.errors.append(f"{page.url}: {e}"))
    try:
        yield page, log
    finally:
        context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request lines in the test output
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a page left before a file was sent: not an error
        pass


@contextlib.contextmanager
def served(folder):
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port); yield the base URL ending in ``/``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
