from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import mfa
from .forms import ChangePasswordForm, LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    # LogoutView flushes the session (new key, old data gone); the header asks the browser to
    # drop what it cached too.
    response = auth_views.LogoutView.as_view()(request)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def _next_url(request) -> str:
    """Where to go after a gate page: the `next` it was sent from, if it is ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return settings.LOGIN_REDIRECT_URL


def _password_reason(user) -> str:
    if user.must_change_password:
        return "首次登录或密码已被重置,请先设置新密码。"
    if user.password_expired():
        return f"密码已超过 {settings.PASSWORD_MAX_AGE_DAYS} 天未修改,请设置新密码。"
    return ""


@never_cache
def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError as exc:  # history: one of the last passwords
            form.add_error("new_password2", exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect(_next_url(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "reason": _password_reason(request.user), "next": _next_url(request),
    })


def _locked_out(request):
    """Too many wrong codes: the lock (username + address) is set; end the session too."""
    user = request.user
    logout(request)
    return lockout_response(request, credentials={"username": user.get_username()})


@never_cache
def mfa_enrol(request):
    user = request.user
    if mfa.confirmed_device(user) is not None and not user.is_verified():
        # Replacing a device needs the old one first: a password alone must not re-enrol.
        return redirect("accounts:mfa_verify")
    device = mfa.mfa_enrol_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_confirm_enrolment(request=request, user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error("token", exc)
        else:
            messages.success(request, "动态口令已绑定。")
            return redirect(_next_url(request))
    return render(request, "accounts/mfa_enrol.html", {
        "form": form, "qr_svg": mfa.qr_svg(device), "secret": mfa.base32_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER, "next": _next_url(request),
    })


@never_cache
def mfa_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if mfa.confirmed_device(user) is None:
        return redirect("accounts:mfa_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_verify(request=request, user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error("token", exc)
        else:
            return redirect(_next_url(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@login_not_required
def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees: the login page with a plain message (HTTP 429).

    The same for an existing and a non-existent username: the lock is keyed on the name typed
    and the client address, never on whether an account exists.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, data=None)
    form.fields["username"].initial = (credentials or {}).get("username", "")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "lockout_message": f"登录失败次数过多,请 {minutes} 分钟后再试。"},
        status=429,
    )
