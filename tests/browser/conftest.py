"""Playwright driving Debian's chromium against the live test server.

Without /usr/bin/chromium the browser tests are skipped, unless DUBWEB_REQUIRE_BROWSER=1 (CI), where
a missing browser fails them instead."""

import functools
import os
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from ..inflight import wait_until_idle

CHROMIUM = "/usr/bin/chromium"
# CI runs two suites side by side, each over two workers with a browser and a live server, on two cores:
# what a person sees in well under a second can take a few there. A check waits up to 10 s (not 5).
expect.set_options(timeout=10_000)
# DUBWEB_SCREENSHOTS: .ci/run gives each of its side-by-side suites a folder of its own.
ARTIFACTS = Path(
    os.environ.get("DUBWEB_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _retry_while_locked(execute, sql, params, many, context):
    """A statement refused with "database table is locked" is tried again for up to 5 s.

    With SQLite in memory the live server's threads share the test's one connection: a test that changes
    a row while the page it opened is being answered (a presence poll) finds the table locked by the
    request's pending read, where a file database would simply have waited. A refused statement did
    nothing, so trying it again is safe, inside a transaction too."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@pytest.fixture(autouse=True)
def _sqlite_shared_with_the_live_server(request):
    if "live_server" not in request.fixturenames or connection.vendor != "sqlite":
        yield
        return
    with connection.execute_wrapper(_retry_while_locked):
        yield


@pytest.fixture(autouse=True)
def _server_idle_before_flush(request):
    """After a browser test: close what it left open and let the live server finish answering, then
    flush the database (set up before this fixture, so torn down after it)."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
    wait_until_idle()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("DUBWEB_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


# Every page reports what its Content-Security-Policy blocked (settings.CONTENT_SECURITY_POLICY): a style,
# script or media the policy refused is an error like a JavaScript one and fails the test.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => window.__dubwebCspViolation(
  `${e.effectiveDirective} refused ${e.blockedURI || "(inline)"} at ${e.sourceFile || e.documentURI}:${e.lineNumber}` +
  (e.sample ? ` (${e.sample})` : "")), true);"""


def _watch_csp(context, errors):
    context.expose_function("__dubwebCspViolation", lambda text: errors.append(f"CSP violation: {text}"))
    context.add_init_script(CSP_WATCH)


def _wait_for_function(page, expression, *, arg=None, timeout=None, polling=None):
    """page.wait_for_function under the policy: Playwright's own runs its predicate through eval() in the
    page, which script-src 'self' refuses; this asks page.evaluate (DevTools evaluation, outside any page
    policy) every `polling` ms (100 by default) until the value is truthy, and gives it."""
    deadline = time.monotonic() + (10_000 if timeout is None else timeout) / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise PlaywrightTimeoutError(
                f"wait_for_function: still false after {timeout or 10_000} ms: {expression}"
            )
        page.wait_for_timeout(polling if isinstance(polling, int | float) else 100)


def _new_page(browser, live_server, errors):
    """A page in a browser context of its own (its own cookies: its own session); JavaScript errors and
    Content-Security-Policy violations go to `errors` (also `page.errors`)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    _watch_csp(context, errors)
    page = context.new_page()
    page.errors = errors
    page.wait_for_function = functools.partial(_wait_for_function, page)
    page.on("pageerror", lambda error: errors.append(str(error)))
    in_flight = page.in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    return page


def _close_when_quiet(page, quiet_ms=500, limit_ms=5000):
    """Close the page's browser once no request has been running for `quiet_ms` (an answer's delayed
    refresh, such as the quality summary 400 ms after a save, included): the server must be done with the
    database before the test's flush, or SQLite's tables are still locked by it."""
    quiet = waited = 0
    while quiet < quiet_ms and waited < limit_ms:
        page.wait_for_timeout(100)
        waited += 100
        quiet = 0 if page.in_flight else quiet + 100
    page.context.close()
    # A request the browser no longer waits for (a beacon as the page goes) may still be served: the
    # live server answers each in a thread of its own.
    deadline = time.monotonic() + limit_ms / 1000
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)


# The pages ask for transactional_db so that they close before its flush (see _close_when_quiet).
@pytest.fixture
def page(browser, live_server, transactional_db):
    errors = []
    page = _new_page(browser, live_server, errors)
    yield page
    leave_quietly(page)
    _close_when_quiet(page)
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def people(browser, live_server, transactional_db):
    """Several people at once, each signed in in a browser of their own:
    `elena, marco = people("elena", "marco")` gives their pages (closed after the test)."""
    errors, pages = [], []

    def signed_in(*usernames):
        for username in usernames:
            pages.append(_new_page(browser, live_server, errors))
            log_in(pages[-1], username)
        return pages[-len(usernames) :]

    yield signed_in
    for page in pages:
        leave_quietly(page)
        _close_when_quiet(page)
    assert errors == [], f"JavaScript errors on the pages: {errors}"


@pytest.fixture
def screenshot():
    """Save a screenshot at desktop and phone width: artifacts/screenshots/NAME-desktop.png, -narrow.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.set_viewport_size({"width": 1280, "height": 860})
        page.screenshot(path=ARTIFACTS / f"{name}-desktop.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=ARTIFACTS / f"{name}-narrow.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 860})

    return take


def leave_quietly(page):
    """Leave the page sending nothing more: the editor's goodbye (a beacon on pagehide) or a poll still
    reaching the server while the test database is flushed deadlocks PostgreSQL's TRUNCATE."""
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")


def log_in(page, username, password="pass-for-tests"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Signing in hashes the password and draws My work: on CI's busy cores this has taken over 10 s.
    page.wait_for_url("**/projects/my-work/", timeout=30_000)
