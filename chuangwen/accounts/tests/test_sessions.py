"""Sessions (checklist A5, F5): new key at login, 30-minute idle and 12-hour absolute limits,
no write on every request, logout that really ends the session."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from chuangwen.accounts.middleware import BACKGROUND_HEADER
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db

BACKGROUND = {"headers": {BACKGROUND_HEADER: "1"}}


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def signed_in(world, client, frozen, login_post):
    response = login_post("c1_head")
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_row(client) -> Session:
    return Session.objects.get(session_key=session_key(client))


def is_signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- login -----------------------------------------------------------------------------------


def test_login_issues_a_new_session_key(world, client, login_post):
    # A session planted before login (session fixation) must not carry the login.
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    assert login_post("c1_head").status_code == 302

    new_key = session_key(client)
    assert new_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert is_signed_in(client)


def test_login_is_audited_with_address_and_request_id(world, client):
    response = client.post(
        "/accounts/login/",
        {"username": "c1_head", "password": world.password},
        REMOTE_ADDR="198.51.100.9",
        headers={"X-Request-ID": "req-login-0001"},
    )
    assert response["X-Request-ID"] == "req-login-0001"
    entry = Entry.objects.filter(event="login").order_by("-seq").first()
    assert (entry.actor_id, entry.ip, entry.request_id) == (
        world.c1_head.pk,
        "198.51.100.9",
        "req-login-0001",
    )


def test_the_session_cookie_is_http_only_and_same_site(world, client, login_post):
    login_post("c1_head")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_an_authenticated_visit_to_the_login_page_goes_home(signed_in):
    response = signed_in.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/"


# --- idle timeout ----------------------------------------------------------------------------


def test_idle_for_31_minutes_sends_to_the_login_page(signed_in, frozen):
    frozen.shift(timedelta(minutes=31))
    response = signed_in.get("/org/units/")
    assert sent_to_login(response)
    assert "next=%2Forg%2Funits%2F" in response["Location"]
    assert not is_signed_in(signed_in)
    entry = Entry.objects.filter(event="session.timeout").order_by("-seq").first()
    assert entry.changes == {"reason": [None, "idle"]}


def test_the_login_page_explains_the_timeout_in_chinese(signed_in, frozen):
    frozen.shift(timedelta(minutes=31))
    response = signed_in.get("/", follow=True)
    assert "长时间未操作,已自动退出" in response.content.decode()


def test_activity_within_30_minutes_keeps_the_session(signed_in, frozen):
    for _ in range(4):
        frozen.shift(timedelta(minutes=20))
        assert is_signed_in(signed_in)


def test_background_requests_do_not_extend_the_session(signed_in, frozen):
    frozen.shift(timedelta(minutes=20))
    assert signed_in.get("/", **BACKGROUND).status_code == 200
    frozen.shift(timedelta(minutes=11))
    assert sent_to_login(signed_in.get("/"))


def test_an_expired_background_request_gets_401_with_a_redirect_header(signed_in, frozen):
    frozen.shift(timedelta(minutes=31))
    response = signed_in.get("/", **BACKGROUND)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


def test_an_expired_htmx_request_gets_401_with_a_redirect_header(signed_in, frozen, world):
    frozen.shift(timedelta(minutes=31))
    response = signed_in.get(f"/org/units/{world.community.code}/children/", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/login/"


def test_twelve_hours_of_steady_activity_end_at_the_absolute_limit(signed_in, frozen):
    elapsed = timedelta()
    while elapsed + timedelta(minutes=20) <= timedelta(hours=12):
        frozen.shift(timedelta(minutes=20))
        elapsed += timedelta(minutes=20)
        assert is_signed_in(signed_in), elapsed
    frozen.shift(timedelta(minutes=1))
    assert sent_to_login(signed_in.get("/"))
    entry = Entry.objects.filter(event="session.timeout").order_by("-seq").first()
    assert entry.changes == {"reason": [None, "absolute"]}


# --- no write on every request ---------------------------------------------------------------


def test_requests_within_a_minute_do_not_write_the_session(signed_in, frozen):
    assert is_signed_in(signed_in)
    row = session_row(signed_in)
    frozen.shift(timedelta(seconds=30))
    assert is_signed_in(signed_in)
    frozen.shift(timedelta(seconds=29))
    assert is_signed_in(signed_in)
    again = session_row(signed_in)
    assert (again.session_data, again.expire_date) == (row.session_data, row.expire_date)


def test_a_request_after_a_minute_records_the_activity_once(signed_in, frozen):
    row = session_row(signed_in)
    frozen.shift(timedelta(seconds=61))
    assert is_signed_in(signed_in)
    touched = session_row(signed_in)
    assert touched.session_data != row.session_data
    assert touched.get_decoded()["cw_seen"] > row.get_decoded()["cw_seen"]
    frozen.shift(timedelta(seconds=5))
    assert is_signed_in(signed_in)
    assert session_row(signed_in).session_data == touched.session_data


def test_background_requests_never_write_the_session(signed_in, frozen):
    row = session_row(signed_in)
    for _ in range(3):
        frozen.shift(timedelta(minutes=5))
        assert signed_in.get("/", **BACKGROUND).status_code == 200
    assert session_row(signed_in).session_data == row.session_data


# --- logout ----------------------------------------------------------------------------------


def test_logout_clears_the_session_and_the_site_data(signed_in):
    old_key = session_key(signed_in)
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Entry.objects.filter(event="logout").exists()


def test_the_old_cookie_no_longer_authenticates_after_logout(signed_in):
    old_key = session_key(signed_in)
    signed_in.post("/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sent_to_login(replay.get("/"))


def test_logout_by_get_is_refused_and_changes_nothing(signed_in):
    assert signed_in.get("/accounts/logout/").status_code == 405
    assert is_signed_in(signed_in)


def test_disabling_an_account_ends_its_sessions(signed_in, world):
    from chuangwen.accounts.services import user_set_active

    user_set_active(user=world.c1_head, active=False, actor=world.sysadmin)
    assert sent_to_login(signed_in.get("/"))
