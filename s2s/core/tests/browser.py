"""A headless Chromium, driven by Playwright, for tests that use the real pages."""

import os
import shutil
import urllib.request

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from pytest_django.live_server_helper import LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class OneRequestAtATimeServer(WSGIServer):
    """The live server's HTTP server, answering one request at a time.

    With SQLite in memory the live server shares the test's database connection, and Django's
    threaded server lets two of the browser's requests use it at once, which Django's
    documentation warns against: once in a while that left the connection inside a
    transaction, and every transactional test after it failed. Not being threaded, it also
    tells the browser to close each connection after its answer.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        # The server thread already uses the shared connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving one request at a time (see the class above)."""
    address = (request.config.getvalue("liveserver")
               or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    server = LiveServer(address, start=False)
    server.thread.server_class = OneRequestAtATimeServer
    server.start()
    yield server
    server.stop()


def _server_idle(live_server) -> None:
    """Return once the requests the browser left behind have been answered.

    The server answers in turn, so its answer to this one comes after theirs; only then may
    the test's teardown empty the database the server shares.
    """
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=60) as response:
        response.read()


@pytest.fixture
def browser_page(live_server, tmp_path, monkeypatch):
    """Yield a Playwright page in headless Chromium; the test then visits live_server.url."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        # With Playwright running, the test's ORM calls use a connection of their own (asgiref
        # keeps Django's connections per context); close it here, in that context, or the
        # test database cannot be dropped at the end of the run.
        connections.close_all()
        context.close()
        browser.close()
    _server_idle(live_server)
