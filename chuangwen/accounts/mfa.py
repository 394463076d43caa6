"""Second factor (TOTP, via django-otp): enrolment, verification, reset.

A code works once (django-otp keeps the last accepted time step), one step of clock drift is
tolerated, and every failure counts toward the same lockout as a wrong password.
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

from .permissions import require_verb

ISSUER = "创文平台"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first visit of the enrolment page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机令牌", confirmed=False, tolerance=1)
    return device


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice, username: str) -> str:
    """The provisioning QR code as inline SVG (no image request, no script)."""
    uri = device.config_url  # otpauth://totp/...?secret=...&issuer=...
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def _failed(request, user, event: str) -> None:
    record(event, actor=user, obj=user, outcome=Outcome.FAILURE)
    # django-axes listens to this signal: a wrong code counts like a wrong password.
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)


def mfa_confirm_enrolment(*, request, user, token: str) -> TOTPDevice:
    device = pending_device(user)
    if not device.verify_token(_clean(token)):
        _failed(request, user, "mfa.enrol.failed")
        raise ValidationError("验证码不正确或已使用,请等待下一个验证码后重试。")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("mfa.enrol", actor=user, obj=user)
    otp_login(request, device)
    return device


def mfa_verify(*, request, user, token: str) -> TOTPDevice:
    device = confirmed_device(user)
    if device is None:
        raise ValidationError("尚未绑定动态口令。")
    if not device.verify_token(_clean(token)):
        _failed(request, user, "mfa.failed")
        raise ValidationError("验证码不正确或已使用。")
    otp_login(request, device)
    record("mfa.verify", actor=user, obj=user)
    return device


def mfa_reset(*, user, actor) -> None:
    """Remove a person's second factor (lost phone); they enrol again at next login."""
    require_verb(actor, "mfa.manage")
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        record("mfa.reset", actor=actor, obj=user, changes={"devices": [count, 0]})


def _clean(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())[:8]
