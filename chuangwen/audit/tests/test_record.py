"""Writing audit entries (checklist C1, C2): who, from where, which request, and no secrets."""

import json

import pytest
from django.test import Client

from chuangwen.accounts.services import user_change_password, user_create
from chuangwen.audit import context
from chuangwen.audit.chain import GENESIS, compute_mac
from chuangwen.audit.log import record
from chuangwen.audit.models import Entry, Head, Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_context():
    token = context.bind(ip="198.51.100.23", request_id="req-20240601-0001")
    yield
    context.reset(token)


def test_record_snapshots_the_actor_address_and_request(world, request_context):
    entry = record(
        "unit.update", actor=world.c1_head, obj=world.community, changes={"address": [None, "和平路1号"]}
    )
    entry.refresh_from_db()
    assert entry.actor_id == world.c1_head.pk
    assert entry.actor_name == "戊书记(c1_head)"
    assert entry.actor_role == "unit_head"
    assert entry.actor_unit == "和平社区"
    assert (entry.ip, entry.request_id) == ("198.51.100.23", "req-20240601-0001")
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "org.unit",
        str(world.community.pk),
        "和平社区",
    )
    assert entry.changes == {"address": [None, "和平路1号"]}
    assert entry.outcome == Outcome.SUCCESS
    assert entry.at is not None


def test_record_outlives_the_people_it_names(world):
    # Snapshots, not foreign keys: renaming the person does not rewrite history.
    entry = record("test.event", actor=world.c1_head)
    world.c1_head.full_name = "改名了"
    world.c1_head.save(update_fields=["full_name"])
    assert Entry.objects.get(pk=entry.pk).actor_name == "戊书记(c1_head)"


def test_record_without_a_request_has_no_address(world):
    entry = record("console.event")
    assert (entry.ip, entry.request_id, entry.actor_id, entry.actor_name) == ("", "", None, "")


def test_record_appends_to_the_chain_and_moves_the_head(world):
    head = Head.objects.get(pk=1)
    first = record("test.one")
    second = record("test.two")
    assert (first.seq, second.seq) == (head.seq + 1, head.seq + 2)
    assert first.prev_mac == head.mac and second.prev_mac == first.mac
    assert second.mac == compute_mac(Entry.objects.get(pk=second.pk))
    new_head = Head.objects.get(pk=1)
    assert (new_head.seq, new_head.mac) == (second.seq, second.mac)


def test_record_starts_a_chain_from_genesis_when_there_is_no_head(world):
    from django.db import connection

    from chuangwen.audit import triggers

    triggers.apply(connection, create=False)
    Entry.objects.all().delete()
    Head.objects.all().delete()
    entry = record("test.first")
    assert (entry.seq, entry.prev_mac) == (1, GENESIS)


@pytest.mark.parametrize("key", ["password", "Password1", "password2", "otp", "token", "secret", "totp"])
def test_record_masks_secret_keys_in_changes(world, key):
    entry = record("test.secret", changes={key: ["old-value", "S3cret-Value!"], "note": [None, "ok"]})
    stored = Entry.objects.get(pk=entry.pk).changes
    assert "S3cret-Value!" not in json.dumps(stored)
    assert stored["note"] == [None, "ok"]


def test_a_request_id_from_the_client_is_kept_and_echoed(world, login):
    c = login(world.hq)
    response = c.get("/org/units/", headers={"X-Request-ID": "trace-abc-12345"})
    assert response["X-Request-ID"] == "trace-abc-12345"


@pytest.mark.parametrize(
    "bad", ["short", "has space in it", "line\r\nbreak-injected", "x" * 65, "<script>12345"]
)
def test_a_malformed_request_id_is_replaced(world, client, bad):
    response = client.post(
        "/accounts/login/",
        {"username": "c1_head", "password": world.password},
        headers={"X-Request-ID": bad},
    )
    assert response["X-Request-ID"] != bad and len(response["X-Request-ID"]) == 32
    entry = Entry.objects.filter(event="login").order_by("-seq").first()
    assert entry.request_id == response["X-Request-ID"]


def test_the_address_comes_from_remote_addr_not_a_spoofed_header(world, client):
    client.post(
        "/accounts/login/",
        {"username": "c1_head", "password": world.password},
        REMOTE_ADDR="198.51.100.5",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert Entry.objects.filter(event="login").order_by("-seq").first().ip == "198.51.100.5"


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_recorded(world, client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.post(
        "/accounts/login/",
        {"username": "c1_head", "password": world.password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.77, 10.0.0.9",
    )
    # Rightmost address that is not one of our proxies: the client cannot prepend its own.
    assert Entry.objects.filter(event="login").order_by("-seq").first().ip == "198.51.100.77"


def test_no_password_ever_appears_in_the_audit_log(world, login):
    new_password = "Tz!8qLm#4vPw-Nine"
    typo = "Kx7-blue-Harbor-91"
    start = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()

    user_create(username="zhaoliu", full_name="赵六", password="Created#Pass-2931", actor=world.sysadmin)
    Client().post("/accounts/login/", {"username": "c1_head", "password": typo})
    Client().post("/accounts/login/", {"username": "c1_head", "password": world.password})
    c = login(world.c2_head)
    c.post(
        "/accounts/password/",
        {
            "old_password": world.password,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    user_change_password(user=world.e1_head, new_password="Another#Pass-2931", actor=world.secadmin)

    entries = list(Entry.objects.filter(seq__gt=start).values())
    events = {e["event"] for e in entries}
    assert {"user.create", "login.failed", "login", "password.change"} <= events
    dump = json.dumps(entries, default=str)
    for secret in (world.password, new_password, typo, "Created#Pass-2931", "Another#Pass-2931"):
        assert secret not in dump
    assert "argon2" not in dump and "pbkdf2" not in dump


def test_every_event_the_code_records_has_a_chinese_name():
    """The auditor reads Chinese: each event code written by the application has a label."""
    import re
    from pathlib import Path

    from chuangwen.audit.events import EVENT_LABELS

    root = Path(__file__).resolve().parents[2]
    codes = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'record\(\s*"([a-z_.]+)"', text))
        codes.update(re.findall(r'record\(\s*\n\s*"([a-z_.]+)"', text))
    assert codes, "no audit events found"
    assert sorted(codes - set(EVENT_LABELS)) == []
