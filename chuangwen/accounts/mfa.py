"""Second factor (TOTP, via django-otp): enrolment, verification, reset.

A code works once (django-otp keeps the last accepted time step in `last_t`, and the device row
is locked while a code is checked, so two requests cannot both use it), one 30-second step of
clock drift is tolerated, and every failure counts toward the same django-axes lockout as a
wrong password (keyed on username and client address).
"""

import base64

import segno
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome

from .permissions import deny_self, require_verb

DEVICE_NAME = "手机令牌"
TOLERANCE = 1  # time steps either side
WRONG_CODE = "验证码不正确或已使用,请等待下一个验证码后重试。"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning QR code as inline SVG (no image request, no script)."""
    uri = device.config_url  # otpauth://totp/...?secret=...&issuer=settings.OTP_TOTP_ISSUER
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def mfa_enrol_start(*, user) -> TOTPDevice:
    """The unconfirmed device being enrolled: made once, shown until it is confirmed."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False, tolerance=TOLERANCE)
    return device


def mfa_provision(*, user, actor=None) -> TOTPDevice:
    """A confirmed device made by the system (the demo's administrator accounts, whose secret
    is written to the demo accounts file).  Keeps an existing confirmed device."""
    with transaction.atomic():
        device = confirmed_device(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True, tolerance=TOLERANCE)
            record("mfa.enrol", actor=actor, obj=user, changes={"by": [None, "system"]})
    return device


def _check_code(device_qs, token: str) -> TOTPDevice | None:
    """Check `token` against the (locked) device; the device is returned if it matched."""
    with transaction.atomic():
        device = device_qs.select_for_update().order_by("pk").first()
        if device is None:
            return None
        return device if device.verify_token(_clean(token)) else None


def _failed(request, user, event: str) -> None:
    record(event, actor=user, obj=user, outcome=Outcome.FAILURE)
    # django-axes listens to this signal: a wrong code counts like a wrong password, for the
    # same username and client address.  signals.py does not log it a second time.
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def mfa_confirm_enrolment(*, request, user, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from it; it replaces any earlier device."""
    device = _check_code(TOTPDevice.objects.filter(user=user, confirmed=False), token)
    if device is None:
        _failed(request, user, "mfa.enrol.failed")
        raise ValidationError(WRONG_CODE, code="mfa_wrong_code")
    with transaction.atomic():
        replaced, _ = TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("mfa.enrol", actor=user, obj=user, changes={"replaced": [replaced, 0] if replaced else None})
    otp_login(request, device)
    return device


def mfa_verify(*, request, user, token: str) -> TOTPDevice:
    """Check a code at login and mark the session as verified."""
    device = _check_code(TOTPDevice.objects.filter(user=user, confirmed=True), token)
    if device is None:
        _failed(request, user, "mfa.failed")
        raise ValidationError(WRONG_CODE, code="mfa_wrong_code")
    otp_login(request, device)
    record("mfa.verify", actor=user, obj=user)
    return device


def mfa_reset(*, user, actor) -> None:
    """Remove a person's second factor (lost phone); they enrol again at their next request
    (sessions verified with the old device are no longer verified)."""
    require_verb(actor, "mfa.manage")
    if actor.pk == user.pk:
        deny_self(actor, "mfa.manage")
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        record("mfa.reset", actor=actor, obj=user, changes={"devices": [count, 0]})


def _clean(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())[:8]
