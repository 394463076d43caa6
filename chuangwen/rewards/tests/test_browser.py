"""On a 375-px phone in a real browser: HQ confirms a 流动红旗 from the desk with its document
number, the register shows it, and an anonymous visitor reads it on the published 红黑榜 — no
page scrolls sideways, no console error, nothing blocked by the CSP.

Chromium runs in a child process (see dashboard/tests/browser.py).
"""

from datetime import date
from pathlib import Path

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

DOC = "上创文指〔2026〕21号"


def _flow(job, browser, sessions, progress):
    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import PHONE, BrowserSession

    def phone(username=None):
        s = BrowserSession(browser.new_context(**PHONE, locale="zh-CN"), job["base"])
        sessions.append(s)
        if username:
            s.login(username, job["password"])
        return s

    progress["step"] = "hq opens the desk"
    hq = phone("hq")
    hq.goto("/rewards/proposals/")
    hq.screenshot(Path(job["screenshots"]), "desk-phone")
    hq.page.locator(f'[data-proposal="{job["proposal"]}"]').click()
    expect(hq.page.locator("#proposal-status")).to_have_text("待确认")
    assert hq.scroll_width() <= 375, "the proposal page scrolls sideways on a phone"

    progress["step"] = "hq confirms with the document number"
    hq.page.get_by_label("发文字号").fill(DOC)
    hq.page.get_by_role("button", name="确认流动红旗").click()
    expect(hq.page.locator(".alert-success")).to_contain_text("已确认")

    progress["step"] = "the register shows it"
    hq.goto("/rewards/")
    expect(hq.page.locator("#records")).to_contain_text(DOC)
    assert hq.scroll_width() <= 375, "the register scrolls sideways on a phone"
    hq.goto("/rewards/rules/")
    assert hq.scroll_width() <= 375, "the rules page scrolls sideways on a phone"
    hq.screenshot(Path(job["screenshots"]), "rules-phone")

    progress["step"] = "an anonymous visitor reads the published list"
    visitor = phone()
    visitor.goto(f"/honours/{job['period']}/")
    expect(visitor.page.locator("#red-list")).to_contain_text("城东区东街街道和平社区")
    expect(visitor.page.locator("#red-list")).to_contain_text(DOC)
    expect(visitor.page.locator("#notice-link")).to_be_visible()
    assert visitor.scroll_width() <= 375, "the published list scrolls sideways on a phone"
    visitor.screenshot(Path(job["screenshots"]), "honours-phone")
    progress["step"] = "done"
    return {}


def _child_main():
    child_main(_flow)


def test_confirm_on_a_phone_and_publish(live_server, transactional_world, tmp_path):
    from chuangwen.evaluation.models import RankGroup
    from chuangwen.org import services as org
    from chuangwen.org.models import UnitKind
    from chuangwen.rewards.catalogue import ensure_defaults
    from chuangwen.rewards.models import Ladder, Proposal, Record, Rule
    from chuangwen.rewards.services import propose_for_period

    from .conftest import scores_for, snapshot

    w = transactional_world
    ensure_defaults(Rule, Ladder)
    extra = [org.unit_create(code=f"Q01-J01-S{n:02d}", name=f"第{n}社区", kind=UnitKind.COMMUNITY,
                             parent=w.street) for n in range(3, 10)]
    units = [w.community, w.community2, w.other_community, *extra]
    aug = snapshot(w.hq, date(2026, 8, 1), RankGroup.COMMUNITY, scores_for(units, list(range(10))))
    propose_for_period(period=aug, actor=w.hq)
    flag = Proposal.objects.get(period=aug, unit=w.community)

    result = run_child(__name__, {"base": live_server.url, "password": w.password, "proposal": flag.pk,
                                  "period": aug.pk, "name": "rewards-phone",
                                  "screenshots": str(screenshot_dir(tmp_path))})
    assert result["errors"] == [], "\n".join(result["errors"])
    rec = Record.objects.get(proposal=flag)
    assert (rec.doc_number, rec.confirmed_by) == (DOC, w.hq)
