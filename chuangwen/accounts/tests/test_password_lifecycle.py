"""First-login change, password age and history (checklist A2)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.accounts.models import PasswordHistory, User
from chuangwen.accounts.services import user_change_password, user_create, user_reset_password
from chuangwen.accounts.tests.test_deny_by_default import every_url, group_detail_url
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/"
FIRST = "Hx7-river-Stone-40"
NEW = "Tz!8qLm#4vPw"
REUSED = "新密码不能与最近 5 次使用过的密码相同。"


@pytest.fixture
def fast_hashes(settings):
    # History checks hash the candidate against up to five stored passwords; Argon2 is tested
    # elsewhere (test_passwords.py), here it would only slow the loop down.
    # Argon2 stays second: the world's passwords were hashed with it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]


def sent_to_change(response) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] == CHANGE


def crawl(client, world) -> list:
    """Every URL that does not end at the change page (or is one of the pages still open)."""
    leaks = []
    for url in every_url(world) + [group_detail_url(world)]:
        response = client.get(url)
        if url == CHANGE and response.status_code == 200:
            continue
        if url == "/accounts/logout/" and response.status_code == 405:
            continue
        if sent_to_change(response):
            continue
        # The JSON interfaces (API, Open311) refuse with a JSON 403 instead of redirecting.
        if url.startswith(("/api/", "/open311/")) and response.status_code == 403:
            continue
        leaks.append((url, response.status_code, response.get("Location")))
    return leaks


# --- first login ----------------------------------------------------------------------------


def test_an_account_created_with_a_password_must_change_it_first(world, login):
    user = user_create(username="newcomer", full_name="子新人", password=FIRST, roles=["inspector"],
                       actor=world.sysadmin)
    assert user.must_change_password
    client = login(user)
    response = client.get("/org/units/")
    assert sent_to_change(response) and "next=%2Forg%2Funits%2F" in response["Location"]
    page = client.get(CHANGE)
    assert "首次登录或密码已被重置" in page.content.decode()
    response = client.post(CHANGE, {"old_password": FIRST, "new_password1": NEW, "new_password2": NEW,
                                    "next": "/org/units/"})
    assert response.status_code == 302 and response["Location"] == "/org/units/"
    assert not User.objects.get(pk=user.pk).must_change_password
    assert client.get("/org/units/").status_code == 200


def test_only_the_system_administrator_creates_accounts(world):
    from django.core.exceptions import PermissionDenied

    for actor in (world.secadmin, world.hq, world.auditor):
        with pytest.raises(PermissionDenied):
            user_create(username="x_" + actor.username, full_name="某人", actor=actor)
    assert not User.objects.filter(username__startswith="x_").exists()


def test_a_reset_password_must_be_changed_at_the_next_login(world, login, fast_hashes):
    user_reset_password(user=world.c2_head, new_password=FIRST, actor=world.sysadmin)
    user = User.objects.get(pk=world.c2_head.pk)
    assert user.check_password(FIRST) and user.must_change_password
    entry = Entry.objects.filter(event="password.reset").order_by("-seq").first()
    assert (entry.actor_id, entry.object_id) == (world.sysadmin.pk, str(user.pk))
    assert sent_to_change(login(user).get("/"))


# --- age --------------------------------------------------------------------------------------


def test_after_91_days_every_page_sends_to_the_change_page(world, login, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=91), tick=False)
    client = login(User.objects.get(pk=world.c1_head.pk))
    assert crawl(client, world) == []
    assert "密码已超过 90 天未修改" in client.get(CHANGE).content.decode()


def test_after_89_days_the_pages_are_open(world, login, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=89), tick=False)
    assert login(User.objects.get(pk=world.c1_head.pk)).get("/").status_code == 200


def test_age_zero_switches_the_rule_off(world, login, time_machine, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    time_machine.move_to(timezone.now() + timedelta(days=400), tick=False)
    assert login(User.objects.get(pk=world.c1_head.pk)).get("/").status_code == 200


def test_changing_an_expired_password_opens_the_pages_again(world, login, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=91), tick=False)
    client = login(User.objects.get(pk=world.c1_head.pk))
    response = client.post(CHANGE, {"old_password": world.password, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert client.get("/org/units/").status_code == 200


def test_an_expired_administrator_gives_the_code_first_then_changes_the_password(world, login, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=91), tick=False)
    unverified = login(User.objects.get(pk=world.sysadmin.pk), verified=False)
    assert unverified.get("/")["Location"] == "/accounts/mfa/verify/"
    verified = login(User.objects.get(pk=world.sysadmin.pk))
    assert sent_to_change(verified.get("/"))


# --- history ----------------------------------------------------------------------------------


def _passwords(n: int) -> list[str]:
    return [f"Hx7-river-Stone-{i:02d}" for i in range(n)]


def test_each_of_the_last_five_passwords_is_refused_and_the_sixth_oldest_accepted(world, fast_hashes):
    oldest, *recent = _passwords(6)
    user = user_create(username="rotator", full_name="丑轮换", password=oldest, must_change_password=False)
    for password in recent:
        user_change_password(user=user, new_password=password)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for password in recent:  # the current one included
        with pytest.raises(ValidationError) as info:
            user_change_password(user=user, new_password=password)
        assert info.value.messages == [REUSED]
    assert User.objects.get(pk=user.pk).check_password(recent[-1])
    user_change_password(user=user, new_password=oldest)
    assert User.objects.get(pk=user.pk).check_password(oldest)
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_the_change_page_explains_a_reused_password_in_chinese(world, login, fast_hashes):
    client = login(world.c1_head)
    response = client.post(CHANGE, {"old_password": world.password, "new_password1": world.password,
                                    "new_password2": world.password})
    assert response.status_code == 200 and REUSED in response.content.decode()
    assert not Entry.objects.filter(event="password.change", actor_id=world.c1_head.pk).exists()


def test_a_reset_cannot_bring_back_a_recent_password(world, fast_hashes):
    with pytest.raises(ValidationError) as info:
        user_reset_password(user=world.c2_head, new_password=world.password, actor=world.sysadmin)
    assert info.value.messages == [REUSED]
