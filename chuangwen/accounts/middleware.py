"""Idle (30 min) and absolute (12 h) session limits.

The last-seen time is written at most once a minute, so most requests do not write the
session, and requests marked as background polling never extend it.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
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
