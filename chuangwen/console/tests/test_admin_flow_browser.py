"""The three administrators bring a new liaison on board, end to end in a real browser.

1. The security administrator, who has no second factor yet, logs in, is sent to the enrolment
   page, reads the secret shown there, and confirms it with a code computed from it.
2. The system administrator logs in, passes the second factor and creates the account.
3. The security administrator grants the liaison role and appoints the person to 和平社区.
4. The new person logs in with the initial password, must change it, then sees their own unit
   (and not another district) in the organisation tree.

Chromium runs in a child process (as in test_browser.py): the dashboard's browser tests keep a
session-wide sync Playwright in the worker, and a second one cannot start beside it in the same
thread.  The child imports this module and runs `_child_main`, which drives the pages; the
test itself then checks the database and the audit trail.
"""


import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

NEW_USERNAME = "newliaison"
NEW_NAME = "新联络员"
INITIAL_PASSWORD = "Qm4-river-Stone-82"
NEW_PASSWORD = "Lp9-cedar-Wind-37"
POST_TITLE = "联络员"


# --- the browser side (runs in the child process) ------------------------------------------


def _code(key: bytes) -> str:
    """The current TOTP code for `key`, as the phone would show it."""
    from django_otp.oath import totp

    return f"{totp(key):06d}"


def _key_from_secret(secret: str) -> bytes:
    import base64

    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _submit_login(s, username: str, password: str) -> None:
    """Open the site, get sent to the login page and sign in (where it lands is the caller's)."""
    from playwright.sync_api import expect

    s.goto("/")
    expect(s.page).to_have_url(s.url("/accounts/login/?next=/"))
    s.page.get_by_label("用户名").fill(username)
    s.page.get_by_label("密码").fill(password)
    s.page.get_by_role("button", name="登录").click()


def _flow(job: dict, sessions: list, progress: dict) -> dict:
    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, BrowserSession

    browser = job["browser"]

    def open_session():
        session = BrowserSession(browser.new_context(**DESKTOP, locale="zh-CN"), job["base"])
        sessions.append(session)
        return session

    def home(s, full_name):
        expect(s.page.get_by_role("heading", name=f"您好,{full_name}")).to_be_visible()

    out = {}

    # 1. The security administrator enrols a second factor at first login.
    progress["step"] = "1 secadmin enrols"
    sec = open_session()
    _submit_login(sec, "secadmin", job["password"])
    expect(sec.page).to_have_url(sec.url("/accounts/mfa/enrol/"))
    expect(sec.page.get_by_role("heading", name="绑定动态口令")).to_be_visible()
    expect(sec.page.get_by_label("动态口令二维码").locator("svg")).to_be_visible()
    secret = sec.page.locator("code.cw-secret").inner_text()
    out["secret"] = secret
    sec.page.get_by_label("动态口令", exact=True).fill(_code(_key_from_secret(secret)))
    sec.page.get_by_role("button", name="完成绑定").click()
    expect(sec.page.get_by_role("alert")).to_contain_text("动态口令已绑定。")
    home(sec, "安全管理员")

    # 2. The system administrator passes the second factor and creates the account.
    progress["step"] = "2 sysadmin creates the account"
    sys_ = open_session()
    _submit_login(sys_, "sysadmin", job["password"])
    expect(sys_.page).to_have_url(sys_.url("/accounts/mfa/verify/"))
    sys_.page.get_by_label("动态口令", exact=True).fill(_code(bytes.fromhex(job["sysadmin_key"])))
    sys_.page.get_by_role("button", name="验证").click()
    home(sys_, "系统管理员")
    sys_.nav_link("三员管理").click()
    sys_.page.get_by_role("link", name="账号管理", exact=True).click()
    sys_.page.get_by_role("link", name="新建账号", exact=True).click()
    expect(sys_.page.get_by_role("heading", name="新建账号")).to_be_visible()
    sys_.page.get_by_label("用户名").fill(NEW_USERNAME)
    sys_.page.get_by_label("姓名").fill(NEW_NAME)
    sys_.page.get_by_label("初始密码").fill(INITIAL_PASSWORD)
    sys_.page.get_by_role("button", name="创建").click()
    expect(sys_.page).to_have_url(sys_.url(f"/console/accounts/{NEW_USERNAME}/"))
    expect(sys_.page.get_by_role("alert")).to_contain_text(f"已创建账号“{NEW_USERNAME}”")
    sys_.page.get_by_role("button", name="退出").click()
    expect(sys_.page.get_by_role("button", name="登录")).to_be_visible()

    # 3. The security administrator (still signed in from step 1) grants the role and the post.
    progress["step"] = "3 secadmin grants role and post"
    sec.nav_link("三员管理").click()
    sec.page.get_by_role("link", name="人员授权", exact=True).click()
    sec.page.get_by_label("用户名或姓名").fill(NEW_USERNAME)
    sec.page.get_by_role("button", name="搜索").click()
    sec.page.get_by_role("link", name=NEW_NAME, exact=True).click()
    expect(sec.page).to_have_url(sec.url(f"/console/people/{NEW_USERNAME}/"))
    roles_form = sec.page.locator("form[action$='/roles/']")
    roles_form.get_by_label("联络员", exact=True).check()
    roles_form.get_by_role("button", name="保存角色").click()
    expect(sec.page.get_by_role("alert")).to_contain_text(f"已更新“{NEW_NAME}”的角色。")
    expect(sec.page.locator("form[action$='/roles/']").get_by_label("联络员", exact=True)).to_be_checked()

    sec.page.get_by_label("查找单位").fill("和平社区")
    sec.page.get_by_role("button", name="查找单位").click()
    appoint_form = sec.page.locator("form[action$='/posts/']")
    unit_select = appoint_form.get_by_label("单位", exact=True)
    expect(unit_select.locator("option")).to_have_count(1)
    unit_select.select_option(job["community_code"])
    appoint_form.get_by_label("职务").fill(POST_TITLE)
    appoint_form.get_by_label("联络员", exact=True).check()
    appoint_form.get_by_role("button", name="任命").click()
    expect(sec.page.get_by_role("alert")).to_contain_text(f"已任命“{NEW_NAME}”为和平社区{POST_TITLE}。")
    post_row = sec.page.locator("table tbody tr", has_text="和平社区")
    expect(post_row).to_contain_text(job["community_code"])
    expect(post_row.locator(".badge", has_text="联络员")).to_be_visible()

    # 4. The new person changes the initial password, then sees only their own part of the city.
    progress["step"] = "4 new liaison changes password and opens the tree"
    me = open_session()
    _submit_login(me, NEW_USERNAME, INITIAL_PASSWORD)
    expect(me.page).to_have_url(me.url("/accounts/password/"))
    expect(me.page.get_by_role("alert")).to_contain_text("首次登录或密码已被重置")
    me.page.get_by_label("当前密码").fill(INITIAL_PASSWORD)
    me.page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    me.page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    me.page.get_by_role("button", name="保存").click()
    expect(me.page.get_by_role("alert")).to_contain_text("密码已修改。")
    home(me, NEW_NAME)
    me.nav_link("组织机构").click()
    expect(me.page.get_by_role("heading", name="组织机构")).to_be_visible()
    tree = me.page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name="和平社区", exact=True)).to_be_visible()
    expect(me.page.locator("body")).not_to_contain_text("城西区")

    progress["step"] = "done"
    return out


def _child_main() -> None:
    child_main(lambda job, browser, sessions, progress: _flow({**job, "browser": browser}, sessions, progress))


# --- the test (runs in the pytest worker) --------------------------------------------------


def test_administrators_onboard_a_liaison(live_server, transactional_world, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chuangwen.accounts.mfa import base32_secret
    from chuangwen.accounts.models import User
    from chuangwen.accounts.roles import Role
    from chuangwen.audit.models import Entry
    from chuangwen.org.models import Post

    w = transactional_world
    TOTPDevice.objects.filter(user=w.secadmin).delete()
    sysadmin_device = TOTPDevice.objects.get(user=w.sysadmin, confirmed=True)

    result = run_child(__name__, {
        "base": live_server.url, "password": w.password, "name": "admin-flow",
        "sysadmin_key": sysadmin_device.bin_key.hex(), "community_code": w.community.code,
        "screenshots": str(screenshot_dir(tmp_path)),
    }, timeout=120)
    assert result["errors"] == [], "\n".join(result["errors"])

    # What the pages did, in the database.
    device = TOTPDevice.objects.get(user=w.secadmin, confirmed=True)
    assert result["secret"].replace(" ", "").upper() == base32_secret(device)
    person = User.objects.get(username=NEW_USERNAME)
    assert person.full_name == NEW_NAME
    assert list(person.roles) == [Role.LIAISON]
    assert not person.must_change_password
    assert person.check_password(NEW_PASSWORD)
    post = Post.objects.get(person=person)
    assert (post.unit_id, post.title, post.is_liaison, post.is_head, post.valid_to) == (
        w.community.pk, POST_TITLE, True, False, None)

    # And in the audit trail, each by the right person.
    def one(event, actor, **filters):
        entries = Entry.objects.filter(event=event, outcome="success", actor_id=actor.pk, **filters)
        assert entries.count() == 1, f"{event} by {actor.username}: {entries.count()} entries"

    one("mfa.enrol", w.secadmin, object_id=str(w.secadmin.pk))
    one("mfa.verify", w.sysadmin)
    one("user.create", w.sysadmin, object_id=str(person.pk))
    one("user.roles", w.secadmin, object_id=str(person.pk))
    one("post.appoint", w.secadmin, object_id=str(post.pk))
    one("password.change", person, object_id=str(person.pk))

