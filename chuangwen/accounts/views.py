from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import ChangePasswordForm, LoginForm


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


def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form})


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
