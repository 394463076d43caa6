"""The site pages in a real browser on a 375-px phone: an inspector's district head filters the
list, opens a site, and nothing scrolls sideways or trips the CSP.

Chromium runs in a child process (see dashboard/tests/browser.py).
"""

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]


def _flow(job, browser, sessions, progress):
    from pathlib import Path

    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import PHONE, BrowserSession

    s = BrowserSession(browser.new_context(**PHONE, locale="zh-CN"), job["base"])
    sessions.append(s)
    progress["step"] = "log in"
    s.login("district_head", job["password"])
    progress["step"] = "site list"
    s.goto("/places/")
    expect(s.page.get_by_test_id("site-list")).to_contain_text(job["market"])
    expect(s.page.get_by_test_id("site-list")).not_to_contain_text(job["other"])
    assert s.scroll_width() <= 375, "the site list scrolls sideways on a phone"
    s.page.get_by_label("点位类型").select_option(label="集贸市场")
    s.page.get_by_role("button", name="查询").click()
    expect(s.page.get_by_test_id("site-list")).not_to_contain_text(job["lane"])
    progress["step"] = "site detail"
    s.page.get_by_role("link", name=job["market"]).click()
    expect(s.page.get_by_role("heading", name=job["market"])).to_be_visible()
    expect(s.page.get_by_test_id("site-point")).to_contain_text("GCJ-02")
    assert s.scroll_width() <= 375, "the site page scrolls sideways on a phone"
    s.screenshot(Path(job["screenshots"]), "places-site-phone")
    progress["step"] = "zones"
    s.goto("/places/zones/")
    expect(s.page.get_by_test_id("zone-list")).to_contain_text("包环境卫生")
    assert s.scroll_width() <= 375, "the zone list scrolls sideways on a phone"
    return {"csp": [str(e) for e in s.csp_violations()]}


def _child_main():
    child_main(_flow)


def test_district_head_uses_the_site_pages_on_a_phone(live_server, transactional_world, tmp_path):
    from chuangwen.places import services
    from chuangwen.places.catalogue import ensure_site_types
    from chuangwen.places.models import Datum, SiteType

    w = transactional_world
    ensure_site_types(SiteType)
    types = {t.code: t for t in SiteType.objects.all()}
    market = services.site_create(
        name="和平农贸市场(东街菜场综合楼一楼)", site_type=types["T24"], district=w.district,
        responsible_unit=w.community, address="和平路8号东街菜场综合楼一楼南侧入口", lng="112.985",
        lat="28.2", datum=Datum.GCJ02, actor=w.hq,
    )
    lane = services.site_create(name="东街三巷", site_type=types["T20"], district=w.district,
                                responsible_unit=w.street, actor=w.hq)
    other = services.site_create(name="西湖公园", site_type=types["T11"], district=w.other_district,
                                 responsible_unit=w.other_community, actor=w.hq)
    services.zone_set(shop=w.shop, actor=w.hq, frontage="门前至人行道路缘石,左右至与相邻商户分界线", length_m="8")

    result = run_child(__name__, {"base": live_server.url, "password": w.password, "market": market.name,
                                  "lane": lane.name, "other": other.name, "name": "places-phone",
                                  "screenshots": str(screenshot_dir(tmp_path))})
    assert result["errors"] == [], "\n".join(result["errors"])
    assert result["csp"] == []
