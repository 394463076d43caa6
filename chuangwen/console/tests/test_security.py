"""The security administrator's pages: roles, second factor, posts, API tokens."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.api.models import ApiToken
from chuangwen.api.services import digest, token_authenticate
from chuangwen.audit.models import Entry
from chuangwen.org.models import Post

from .conftest import events_since, last_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_sec(world, login):
    return login(world.secadmin)


def _roles(user) -> list:
    return User.objects.get(pk=user.pk).roles


def test_grants_and_removes_roles(world, client_sec):
    seq = last_seq()
    url = "/console/people/outsider/roles/"
    response = client_sec.post(url, {"roles": ["inspector", "citizen"]}, follow=True)
    assert "已更新“癸路人”的角色" in response.content.decode()
    assert set(_roles(world.outsider)) == {Role.INSPECTOR, Role.CITIZEN}
    client_sec.post("/console/people/outsider/roles/", {"roles": ["citizen"]})
    assert _roles(world.outsider) == [Role.CITIZEN]
    assert events_since(seq) == ["user.roles", "user.roles"]
    assert Entry.objects.get(seq=seq + 1).changes["roles"] == [["citizen"], ["inspector", "citizen"]]


@pytest.mark.parametrize("roles", [["auditor", "leader"], ["sysadmin", "secadmin"]])
def test_admin_roles_stay_exclusive_and_the_error_is_shown(world, client_sec, roles):
    seq = last_seq()
    response = client_sec.post("/console/people/outsider/roles/", {"roles": roles}, follow=True)
    assert "三种角色互斥" in response.content.decode()
    assert _roles(world.outsider) == [Role.CITIZEN]
    assert events_since(seq) == []


def test_the_person_page_shows_roles_posts_and_second_factor(world, client_sec,
                                                            django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        body = client_sec.get("/console/people/c1_head/").content.decode()
    assert "和平社区" in body and "党委书记" in body
    assert 'value="unit_head" id="id_roles_3" checked' in body


def test_marks_the_second_factor_required_and_resets_a_device(world, client_sec):
    seq = last_seq()
    client_sec.post("/console/people/c1_head/mfa-required/", {"required": "on"})
    assert User.objects.get(pk=world.c1_head.pk).mfa_required
    client_sec.post("/console/people/c1_head/mfa-required/", {})
    assert not User.objects.get(pk=world.c1_head.pk).mfa_required
    assert TOTPDevice.objects.filter(user=world.auditor).exists()
    response = client_sec.post("/console/people/auditor/mfa-reset/", follow=True)
    assert "已重置“审计管理员”的动态口令" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.auditor).exists()
    assert events_since(seq) == ["user.mfa_required", "user.mfa_required", "mfa.reset"]


def test_finds_a_unit_by_name_and_appoints_a_person(world, client_sec):
    body = client_sec.get("/console/people/outsider/", {"unit_q": "住建"}).content.decode()
    assert f'<option value="{world.dept.code}">' in body
    seq = last_seq()
    response = client_sec.post("/console/people/outsider/posts/", {
        "unit_code": world.dept.code, "title": "副局长", "is_liaison": "on", "valid_from": "2026-01-05",
    }, follow=True)
    assert "已任命“癸路人”为市住建局副局长" in response.content.decode()
    post = Post.objects.get(person=world.outsider)
    assert (post.unit, post.title, post.is_liaison, post.is_head, str(post.valid_from)) == (
        world.dept, "副局长", True, False, "2026-01-05")
    assert "post.appoint" in events_since(seq)


def test_appointing_a_new_head_ends_the_old_head(world, client_sec):
    client_sec.post("/console/people/outsider/posts/",
                    {"unit_code": world.community.code, "title": "党委书记", "is_head": "on"})
    open_heads = Post.objects.filter(unit=world.community, is_head=True, valid_to__isnull=True)
    assert [p.person_id for p in open_heads] == [world.outsider.pk]
    assert Post.objects.get(unit=world.community, person=world.c1_head).valid_to is not None


def test_an_unknown_unit_code_is_an_error(world, client_sec):
    data = {"unit_code": "NOPE", "title": "科员"}
    response = client_sec.post("/console/people/outsider/posts/", data, follow=True)
    assert "没有编码为“NOPE”的单位" in response.content.decode()
    assert not Post.objects.filter(person=world.outsider).exists()


def test_ends_a_post(world, client_sec):
    post = Post.objects.current().get(person=world.c1_liaison)
    seq = last_seq()
    response = client_sec.post(f"/console/posts/{post.pk}/end/", {"on": str(post.valid_from)}, follow=True)
    assert "已结束“己联络”在和平社区的网格员职务" in response.content.decode()
    assert Post.objects.get(pk=post.pk).valid_to == post.valid_from
    assert events_since(seq)[0] == "post.end"
    response = client_sec.post(f"/console/posts/{post.pk}/end/", {}, follow=True)
    assert "该职务已经结束" in response.content.decode()


def test_issues_a_token_shown_once_and_stored_only_as_a_digest(world, client_sec):
    seq = last_seq()
    data = {"username": "dept_head", "name": "数据对接", "days": "30"}
    response = client_sec.post("/console/tokens/issue/", data)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    token = ApiToken.objects.get(name="数据对接")
    plaintext = body.split('data-testid="plaintext"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert plaintext.startswith("cw_") and token.digest == digest(plaintext)
    assert not ApiToken.objects.filter(digest=plaintext).exists()
    assert token_authenticate(plaintext).pk == token.pk
    assert events_since(seq) == ["apitoken.issue"]
    listing = client_sec.get("/console/tokens/").content.decode()
    assert "数据对接" in listing and plaintext not in listing and "有效" in listing


def test_token_form_errors_are_shown(world, client_sec):
    response = client_sec.post("/console/tokens/issue/", {"username": "nobody", "name": "x", "days": "30"})
    assert response.status_code == 400 and "没有这个用户名" in response.content.decode()
    data = {"username": "dept_head", "name": "x", "days": "999"}
    response = client_sec.post("/console/tokens/issue/", data)
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_revokes_a_token(world, client_sec):
    client_sec.post("/console/tokens/issue/", {"username": "dept_head", "name": "对接", "days": "30"})
    token = ApiToken.objects.get()
    seq = last_seq()
    response = client_sec.post(f"/console/tokens/{token.pk}/revoke/", follow=True)
    assert "已吊销接口令牌" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    assert "已吊销" in client_sec.get("/console/tokens/").content.decode()
    assert events_since(seq) == ["apitoken.revoke"]


def test_the_security_administrator_cannot_create_accounts(world, client_sec):
    data = {"username": "x1", "full_name": "某", "password": "Qz8-river-Stone-42"}
    assert client_sec.post("/console/new-account/", data).status_code == 403
    assert not User.objects.filter(username="x1").exists()
