"""Second factor (checklist A4, C1): required for the three administrators and anyone marked,
no page without it, a code works once, ±1 step, failures count toward the lockout."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangwen.accounts.mfa import base32_secret, confirmed_device, mfa_reset
from chuangwen.accounts.models import User
from chuangwen.accounts.services import user_create, user_set_mfa_required
from chuangwen.accounts.tests.test_deny_by_default import every_url, group_detail_url
from chuangwen.audit.models import Entry

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/mfa/verify/"
ENROL = "/accounts/mfa/enrol/"
LOGIN = "/accounts/login/"
# Pages an unverified person may still open (logout only by POST: a GET gets 405).  The enrol
# page sends someone who already has a device to the verify page.
OPEN = {VERIFY: 200, "/accounts/logout/": 405}


def code(device: TOTPDevice, steps: int = 0) -> str:
    """The device's code `steps` time steps from now (negative: in the past)."""
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    otp.time = timezone.now().timestamp() + steps * device.step
    return f"{otp.token():0{device.digits}d}"


def head_seq() -> int:
    return Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[str]:
    return list(Entry.objects.filter(seq__gt=seq).order_by("seq").values_list("event", flat=True))


@pytest.fixture
def frozen(time_machine):
    # Mid-step, so "now" and the code computed for it stay in one 30-second step.
    start = timezone.now().replace(second=10, microsecond=0) + timedelta(minutes=1)
    time_machine.move_to(start, tick=False)
    return time_machine


def test_administrators_and_marked_people_need_the_second_factor(world):
    assert all(u.needs_mfa for u in (world.sysadmin, world.secadmin, world.auditor))
    assert not any(u.needs_mfa for u in (world.hq, world.mayor, world.c1_head, world.outsider))
    user_set_mfa_required(user=world.c1_head, required=True, actor=world.secadmin)
    assert User.objects.get(pk=world.c1_head.pk).needs_mfa
    entry = Entry.objects.filter(event="user.mfa_required").order_by("-seq").first()
    assert entry.actor_id == world.secadmin.pk and entry.changes == {"mfa_required": [False, True]}


def test_only_the_security_administrator_marks_people(world):
    with pytest.raises(PermissionDenied):
        user_set_mfa_required(user=world.c1_head, required=True, actor=world.sysadmin)
    assert not User.objects.get(pk=world.c1_head.pk).mfa_required


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_is_reachable_with_the_password_alone(world, login, persona, method):
    client = login(getattr(world, persona), verified=False)
    leaks = []
    for url in every_url(world) + [group_detail_url(world)]:
        if method == "post" and url == "/accounts/logout/":
            continue  # allowed, and it would end the session the crawl runs in
        response = getattr(client, method)(url)
        status = response.status_code
        location = response.get("Location", "")
        if url in OPEN and method == "get":
            if status != OPEN[url]:
                leaks.append((url, status, location))
            continue
        if url in OPEN:
            continue  # posting to the gate pages themselves: a wrong code, tested below
        if status == 302 and location.split("?")[0] == VERIFY:
            continue
        # The JSON interfaces (API, Open311) refuse with a JSON 403 instead of redirecting.
        if status in (401, 403) and url.startswith(("/api/", "/open311/")):
            continue
        leaks.append((url, status, location))
    assert leaks == []


def test_api_and_htmx_calls_get_a_json_refusal(world, login):
    client = login(world.sysadmin, verified=False)
    response = client.get("/org/units/", headers={"HX-Request": "true"})
    assert response.status_code == 403 and response["HX-Redirect"] == VERIFY
    assert response.json()["code"] == "mfa_required"


def test_a_verified_session_reaches_the_pages(world, login):
    assert login(world.sysadmin).get("/").status_code == 200


def test_login_with_password_then_code_reaches_home(world, client, login_post, frozen):
    response = login_post("secadmin")
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == VERIFY
    start = head_seq()
    device = confirmed_device(world.secadmin)
    response = client.post(VERIFY, {"token": code(device), "next": "/org/units/"}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response["Location"] == "/org/units/"
    assert client.get("/org/units/").status_code == 200
    assert events_since(start) == ["mfa.verify"]


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms_with_a_code(world, login, frozen):
    user_set_mfa_required(user=world.c1_head, required=True, actor=world.secadmin)
    client = login(User.objects.get(pk=world.c1_head.pk))
    response = client.get("/org/units/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    page = client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.c1_head, confirmed=False)
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and base32_secret(device) in body
    # The QR code is plain SVG: nothing the CSP would block (no script, no style attribute).
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert "<script" not in svg and "style=" not in svg
    assert client.get(ENROL).status_code == 200
    assert TOTPDevice.objects.filter(user=world.c1_head).count() == 1  # one pending device, reused

    start = head_seq()
    response = client.post(ENROL, {"token": code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=world.c1_head).confirmed
    assert client.get("/org/units/").status_code == 200
    assert events_since(start) == ["mfa.enrol"]


def test_a_password_alone_cannot_replace_an_enrolled_device(world, login):
    client = login(world.sysadmin, verified=False)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=world.sysadmin).count() == 1


def test_a_code_works_only_once(world, login, frozen):
    device = confirmed_device(world.auditor)
    token = code(device)
    first = login(world.auditor, verified=False)
    assert first.post(VERIFY, {"token": token}).status_code == 302
    assert first.get("/").status_code == 200

    second = login(world.auditor, Client(), verified=False)
    start = head_seq()
    response = second.post(VERIFY, {"token": token})
    assert response.status_code == 200 and "验证码不正确或已使用" in response.content.decode()
    assert second.get("/")["Location"] == VERIFY
    assert events_since(start) == ["mfa.failed"]


@pytest.mark.parametrize("steps", [-1, 1])
def test_one_step_of_clock_drift_is_tolerated(world, login, frozen, steps):
    device = confirmed_device(world.auditor)
    client = login(world.auditor, verified=False)
    assert client.post(VERIFY, {"token": code(device, steps)}).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("steps", [-3, -2, 2])
def test_a_code_from_further_away_is_refused(world, login, frozen, steps):
    device = confirmed_device(world.auditor)
    client = login(world.auditor, verified=False)
    response = client.post(VERIFY, {"token": code(device, steps)})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get("/")["Location"] == VERIFY


def test_five_wrong_codes_lock_the_account_and_end_the_session(world, client, login_post, frozen):
    ip = "198.51.100.23"
    assert login_post("sysadmin", ip=ip).status_code == 302
    device = confirmed_device(world.sysadmin)
    wrong = f"{(int(code(device)) + 1) % 10**6:06d}"
    start = head_seq()
    statuses = [client.post(VERIFY, {"token": wrong}, REMOTE_ADDR=ip).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert "_auth_user_id" not in client.session
    events = events_since(start)
    assert events.count("mfa.failed") == 5 and events.count("login.lockout") == 1
    assert "login.failed" not in events  # one entry per wrong code, not two
    assert "logout" in events
    # Locked for the username from that address: even the right password is refused.
    response = login_post("sysadmin", ip=ip)
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    # ... until the cool-off has passed.
    frozen.shift(timedelta(minutes=16))
    assert login_post("sysadmin", ip=ip).status_code == 302


def test_wrong_codes_and_wrong_passwords_share_one_count(world, client, login_post, frozen):
    from axes.models import AccessAttempt

    ip = "198.51.100.24"
    assert login_post("auditor", ip=ip).status_code == 302
    for _ in range(2):
        client.post(VERIFY, {"token": "000000"}, REMOTE_ADDR=ip)
    attempt = AccessAttempt.objects.get(username="auditor", ip_address=ip)
    assert attempt.failures_since_start == 2


def test_reset_is_audited_and_forces_enrolment_again(world, login):
    client = login(world.sysadmin)
    assert client.get("/").status_code == 200
    start = head_seq()
    mfa_reset(user=world.sysadmin, actor=world.secadmin)
    entry = Entry.objects.get(seq__gt=start, event="mfa.reset")
    assert entry.actor_id == world.secadmin.pk and entry.changes == {"devices": [1, 0]}
    assert not TOTPDevice.objects.filter(user=world.sysadmin).exists()
    # The session verified with the old device is verified no longer.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == ENROL


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "hq"])
def test_only_the_security_administrator_resets_a_second_factor(world, persona):
    with pytest.raises(PermissionDenied):
        mfa_reset(user=world.auditor, actor=getattr(world, persona))
    assert TOTPDevice.objects.filter(user=world.auditor).exists()
    assert Entry.objects.filter(event="permission.denied").exists()


def test_a_new_administrator_enrols_before_changing_the_first_password(world, login, frozen):
    user = user_create(username="auditor2", full_name="新审计员", password="Tz!8qLm#4vPw",
                       roles=["auditor"], actor=world.sysadmin)
    client = login(user)
    assert client.get("/")["Location"] == ENROL
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    assert client.post(ENROL, {"token": code(device)}).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")
