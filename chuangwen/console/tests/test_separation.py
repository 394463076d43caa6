"""三员分立 (checklist B1): each administrator is refused the other two's pages and actions,
on the console and on the admin site, and a refused request changes nothing but the log."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangwen.accounts.models import User
from chuangwen.api.models import ApiToken
from chuangwen.api.services import token_issue
from chuangwen.org.models import Post

from .conftest import events_since, last_seq

pytestmark = pytest.mark.django_db


def _pages(world):
    post = Post.objects.current().get(person=world.c1_liaison)
    token = ApiToken.objects.first()
    return {
        "sysadmin": {
            "get": ["/console/accounts/", "/console/new-account/", "/console/accounts/c1_head/",
                    "/console/backups/"],
            "post": [
                ("/console/new-account/",
                 {"username": "newbie", "full_name": "新人", "password": "Qz8-river-Stone-42"}),
                ("/console/accounts/c1_head/active/", {"active": "0", "reason": "离职"}),
                ("/console/accounts/c1_head/password/", {"password": "Qz8-river-Stone-42"}),
                ("/console/backups/run/", {}),
            ],
        },
        "secadmin": {
            "get": ["/console/people/", "/console/people/c1_head/", "/console/tokens/"],
            "post": [
                ("/console/people/c1_head/roles/", {"roles": ["leader"]}),
                ("/console/people/c1_head/mfa-required/", {"required": "on"}),
                ("/console/people/sysadmin/mfa-reset/", {}),
                ("/console/people/c1_head/posts/", {"unit_code": world.dept.code, "title": "副局长"}),
                (f"/console/posts/{post.pk}/end/", {}),
                ("/console/tokens/issue/", {"username": "c1_head", "name": "对接", "days": "30"}),
                (f"/console/tokens/{token.pk}/revoke/", {}),
            ],
        },
        "auditor": {
            "get": ["/console/audit/", "/console/audit/1/", "/console/audit/verify/"],
            "post": [("/console/audit/export.xlsx", {}), ("/console/audit/verify/", {})],
        },
    }


def _state():
    """Everything a console action could change, except the audit log itself."""
    return (
        sorted(User.objects.values_list("username", "roles_mask", "is_active", "password", "mfa_required",
                                        "must_change_password")),
        sorted(Post.objects.values_list("pk", "valid_to")),
        sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        TOTPDevice.objects.count(),
    )


@pytest.fixture
def seeded(world):
    token_issue(person=world.dept_head, name="已有令牌", days=30, actor=world.secadmin)
    return world


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor", "c1_head", "outsider", "hq"])
def test_each_person_is_refused_every_console_action_but_their_own(seeded, login, who, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # a backup that slipped through would land here, not in var/
    world = seeded
    client = login(getattr(world, who))
    before, seq = _state(), last_seq()
    refused = 0
    for owner, pages in _pages(world).items():
        if owner == who:
            continue
        for url in pages["get"]:
            response = client.get(url)
            assert response.status_code == 403, (who, url, response.status_code)
            assert "没有" in response.content.decode()
            refused += 1
        for url, data in pages["post"]:
            response = client.post(url, data)
            assert response.status_code == 403, (who, url, response.status_code)
            refused += 1
    assert _state() == before
    assert not (tmp_path / "backups").exists()
    # Every refusal is in the log, and nothing else is.
    assert events_since(seq) == ["permission.denied"] * refused


@pytest.mark.parametrize("who", ["c1_head", "outsider", "hq"])
def test_business_users_are_refused_the_console_landing_page(world, login, who):
    client = login(getattr(world, who))
    seq = last_seq()
    response = client.get("/console/")
    assert response.status_code == 403
    assert "没有进入三员管理的权限" in response.content.decode()
    assert events_since(seq) == ["permission.denied"]


@pytest.mark.parametrize("who, sections", [
    ("sysadmin", ["账号管理", "数据备份"]),
    ("secadmin", ["人员授权", "接口令牌"]),
    ("auditor", ["审计日志"]),
])
def test_each_administrator_sees_only_their_own_sections(world, login, who, sections):
    body = login(getattr(world, who)).get("/console/").content.decode()
    for label in ("账号管理", "数据备份", "人员授权", "接口令牌", "审计日志"):
        assert (label in body) == (label in sections), (who, label)
    assert "三员管理" in body  # the menu entry


def test_the_menu_has_no_console_entry_for_business_users(world, login):
    body = login(world.hq).get("/").content.decode()
    assert "/console/" not in body


# --- the admin site (/manage/) ---------------------------------------------------------------


def test_a_system_administrator_cannot_change_posts_on_the_admin_site(world, login):
    client = login(world.sysadmin)
    post = Post.objects.current().get(person=world.c1_liaison)
    before = _state()
    assert client.get("/manage/org/post/").status_code == 403
    assert client.get("/manage/org/post/add/").status_code == 403
    response = client.post("/manage/org/post/add/", {
        "person": world.outsider.pk, "unit": world.dept.pk, "title": "副局长", "valid_from": "2026-01-01",
    })
    assert response.status_code == 403
    response = client.post(f"/manage/org/post/{post.pk}/change/", {"valid_to": "2026-01-01"})
    assert response.status_code == 403
    assert client.post(f"/manage/org/post/{post.pk}/delete/", {"post": "yes"}).status_code == 403
    assert _state() == before


def test_a_security_administrator_cannot_create_or_change_accounts_on_the_admin_site(world, login):
    client = login(world.secadmin)
    before = _state()
    assert client.get("/manage/accounts/user/add/").status_code == 403
    response = client.post("/manage/accounts/user/add/", {"username": "sneaky", "full_name": "偷偷"})
    assert response.status_code == 403
    response = client.post(f"/manage/accounts/user/{world.c1_head.pk}/change/", {"roles_mask": 1})
    assert response.status_code == 403
    assert _state() == before


def test_the_auditor_is_refused_the_whole_admin_site(world, login):
    client = login(world.auditor)
    for url in ("/manage/", "/manage/org/post/", "/manage/accounts/user/", "/manage/org/unit/"):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url


# --- CSRF (checklist D5) -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_console_posts_without_a_csrf_token_are_refused(seeded, login, who):
    world = seeded
    client = login(getattr(world, who), Client(enforce_csrf_checks=True))
    before = _state()
    for url, data in _pages(world)[who]["post"]:
        assert client.post(url, data).status_code == 403, url
    assert _state() == before
