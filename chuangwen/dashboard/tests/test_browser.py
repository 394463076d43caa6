"""End-to-end checks in a real browser: login, the scoped organisation tree loading through
htmx under the CSP, and the layout on a 375-px phone and a 1920-px wall screen."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under CHUANGWEN_REQUIRE_BROWSER=1
    expect = None

from .browser import PHONE, WALL, screenshot_dir

pytestmark = [pytest.mark.browser]

OUT_OF_SCOPE_FOR_C1 = ("城西区", "西湖社区", "友谊社区", "市住建局")


def test_community_head_sees_only_own_subtree(open_page, transactional_world):
    w = transactional_world
    s = open_page()
    s.login(w.c1_head.username, w.password)
    s.nav_link("组织机构").click()
    expect(s.page.get_by_role("heading", name="组织机构")).to_be_visible()

    tree = s.page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name="和平社区", exact=True)).to_be_visible()
    children = s.expand(w.community.code)
    expect(children.get_by_role("link", name="和平副食店", exact=True)).to_be_visible()
    for name in OUT_OF_SCOPE_FOR_C1:
        expect(s.page.locator("body")).not_to_contain_text(name)

    # A unit outside the scope does not exist for this person: the 404 page, not its data.
    response = s.goto(f"/org/units/{w.other_community.code}/")
    assert response.status == 404
    expect(s.page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(s.page.locator("body")).not_to_contain_text("西湖社区")
    expect(s.page.locator("body")).not_to_contain_text(w.e1_head.full_name)

    # And neither do its children through the htmx endpoint.
    response = s.goto(f"/org/units/{w.other_district.code}/children/")
    assert response.status == 404
    expect(s.page.locator("body")).not_to_contain_text("西湖社区")

    assert not s.csp_violations(), "\n".join(map(str, s.csp_violations()))


def test_hq_staff_expands_whole_tree_through_htmx(open_page, transactional_world):
    w = transactional_world
    s = open_page()
    s.login(w.hq.username, w.password)
    s.nav_link("组织机构").click()

    assert s.page.evaluate("typeof window.htmx") == "object", "htmx is not loaded"
    tree = s.page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name=w.city.name, exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="城西区", exact=True)).to_be_hidden()

    city = s.expand(w.city.code)
    for unit in (w.hq_unit, w.leadership, w.dept, w.district, w.other_district):
        expect(city.get_by_role("link", name=unit.name, exact=True)).to_be_visible()
    west = s.expand(w.other_district.code)
    expect(west.get_by_role("link", name="西湖社区", exact=True)).to_be_visible()
    east = s.expand(w.district.code)
    expect(east.get_by_role("link", name=w.street.name, exact=True)).to_be_visible()
    street = s.expand(w.street.code)
    expect(street.get_by_role("link", name="和平社区", exact=True)).to_be_visible()
    expect(street.get_by_role("link", name="友谊社区", exact=True)).to_be_visible()

    # Closing and reopening a node shows what was loaded, without asking the server again.
    summary = s.tree_node(w.other_district.code).locator(":scope > details > summary .text-muted")
    summary.click()
    expect(west).to_be_hidden()
    summary.click()
    expect(west.get_by_role("link", name="西湖社区", exact=True)).to_be_visible()
    expect(west.locator(".cw-tree-list")).to_have_count(1)

    # Following a link in the tree opens the unit's page.
    west.get_by_role("link", name="西湖社区", exact=True).click()
    expect(s.page.get_by_role("heading", name="西湖社区")).to_be_visible()
    expect(s.page.get_by_test_id("head")).to_contain_text(w.e1_head.full_name)

    csp = [e for e in s.console if "Content Security Policy" in e.text or e.kind == "csp"]
    assert not csp, "\n".join(map(str, csp))
    assert not s.errors(), "\n".join(map(str, s.errors()))


def _assert_no_horizontal_scroll(s, width, what):
    scroll_width = s.scroll_width()
    assert scroll_width <= width, f"{what}: page is {scroll_width}px wide on a {width}px screen"


def test_phone_layout(open_page, transactional_world, tmp_path):
    w = transactional_world
    s = open_page(**PHONE)
    s.goto("/")
    _assert_no_horizontal_scroll(s, 375, "login page")
    s.login(w.hq.username, w.password)

    toggler = s.page.get_by_role("button", name="展开导航")
    expect(toggler).to_be_visible()
    org_link = s.nav_link("组织机构")
    expect(org_link).to_be_hidden()
    _assert_no_horizontal_scroll(s, 375, "home page")
    toggler.click()
    expect(org_link).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(s.page.locator("#cw-nav")).to_have_class(re.compile(r"\bshow\b"))  # slid fully open
    expect(s.page.get_by_role("button", name="退出")).to_be_visible()
    s.screenshot(screenshot_dir(tmp_path), "home-phone-menu")
    org_link.click()

    expect(s.page.get_by_role("heading", name="组织机构")).to_be_visible()
    expect(org_link).to_be_hidden()  # the menu folds again on the next page
    s.expand(w.city.code)
    s.expand(w.district.code)
    s.expand(w.street.code)
    s.expand(w.community.code)
    _assert_no_horizontal_scroll(s, 375, "unit tree, expanded four levels")
    s.screenshot(screenshot_dir(tmp_path), "unit-tree-phone")

    for path, what in (
        (f"/org/units/{w.community.code}/", "unit page"),
        (f"/org/units/{w.city.code}/", "city page"),
        ("/org/people/", "people list"),
        ("/org/groups/", "group list"),
        (f"/org/groups/{w.group.code}/", "group page"),
        (f"/org/people/{w.mayor.username}/", "person page"),
    ):
        s.goto(path)
        _assert_no_horizontal_scroll(s, 375, what)
    assert not s.errors(), "\n".join(map(str, s.errors()))


def test_wall_screen_layout(open_page, transactional_world, tmp_path):
    w = transactional_world
    s = open_page(**WALL)
    s.login(w.hq.username, w.password)

    expect(s.page.get_by_role("button", name="展开导航")).to_be_hidden()
    expect(s.nav_link("组织机构")).to_be_visible()
    expect(s.nav_link("人员")).to_be_visible()
    _assert_no_horizontal_scroll(s, 1920, "home page")
    s.nav_link("组织机构").click()
    s.expand(w.city.code)
    s.expand(w.district.code)
    _assert_no_horizontal_scroll(s, 1920, "unit tree")
    s.screenshot(screenshot_dir(tmp_path), "unit-tree-wall")
    s.goto(f"/org/units/{w.community.code}/")
    _assert_no_horizontal_scroll(s, 1920, "unit page")
    # The page's content is capped in width, not stretched over the whole wall screen.
    main_width = s.page.locator("main").evaluate("el => el.getBoundingClientRect().width")
    assert main_width < 1920
    assert not s.errors(), "\n".join(map(str, s.errors()))


@pytest.mark.parametrize("device", ["phone", "wall"])
def test_unit_page_screenshot(open_page, transactional_world, tmp_path, device):
    w = transactional_world
    s = open_page(**{"phone": PHONE, "wall": WALL}[device])
    s.login(w.hq.username, w.password)
    s.goto(f"/org/units/{w.community.code}/")
    expect(s.page.get_by_role("heading", name="和平社区")).to_be_visible()
    expect(s.page.get_by_test_id("head")).to_contain_text(w.c1_head.full_name)
    path = s.screenshot(screenshot_dir(tmp_path), f"unit-detail-{device}")
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    print(f"screenshot: {path}")
    assert not s.errors(), "\n".join(map(str, s.errors()))
