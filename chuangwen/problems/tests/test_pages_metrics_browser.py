"""问题整改统计 on a 375-px phone: the page itself never scrolls sideways, the table scrolls in its
own box with the unit's name kept in view, and tapping a count opens a list of that many
problems.  Chromium runs in a child process (see dashboard/tests/browser.py)."""

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]


def _flow(job, browser, sessions, progress):
    import re
    from pathlib import Path

    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    s = BrowserSession(browser.new_context(**PHONE, locale="zh-CN"), job["base"])
    sessions.append(s)
    s.login("district_head", job["password"])

    progress["step"] = "the metrics page on a phone"
    s.goto("/problems/")
    s.page.locator(".cw-subnav").get_by_role("link", name="问题整改统计").click()
    expect(s.page.get_by_role("heading", name=re.compile("问题整改统计"))).to_be_visible()
    # The month the problems were reported in (the default is this month, which a run across
    # midnight at a month's end would leave).
    s.goto(f"/problems/metrics/?period={job['period']}")
    assert s.scroll_width() <= 375, "the metrics page scrolls sideways on a phone"
    box = s.page.locator(".table-responsive").first
    inner, outer = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert inner > outer, "the table should scroll inside its box"
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    name = s.page.locator("tbody th").first
    assert name.bounding_box()["x"] < 20, "the unit's name should stay in view"
    s.screenshot(Path(job["screenshots"]), "metrics-phone")

    progress["step"] = "tap the total 上报数"
    reported = s.page.locator("tfoot").first.locator("td").nth(4).get_by_role("link")
    count = reported.inner_text()
    reported.click()
    expect(s.page.get_by_role("heading", name=re.compile(f"共 {count} 件"))).to_be_visible()
    assert s.page.locator(".list-group-item-action").count() == int(count)
    assert s.scroll_width() <= 375, "the problem list scrolls sideways on a phone"

    progress["step"] = "the whole table on a desk"
    desk = BrowserSession(browser.new_context(**DESKTOP, locale="zh-CN"), job["base"])
    sessions.append(desk)
    desk.login("hq", job["password"])
    desk.goto(f"/problems/metrics/?period={job['period']}&group=district")
    expect(desk.page.locator("tfoot").first).to_contain_text("合计")
    desk.screenshot(Path(job["screenshots"]), "metrics-desktop")
    progress["step"] = "done"
    return {"reported": count}


def _child_main():
    child_main(_flow)


def test_the_metrics_page_on_a_phone(live_server, transactional_world, tmp_path):
    from django.utils import timezone

    from chuangwen.problems import services
    from chuangwen.problems.catalogue import ensure_catalogue
    from chuangwen.problems.models import Category, Source, TimeLimit
    from chuangwen.problems.tests.conftest import png

    w = transactional_world
    ensure_catalogue(Category, TimeLimit)
    rubbish = Category.objects.get(code="SJ0101")

    def report(n):
        return services.problem_report(source=Source.INSPECTION, category=rubbish, description="暴露垃圾",
                                       actor=w.inspector, district=w.district, address=f"和平路{n}号")

    for n, unit in enumerate((w.community2, w.dept)):
        services.problem_assign(problem=report(n), actor=w.hq, unit=unit)
    report(2)  # never assigned
    p = services.problem_assign(problem=report(3), actor=w.hq, unit=w.community)
    p = services.problem_accept(problem=p, actor=w.c1_head)
    p = services.problem_submit(problem=p, actor=w.c1_head, photos=[png()])
    services.problem_recheck(problem=p, actor=w.inspector, passed=True)
    period = f"{timezone.localdate(p.reported_at):%Y-%m}"

    result = run_child(__name__, {"base": live_server.url, "password": w.password, "name": "problem-metrics",
                                  "period": period, "screenshots": str(screenshot_dir(tmp_path))})
    assert result["errors"] == [], "\n".join(result["errors"])
    assert result["reported"] == "4"
