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
def page(browser, live_server):
    in_flight = InFlight()
    signals.request_started.connect(in_flight.started, weak=False)
    signals.request_finished.connect(in_flight.finished, weak=False)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    # A request the page sent last (htmx loading the panels, the presence beat) may still be
    # running in the server's thread; the database is emptied after this test (TRUNCATE), and
    # the two deadlocked once. Let it finish first.
    in_flight.wait_idle(timeout=10)
    signals.request_started.disconnect(in_flight.started)
    signals.request_finished.disconnect(in_flight.finished)
