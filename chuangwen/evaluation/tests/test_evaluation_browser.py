"""考评 in a real browser: HQ finalises September on a desktop; a community head, on a 375-px
phone, finds the community ranking, opens the own card and the records behind a figure — no
sideways scrolling, no console error or CSP violation.

Chromium runs in a child process (see dashboard/tests/browser.py).
"""

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]


def _flow(job, browser, sessions, progress):
    from pathlib import Path

    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    def session(username, device=DESKTOP):
        s = BrowserSession(browser.new_context(**device, locale="zh-CN"), job["base"])
        sessions.append(s)
        s.login(username, job["password"])
        return s

    progress["step"] = "hq finalises"
    hq = session("hq")
    hq.nav_link("考评").click()
    hq.page.get_by_role("link", name="2026年9月").click()
    expect(hq.page.locator("#ranking")).to_contain_text("城东区")
    hq.page.locator("summary", has_text="定榜").click()
    hq.page.get_by_role("button", name="确认定榜").click()
    expect(hq.page.locator(".alert-success")).to_contain_text("已定榜")

    progress["step"] = "community head reads the card on a phone"
    head = session("c1_head", PHONE)
    head.page.locator("button.navbar-toggler").click()
    head.nav_link("考评").click()
    head.page.get_by_role("link", name="2026年9月").click()
    head.page.get_by_role("link", name="社区", exact=True).click()
    expect(head.page.locator("#ranking")).to_contain_text("西湖社区")
    assert head.scroll_width() <= 375, "the ranking scrolls sideways on a phone"
    head.page.get_by_role("link", name="测试市/城东区/东街街道/和平社区").click()
    expect(head.page.locator("#card-score")).to_have_text(job["score"])
    expect(head.page.locator("#renormalised")).to_contain_text("模拟测评得分率")
    assert head.scroll_width() <= 375, "the score card scrolls sideways on a phone"
    head.screenshot(Path(job["shots"]), "evaluation-card-phone")

    progress["step"] = "the records behind the task figure"
    head.page.locator('tr[data-component="tasks"]').get_by_role("link").click()
    expect(head.page.locator("#records-denominator")).to_have_text("3")
    expect(head.page.locator("#records tbody tr")).to_have_count(3)
    assert head.scroll_width() <= 375, "the records page scrolls sideways on a phone"
    progress["step"] = "done"
    return {}


def _child_main():
    child_main(_flow)


def test_hq_finalises_and_a_community_head_reads_the_card_on_a_phone(live_server, transactional_world, tmp_path,
                                                                      settings):
    import time_machine

    from chuangwen.evaluation import services
    from chuangwen.evaluation.models import PeriodKind, PeriodStatus, RankEntry

    from .scenario import AFTER, START, build_september

    settings.MEDIA_ROOT = tmp_path / "files"
    w = transactional_world
    build_september(w)
    with time_machine.travel(AFTER, tick=False):
        period = services.period_create(kind=PeriodKind.MONTH, start=START, actor=w.hq)
    result = run_child(__name__, {"base": live_server.url, "password": w.password, "score": "56.25",
                                  "name": "evaluation", "shots": str(screenshot_dir(tmp_path))})
    assert result["errors"] == [], "\n".join(result["errors"])
    period.refresh_from_db()
    assert period.status == PeriodStatus.FINALISED and period.finalised_by == w.hq
    assert RankEntry.objects.get(period=period, unit=w.community).rank == 2
