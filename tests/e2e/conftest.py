"""End-to-end tests in Debian's headless chromium, driven by Playwright for Python.

No browser on a laptop → skipped with a message; with CI=true → a failure."""

import os
import shutil
import threading

import pytest
from django.core import signals

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"No chromium at {CHROMIUM}: install Debian's chromium (`apt-get install chromium`) for the e2e tests."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told that this test process knows what it is doing.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class InFlight:
    """Requests the live server (a thread of this process) has begun and not yet finished."""

    def __init__(self):
        self.count, self.changed = 0, threading.Condition()

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout)


@pytest.fixture
def open_page(browser, live_server):
    """Opens a page in a browser context of its own (keyword arguments go to new_context,
    e.g. a viewport): one per agent when a test needs two. Every context it opened is closed
    after the test, so no page left open keeps polling the live server (the presence beat)
    into later tests; and the last requests the pages sent (htmx loading the panels, the
    beat) finish in the server's thread before the database is emptied (TRUNCATE): the two
    deadlocked once."""
    in_flight = InFlight()
    signals.request_started.connect(in_flight.started, weak=False)
    signals.request_finished.connect(in_flight.finished, weak=False)
    contexts = []

    def open_page(**options):
        context = browser.new_context(**{"locale": "zh-CN", "base_url": live_server.url, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    in_flight.wait_idle(timeout=10)
    signals.request_started.disconnect(in_flight.started)
    signals.request_finished.disconnect(in_flight.finished)


@pytest.fixture
def page(open_page):
    return open_page()
