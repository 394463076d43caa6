"""Open311 keys: issued and revoked by the security administrator only (services and console
pages), hashed at rest, scoped, audited; the demo's key in the accounts file."""

import stat

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.api.open311 import demo
from chuangwen.api.open311.models import Open311Key
from chuangwen.api.open311.services import key_authenticate, key_issue, key_revoke
from chuangwen.api.services import digest
from chuangwen.audit.models import Entry

from .conftest import BASE, post_data

pytestmark = pytest.mark.django_db


def last_seq() -> int:
    return Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[str]:
    return list(Entry.objects.filter(seq__gt=seq).order_by("seq").values_list("event", flat=True))


# --- services --------------------------------------------------------------------------------


def test_a_key_is_shown_once_and_stored_as_a_digest(world):
    seq = last_seq()
    key, plaintext = key_issue(name="上川市12345热线", districts=[world.district], actor=world.secadmin)
    prefix, secret = plaintext.removeprefix("o311_").split("_")
    assert len(prefix) == 10 and len(secret) == 64 and key.prefix == prefix
    assert key.digest == digest(plaintext) and secret not in str(Open311Key.objects.values().get())
    assert key_authenticate(plaintext).pk == key.pk
    assert key_authenticate(plaintext[:-1] + ("0" if plaintext[-1] != "0" else "1")) is None
    assert events_since(seq) == ["open311.key_issue"]
    entry = Entry.objects.get(seq=seq + 1)
    assert entry.changes["districts"] == [None, [world.district.code]] and secret not in str(entry.changes)
    assert list(key.districts.all()) == [world.district]


@pytest.mark.parametrize("who", ["hq", "sysadmin", "auditor", "c1_head", "outsider"])
def test_only_the_security_administrator_issues_and_revokes(world, who):
    key, _ = key_issue(name="热线", actor=world.secadmin)
    with pytest.raises(PermissionDenied):
        key_issue(name="热线", actor=getattr(world, who))
    with pytest.raises(PermissionDenied):
        key_revoke(key=key, actor=getattr(world, who))
    assert Open311Key.objects.usable().count() == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"name": " "}, "接入方名称"),
    ({"days": 0}, "有效期"),
    ({"days": 366}, "有效期"),
    ({"hourly_limit": 0}, "上限"),
])
def test_bad_key_settings_are_refused(world, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        key_issue(**{"name": "热线", **kwargs}, actor=world.secadmin)


def test_only_districts_may_scope_a_key(world):
    with pytest.raises(ValidationError, match="县"):
        key_issue(name="社区", districts=[world.community], actor=world.secadmin)


def test_revoking_twice_is_audited_once(world):
    key, plaintext = key_issue(name="热线", actor=world.secadmin)
    seq = last_seq()
    key_revoke(key=key, actor=world.secadmin)
    key_revoke(key=key, actor=world.secadmin)
    assert events_since(seq) == ["open311.key_revoke"] and key_authenticate(plaintext) is None


# --- console pages ---------------------------------------------------------------------------


@pytest.fixture
def client_sec(world, login):
    return login(world.secadmin)


def test_the_console_issues_a_key_shown_once(world, client_sec):
    assert "Open311 密钥" in client_sec.get("/console/").content.decode()
    seq = last_seq()
    response = client_sec.post("/console/open311-keys/issue/", {
        "name": "城东区随手拍", "days": "30", "hourly_limit": "50", "can_post": "on",
        "districts": [str(world.district.pk)],
    })
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = Open311Key.objects.get(name="城东区随手拍")
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode() and key.digest == digest(plaintext)
    assert key.hourly_limit == 50 and list(key.districts.all()) == [world.district]
    assert events_since(seq) == ["open311.key_issue"]
    listing = client_sec.get("/console/open311-keys/").content.decode()
    assert "城东区随手拍" in listing and key.prefix in listing and plaintext not in listing
    assert "城东区" in listing and "有效" in listing


def test_the_console_shows_form_errors(world, client_sec):
    response = client_sec.post("/console/open311-keys/issue/", {"name": "", "days": "0", "hourly_limit": "1"})
    assert response.status_code == 400 and Open311Key.objects.count() == 0
    response = client_sec.post("/console/open311-keys/issue/", {
        "name": "社区", "days": "30", "hourly_limit": "10", "districts": [str(world.community.pk)]})
    assert response.status_code == 400 and Open311Key.objects.count() == 0


def test_the_console_revokes_a_key(world, client_sec, anon):
    key, plaintext = key_issue(name="热线", actor=world.secadmin)
    response = client_sec.post(f"/console/open311-keys/{key.pk}/revoke/", follow=True)
    assert "已吊销" in response.content.decode()
    assert key_authenticate(plaintext) is None
    assert anon.post(BASE + "requests.json", post_data(plaintext)).status_code == 403


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "hq", "c1_head", "outsider"])
def test_everyone_else_is_refused_the_key_pages(world, login, who):
    key, _ = key_issue(name="热线", actor=world.secadmin)
    client = login(getattr(world, who))
    assert client.get("/console/open311-keys/").status_code == 403
    assert client.post("/console/open311-keys/issue/", {"name": "x", "days": "30", "hourly_limit": "10",
                                                         "can_post": "on"}).status_code == 403
    assert client.post(f"/console/open311-keys/{key.pk}/revoke/").status_code == 403
    assert list(Open311Key.objects.values_list("name", "revoked_at")) == [("热线", None)]


# --- the demo key ----------------------------------------------------------------------------


@pytest.fixture
def var(settings, tmp_path, world, catalogue):
    settings.VAR_DIR = tmp_path
    path = tmp_path / "demo-accounts.txt"
    path.write_text("# 演示账号\nleader mayor Abcd-2345-Efgh-6789\n", encoding="utf-8")
    return path


def _line(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    (fields,) = [ln.split() for ln in lines if ln.startswith("open311 ")]
    return fields


def test_the_demo_key_is_issued_once_and_written_to_the_accounts_file(var, anon):
    assert demo.ensure_demo_key() == "issued"
    role, username, plaintext = _line(var)
    assert (role, username) == ("open311", "client")
    assert var.read_text(encoding="utf-8").startswith("# 演示账号\nleader mayor Abcd-2345-Efgh-6789\n")
    assert stat.S_IMODE(var.stat().st_mode) == 0o600
    assert key_authenticate(plaintext).name == "上川市12345热线"
    assert anon.post(BASE + "requests.json", post_data(plaintext)).status_code == 200
    text = var.read_text(encoding="utf-8")
    assert demo.ensure_demo_key() == "present"
    assert var.read_text(encoding="utf-8") == text and Open311Key.objects.count() == 1


def test_a_lost_line_or_a_dead_key_gets_a_new_key_and_the_old_one_revoked(var, world):
    demo.ensure_demo_key()
    first = _line(var)[2]
    var.write_text("leader mayor Abcd-2345-Efgh-6789\n", encoding="utf-8")  # the file was rewritten
    assert demo.ensure_demo_key() == "reissued"
    second = _line(var)[2]
    assert second != first and key_authenticate(first) is None and key_authenticate(second) is not None
    key_revoke(key=Open311Key.objects.usable().get(), actor=world.secadmin)
    assert demo.ensure_demo_key() == "reissued"
    assert key_authenticate(_line(var)[2]) is not None
    assert Open311Key.objects.usable().count() == 1 and Open311Key.objects.count() == 3
    assert var.read_text(encoding="utf-8").count("open311 client") == 1


def test_no_demo_city_no_key(var, world):
    world.secadmin.username = "someone_else"
    world.secadmin.save(update_fields=["username"])
    assert demo.ensure_demo_key() == "skipped" and Open311Key.objects.count() == 0
