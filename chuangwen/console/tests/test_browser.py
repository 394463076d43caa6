"""The administrators' pages on a 375-px phone: no sideways scrolling, no script errors.

Chromium runs in a child process: the dashboard's browser tests keep a session-wide sync
Playwright in the worker, and a second one cannot start beside it in the same thread."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from chuangwen.dashboard.tests.browser import (
    CHROMIUM_ARGS, PHONE, SKIP_REASON, browser_required, find_chromium,
)

pytestmark = [pytest.mark.browser]

_PROBE = """
import json, sys
from playwright.sync_api import sync_playwright
job = json.loads(sys.stdin.read())
out = {}
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=job["chromium"], args=job["args"])
    context = browser.new_context(**job["device"], locale="zh-CN")
    context.add_cookies([{"name": job["cookie_name"], "value": job["cookie"], "url": job["base"]}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    for path in job["paths"]:
        response = page.goto(job["base"] + path)
        out[path] = {"status": response.status,
                     "width": page.evaluate("document.documentElement.scrollWidth")}
    out["errors"] = errors
    browser.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize("who, paths", [
    ("sysadmin", ["/console/", "/console/accounts/", "/console/new-account/",
                  "/console/accounts/c1_head/", "/console/backups/"]),
    ("secadmin", ["/console/people/", "/console/people/c1_head/?unit_q=社区", "/console/tokens/"]),
    ("auditor", ["/console/audit/", "/console/audit/1/", "/console/audit/verify/"]),
])
def test_console_pages_fit_a_phone(login, live_server, transactional_world, who, paths):
    chromium = find_chromium()
    if chromium is None:
        if browser_required():
            pytest.fail(SKIP_REASON)
        pytest.skip(SKIP_REASON)
    pytest.importorskip("playwright")
    cookie = login(getattr(transactional_world, who)).cookies[settings.SESSION_COOKIE_NAME].value
    job = {"chromium": chromium, "args": CHROMIUM_ARGS, "device": PHONE, "base": live_server.url,
           "cookie_name": settings.SESSION_COOKIE_NAME, "cookie": cookie, "paths": paths}
    done = subprocess.run([sys.executable, "-c", _PROBE], input=json.dumps(job), capture_output=True,
                          text=True, timeout=120, check=True)
    result = json.loads(done.stdout)
    for path in paths:
        assert result[path]["status"] == 200, path
        width = result[path]["width"]
        assert width <= 375, f"{path}: page is {width}px wide on a 375px screen"
    assert result["errors"] == []
