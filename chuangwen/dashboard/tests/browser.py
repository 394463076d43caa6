"""Helpers for the browser tests: find Debian's chromium, open pages, log in, watch the console.

Playwright drives Debian's chromium package (never a downloaded browser).  A page opened
through `BrowserSession` records every console message, uncaught page error and CSP violation
(reported by the page itself through a `securitypolicyviolation` listener), so a test can
assert that nothing was blocked.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture reports it
    expect = None

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REASON = "browser tests skipped: Debian chromium not installed"
REQUIRE_ENV = "CHUANGWEN_REQUIRE_BROWSER"
# Where screenshots are kept (e.g. as CI artifacts); a per-test temp dir when unset.
SCREENSHOT_DIR_ENV = "CHUANGWEN_SCREENSHOT_DIR"
# Generous enough for a loaded CI machine running every core, short enough to fail fast.
TIMEOUT_MS = 15_000

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
WALL = {"viewport": {"width": 1920, "height": 1080}}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cwReportCsp(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI);
});
"""


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def find_chromium() -> str | None:
    """Debian's chromium binary, or None when it is not installed."""
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium")


@dataclass
class ConsoleEntry:
    kind: str  # console type ("error", "warning", ...), "pageerror", "csp" or "http" (status >= 400)
    text: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.text}"


@dataclass
class BrowserSession:
    """One browser context (cookies, viewport) with one page, pointed at the live server."""

    context: object
    base_url: str
    console: list[ConsoleEntry] = field(default_factory=list)

    def __post_init__(self):
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.expose_function("__cwReportCsp", lambda text: self.console.append(ConsoleEntry("csp", text)))
        self.context.add_init_script(_CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console.append(ConsoleEntry("pageerror", str(exc))))
        # Chromium's console says only "Failed to load resource: 404"; keep which one it was.
        self.page.on("response", lambda r: r.status >= 400 and self.console.append(
            ConsoleEntry("http", f"{r.status} {r.request.method} {r.url}")))

    def _on_console(self, msg) -> None:
        where = (msg.location or {}).get("url")
        self.console.append(ConsoleEntry(msg.type, f"{msg.text} ({where})" if where else msg.text))

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, username: str, password: str) -> None:
        """Log in through the real login page, as a person would."""
        self.goto("/")
        expect(self.page).to_have_url(self.url("/accounts/login/?next=/"))
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("heading", name="您好")).to_be_visible()

    def nav_link(self, label: str):
        return self.page.locator("nav.navbar").get_by_role("link", name=label, exact=True)

    def tree_node(self, code: str):
        return self.page.locator(f'.cw-node[data-code="{code}"]')

    def expand(self, code: str):
        """Open a tree node and wait for its children, which htmx loads on the first toggle.

        The unit's name in the <summary> is a link to its page, so the click goes to the
        "N 个下级" note beside it, as a person would click."""
        node = self.tree_node(code)
        with self.page.expect_response(lambda r: r.url.endswith(f"/org/units/{code}/children/")) as info:
            node.locator(":scope > details > summary .text-muted").click()
        assert info.value.status == 200, f"children of {code}: HTTP {info.value.status}"
        children = node.locator(":scope > details > .cw-children")
        expect(children.locator(":scope > .cw-tree-list")).to_be_attached()
        return children

    def screenshot(self, directory: Path, name: str) -> Path:
        self.page.evaluate("document.fonts.ready.then(() => true)")
        path = directory / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def scroll_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def errors(self) -> list[ConsoleEntry]:
        return [e for e in self.console if e.kind in {"error", "pageerror", "csp", "http"}]

    def csp_violations(self) -> list[ConsoleEntry]:
        return [e for e in self.console if e.kind == "csp" or "Content Security Policy" in e.text]


def screenshot_dir(tmp_path: Path) -> Path:
    configured = os.environ.get(SCREENSHOT_DIR_ENV)
    path = Path(configured) if configured else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- a browser in a child process ---------------------------------------------------------------
# The dashboard's browser tests keep a session-wide sync Playwright in the worker; a second one
# cannot start beside it in the same thread.  Long flows therefore drive chromium from a child
# process: the test sends a job (JSON) on stdin, the child runs `flow(job, browser, sessions,
# progress)` and prints the result (JSON) on its last stdout line.

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def child_main(flow) -> None:
    """Entry point of the child process (call it from a module-level `_child_main`)."""
    import json
    import sys
    import traceback

    from playwright.sync_api import sync_playwright

    job = json.loads(sys.stdin.read())
    sessions, progress = [], {"step": "start"}
    result = {"ok": False}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=job["chromium"], args=CHROMIUM_ARGS)
        try:
            result.update(flow(job, browser, sessions, progress) or {})
            result["ok"] = True
        except Exception:  # reported to the test, with where it stopped
            result["error"] = traceback.format_exc()
            page = sessions[-1].page if sessions else None
            if page is not None:
                result["url"] = page.url
                try:
                    shot = Path(job["screenshots"]) / f"{job.get('name', 'flow')}-failure.png"
                    page.screenshot(path=str(shot), full_page=True)
                    result["screenshot"] = str(shot)
                except Exception:  # noqa: BLE001 - best effort only
                    pass
        result["step"] = progress["step"]
        result["errors"] = [str(e) for s in sessions for e in s.errors()]
        browser.close()
    print(json.dumps(result))


def run_child(module: str, job: dict, *, timeout: int = 180) -> dict:
    """Run `module._child_main` in a child process with `job`; fail the test with where the
    flow stopped, its screenshot and the console errors."""
    import json
    import subprocess
    import sys

    import pytest

    chromium = find_chromium()
    if chromium is None:
        if browser_required():
            pytest.fail(SKIP_REASON)
        pytest.skip(SKIP_REASON)
    pytest.importorskip("playwright")
    job = {**job, "chromium": chromium}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", f"from {module} import _child_main; _child_main()"],
                          input=json.dumps(job), capture_output=True, text=True, timeout=timeout,
                          cwd=PROJECT_ROOT, env=env)
    assert done.returncode == 0, f"browser process failed:\n{done.stderr[-4000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], (
        f"stopped at step {result['step']!r} on {result.get('url')}\n{(result.get('error') or '')[-3000:]}"
        f"\nscreenshot: {result.get('screenshot')}\nconsole: {result['errors']}"
    )
    return result
