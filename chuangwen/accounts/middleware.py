"""Idle (30 min) and absolute (12 h) session limits, and the gate for the second factor and
due password changes.

The last-seen time is written at most once a minute, so most requests do not write the
session, and requests marked as background polling never extend it.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from chuangwen.audit.log import record

BACKGROUND_HEADER = "X-Chuangwen-Background"
_TOUCH_EVERY = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request)
            if expired:
                return expired
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        seen = session.get("cw_seen")
        login_at = session.get("cw_login_at")
        if seen is None or login_at is None:
            session["cw_seen"] = session["cw_login_at"] = now
            return None
        idle = now - seen > settings.SESSION_IDLE_SECONDS
        too_long = now - login_at > settings.SESSION_ABSOLUTE_SECONDS
        if idle or too_long:
            user = request.user
            record("session.timeout", actor=user, obj=user,
                   changes={"reason": [None, "idle" if idle else "absolute"]})
            logout(request)
            if request.headers.get(BACKGROUND_HEADER) or request.headers.get("HX-Request"):
                response = HttpResponse("登录已超时", status=401)
                response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                return response
            messages.info(request, "长时间未操作,已自动退出,请重新登录。")
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        if not request.headers.get(BACKGROUND_HEADER) and now - seen >= _TOUCH_EVERY:
            session["cw_seen"] = now
        return None


# --- the account gate: second factor, then a due password change ---------------------------

MFA_ALLOWED = ("accounts:mfa_verify", "accounts:mfa_enrol", "accounts:logout")
PASSWORD_ALLOWED = ("accounts:password_change", "accounts:logout")


def _wants_json(request) -> bool:
    return bool(
        request.path.startswith(("/api/", "/open311/"))
        or request.headers.get("HX-Request")
        or request.headers.get(BACKGROUND_HEADER)
        or "application/json" in request.headers.get("Accept", "")
    )


class AccountGateMiddleware:
    """A signed-in person who still owes the second factor (三员 and anyone the security
    administrator marks) reaches only the enrol/verify pages and logout; then, if their
    password must be changed (first login, reset, older than PASSWORD_MAX_AGE_DAYS), only the
    change page and logout.  Everything else redirects there (JSON 403 for API and htmx calls).

    Reads only the user row and the session: no query for people who owe nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            blocked = self._gate(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _gate(self, request, user):
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if user.needs_mfa and not user.is_verified():
            from django_otp.plugins.otp_totp.models import TOTPDevice

            enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = "accounts:mfa_verify" if enrolled else "accounts:mfa_enrol"
            return self._send(request, target, MFA_ALLOWED, "mfa_required",
                              "请先完成动态口令验证。" if enrolled else "请先绑定动态口令。")
        if user.must_change_password or user.password_expired():
            return self._send(request, "accounts:password_change", PASSWORD_ALLOWED,
                              "password_change_required", "请先修改密码。")
        return None

    @staticmethod
    def _send(request, target: str, allowed, code: str, message: str):
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:  # an unknown path is still behind the gate
            name = None
        if name in allowed:
            return None
        url = resolve_url(target)
        if _wants_json(request):
            response = JsonResponse({"detail": message, "code": code, "redirect": url}, status=403)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET" and request.path != "/":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)
