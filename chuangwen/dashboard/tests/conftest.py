"""Browser fixtures: Debian's chromium through Playwright, against pytest-django's live server.

`browser` is one chromium per test process (per xdist worker); `open_page` gives a test fresh
browser contexts (own cookies and viewport) on the live server, closed after the test.

Without chromium the browser tests skip.  Under CHUANGWEN_REQUIRE_BROWSER=1 (CI) a skipped
browser test, whatever the cause, is turned into a failure: a CI run that silently skipped
them would prove nothing.
"""

import os

import pytest

from .browser import CHROMIUM_ARGS, DESKTOP, SKIP_REASON, BrowserSession, browser_required, find_chromium

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# there (fixtures, flushes) are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and item.get_closest_marker("browser") and browser_required():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"{reason}; CHUANGWEN_REQUIRE_BROWSER=1 forbids skipping browser tests"
    return report


@pytest.fixture(scope="session")
def chromium_executable():
    path = find_chromium()
    if path is None:
        pytest.skip(SKIP_REASON)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(**context_options)` -> BrowserSession on the live server (desktop by default)."""
    sessions = []

    def _open(**options):
        session = BrowserSession(browser.new_context(**(options or DESKTOP), locale="zh-CN"), live_server.url)
        sessions.append(session)
        return session

    yield _open
    for session in sessions:
        session.context.close()
