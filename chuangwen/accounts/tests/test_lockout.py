"""Login lockout (checklist A3): django-axes keyed on (username, client address), audited,
and no hint whether an account exists."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"
HOME = "203.0.113.42"
WRONG = "Wrong-Password-1"
INVALID = "用户名或密码不正确。"
LOCKED = "登录失败次数过多,请 15 分钟后再试。"


def post_login(client, username, password, ip=OFFICE):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip=OFFICE):
    return [post_login(client, username, WRONG, ip) for _ in range(times)]


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def normalized(response) -> str:
    """The page without what legitimately differs: the echoed username, the CSRF token and the
    CSP nonce."""
    body = re.sub(r'value="[^"]*"', 'value=""', response.content.decode())
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)


def events_since(seq: int) -> list[str]:
    return list(Entry.objects.filter(seq__gt=seq).order_by("seq").values_list("event", flat=True))


def head_seq() -> int:
    return Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_locks_username_after_five_failures_from_one_address(world, client):
    responses = fail(client, "c1_head", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    response = post_login(client, "c1_head", world.password)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(world, client):
    fail(client, "c1_head", 4)
    assert logged_in(post_login(client, "c1_head", world.password))


def test_a_success_resets_the_failure_count(world, client):
    fail(client, "c1_head", 4)
    assert logged_in(post_login(client, "c1_head", world.password))
    other = Client()
    fail(other, "c1_head", 4)
    assert logged_in(post_login(Client(), "c1_head", world.password))


def test_audits_five_failures_and_one_lockout(world, client):
    start = head_seq()
    fail(client, "c1_head", 5)
    events = events_since(start)
    assert events.count("login.failed") == 5
    assert events.count("login.lockout") == 1
    failures = Entry.objects.filter(seq__gt=start, event="login.failed")
    assert {e.actor_name for e in failures} == {"c1_head"}
    assert {e.ip for e in failures} == {OFFICE}
    assert all(e.outcome == "failure" for e in failures)
    lockout = Entry.objects.get(seq__gt=start, event="login.lockout")
    assert (lockout.outcome, lockout.object_repr) == ("denied", "c1_head")


def test_a_refused_attempt_while_locked_is_audited_too(world, client):
    fail(client, "c1_head", 5)
    start = head_seq()
    post_login(client, "c1_head", world.password)
    # The refused attempt, and the lock it meets; never a successful login.
    assert sorted(events_since(start)) == ["login.failed", "login.lockout"]


def test_another_user_from_the_same_address_is_not_locked(world, client):
    fail(client, "c1_head", 5)
    assert logged_in(post_login(Client(), "c2_head", world.password, ip=OFFICE))


def test_the_same_user_from_another_address_is_not_locked(world, client):
    fail(client, "c1_head", 5)
    assert logged_in(post_login(Client(), "c1_head", world.password, ip=HOME))


def test_a_spoofed_forwarded_header_does_not_change_the_address(world, client):
    fail(client, "c1_head", 5)
    response = Client().post(
        "/accounts/login/",
        {"username": "c1_head", "password": world.password},
        REMOTE_ADDR=OFFICE,
        HTTP_X_FORWARDED_FOR=HOME,
    )
    assert response.status_code == 429


def test_unlocks_fifteen_minutes_after_the_last_failure(world, client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "c1_head", 5)
    time_machine.shift(timedelta(minutes=15, seconds=1))
    assert logged_in(post_login(client, "c1_head", world.password))


def test_is_still_locked_just_before_the_cool_off_ends(world, client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "c1_head", 5)
    time_machine.shift(timedelta(minutes=14, seconds=59))
    assert post_login(client, "c1_head", world.password).status_code == 429


def test_an_attempt_while_locked_restarts_the_cool_off(world, client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "c1_head", 5)
    time_machine.shift(timedelta(minutes=10))
    assert post_login(client, "c1_head", world.password).status_code == 429
    time_machine.shift(timedelta(minutes=10))
    assert post_login(client, "c1_head", world.password).status_code == 429
    time_machine.shift(timedelta(minutes=15, seconds=1))
    assert logged_in(post_login(client, "c1_head", world.password))


class TestNoEnumeration:
    """An unknown username gets exactly what a wrong password gets, before and at lockout."""

    def test_before_lockout(self, world):
        wrong = post_login(Client(), "c1_head", WRONG)
        unknown = post_login(Client(), "no_such_user", WRONG)
        assert wrong.status_code == unknown.status_code == 200
        assert INVALID in wrong.content.decode() and INVALID in unknown.content.decode()
        assert normalized(wrong) == normalized(unknown)

    def test_an_inactive_account_answers_like_a_wrong_password(self, world):
        from chuangwen.accounts.services import user_set_active

        user_set_active(user=world.c2_head, active=False)
        inactive = post_login(Client(), "c2_head", world.password)
        unknown = post_login(Client(), "no_such_user", world.password)
        assert inactive.status_code == unknown.status_code == 200
        assert normalized(inactive) == normalized(unknown)

    def test_at_lockout(self, world):
        wrong = fail(Client(), "c1_head", 5)[-1]
        unknown = fail(Client(), "no_such_user", 5)[-1]
        assert wrong.status_code == unknown.status_code == 429
        assert LOCKED in wrong.content.decode() and LOCKED in unknown.content.decode()
        assert normalized(wrong) == normalized(unknown)

    def test_after_lockout_with_the_right_password(self, world):
        fail(Client(), "c1_head", 5)
        fail(Client(), "no_such_user", 5)
        real = post_login(Client(), "c1_head", world.password)
        unknown = post_login(Client(), "no_such_user", world.password)
        assert real.status_code == unknown.status_code == 429
        assert normalized(real) == normalized(unknown)

    def test_unknown_usernames_are_audited_like_known_ones(self, world):
        start = head_seq()
        fail(Client(), "no_such_user", 5)
        events = events_since(start)
        assert (events.count("login.failed"), events.count("login.lockout")) == (5, 1)
