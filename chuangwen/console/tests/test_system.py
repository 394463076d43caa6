"""The system administrator's pages: accounts and backups."""

import pytest

from chuangwen.accounts.models import User
from chuangwen.audit.models import Entry

from .conftest import events_since, last_seq

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qz8-river-Stone-42"


@pytest.fixture
def client_sys(world, login):
    return login(world.sysadmin)


def test_lists_accounts_with_search_and_status(world, client_sys, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        body = client_sys.get("/console/accounts/", {"q": "书记"}).content.decode()
    assert "c1_head" in body and "c2_head" in body and "mayor" not in body
    from chuangwen.accounts.services import user_set_active

    user_set_active(user=world.outsider, active=False, reason="测试")
    body = client_sys.get("/console/accounts/", {"status": "disabled"}).content.decode()
    assert "outsider" in body and "c1_head" not in body


def test_creates_an_account_without_roles_that_must_change_its_password(world, client_sys):
    seq = last_seq()
    response = client_sys.post("/console/new-account/", {
        "username": "zhang3", "full_name": "张三", "password": NEW_PASSWORD,
    }, follow=True)
    assert response.status_code == 200
    assert "已创建账号“zhang3”" in response.content.decode()
    user = User.objects.get(username="zhang3")
    assert user.must_change_password and user.roles == [] and user.check_password(NEW_PASSWORD)
    assert events_since(seq) == ["user.create"]
    entry = Entry.objects.get(seq=seq + 1)
    assert entry.actor_id == world.sysadmin.pk and entry.object_id == str(user.pk)


def test_a_role_smuggled_into_the_create_form_is_ignored(world, client_sys):
    client_sys.post("/console/new-account/", {
        "username": "li4", "full_name": "李四", "password": NEW_PASSWORD, "roles": ["secadmin"],
        "roles_mask": "512",
    })
    assert User.objects.get(username="li4").roles_mask == 0


def test_create_shows_the_password_policy_and_duplicate_username_errors(world, client_sys):
    data = {"username": "wang5", "full_name": "王五", "password": "short"}
    response = client_sys.post("/console/new-account/", data)
    assert response.status_code == 200 and not User.objects.filter(username="wang5").exists()
    assert "密码" in response.content.decode()
    data = {"username": "c1_head", "full_name": "重名", "password": NEW_PASSWORD}
    response = client_sys.post("/console/new-account/", data)
    assert "该用户名已被使用" in response.content.decode()


def test_disables_and_enables_an_account_with_a_reason(world, client_sys):
    seq = last_seq()
    url = "/console/accounts/outsider/active/"
    response = client_sys.post(url, {"active": "0", "reason": "离职"}, follow=True)
    assert "已停用账号" in response.content.decode()
    assert not User.objects.get(pk=world.outsider.pk).is_active
    entry = Entry.objects.get(seq=seq + 1)
    assert entry.event == "user.disable" and entry.changes["reason"] == [None, "离职"]
    client_sys.post("/console/accounts/outsider/active/", {"active": "1", "reason": "返岗"})
    assert User.objects.get(pk=world.outsider.pk).is_active
    assert events_since(seq) == ["user.disable", "user.enable"]


def test_disabling_needs_a_reason(world, client_sys):
    url = "/console/accounts/outsider/active/"
    response = client_sys.post(url, {"active": "0", "reason": ""}, follow=True)
    assert "原因" in response.content.decode()
    assert User.objects.get(pk=world.outsider.pk).is_active


def test_resets_a_password_that_must_be_changed_at_next_login(world, client_sys):
    seq = last_seq()
    url = "/console/accounts/outsider/password/"
    response = client_sys.post(url, {"password": NEW_PASSWORD}, follow=True)
    assert "已重置" in response.content.decode()
    user = User.objects.get(pk=world.outsider.pk)
    assert user.check_password(NEW_PASSWORD) and user.must_change_password
    assert events_since(seq) == ["password.reset"]


def test_get_never_changes_an_account(world, client_sys):
    seq = last_seq()
    client_sys.get("/console/accounts/outsider/active/")
    client_sys.get("/console/accounts/outsider/password/")
    assert User.objects.get(pk=world.outsider.pk).is_active
    assert events_since(seq) == []


def test_lists_backups_and_runs_one_as_the_administrator(world, client_sys, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "chuangwen-20260101-020000.tar.gz").write_bytes(b"x" * 2048)
    body = client_sys.get("/console/backups/").content.decode()
    assert "chuangwen-20260101-020000.tar.gz" in body and "2.0" in body

    calls = []

    def fake_backup(*, actor):
        calls.append(actor)
        path = folder / "chuangwen-20260102-020000.tar.gz"
        path.write_bytes(b"y")
        return path

    # The real archive (audited inside create_backup) is tested with the backup app; here the
    # page must call it with the acting person.
    monkeypatch.setattr("chuangwen.console.views.system.create_backup", fake_backup)
    response = client_sys.post("/console/backups/run/", follow=True)
    assert "备份完成:chuangwen-20260102-020000.tar.gz" in response.content.decode()
    assert [a.pk for a in calls] == [world.sysadmin.pk]
    assert client_sys.get("/console/backups/run/").status_code == 405
