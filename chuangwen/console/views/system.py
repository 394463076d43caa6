"""The system administrator's pages: accounts and backups (verbs user.manage, backup.run).
No role is granted here: roles are the security administrator's (三员分立)."""

import subprocess

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chuangwen.accounts import services as account_services
from chuangwen.accounts.models import User
from chuangwen.accounts.permissions import require_verb
from chuangwen.backup.archive import BackupError, create_backup

from .. import selectors
from ..forms import AccountCreateForm, AccountSearchForm, PasswordResetForm, ReasonForm
from .common import form_errors, run_service


def accounts(request):
    require_verb(request.user, "user.manage")
    form = AccountSearchForm(request.GET or None)
    q, status = "", ""
    if form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    # Accounts number in the thousands at most: a counted paginator is affordable here.
    page = Paginator(selectors.accounts_search(q=q, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "console/system/accounts.html", {
        "form": form, "page": page, "q": q, "status": status,
    })


def account_create(request):
    require_verb(request.user, "user.manage")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.user_create(
                username=data["username"].strip(), full_name=data["full_name"].strip(),
                password=data["password"], actor=request.user, must_change_password=True,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已创建账号“{user.username}”,首次登录时须修改初始密码。")
            return redirect("console:account_detail", username=user.username)
    return render(request, "console/system/account_create.html", {"form": form})


def _add_errors(form, exc) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error("password" if "密码" in ";".join(exc.messages) else None, exc)


def account_detail(request, username):
    require_verb(request.user, "user.manage")
    person = get_object_or_404(User, username=username)
    return render(request, "console/system/account_detail.html", {
        "person": person, "reason_form": ReasonForm(), "password_form": PasswordResetForm(),
    })


@require_POST
def account_set_active(request, username):
    require_verb(request.user, "user.manage")
    person = get_object_or_404(User, username=username)
    active = request.POST.get("active") == "1"
    form = ReasonForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif run_service(request, account_services.user_set_active, user=person, active=active,
                     reason=form.cleaned_data["reason"].strip()) is not None:
        messages.success(request, f"已{'启用' if active else '停用'}账号“{person.username}”。")
    return redirect("console:account_detail", username=person.username)


@require_POST
def account_reset_password(request, username):
    require_verb(request.user, "user.manage")
    person = get_object_or_404(User, username=username)
    form = PasswordResetForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif run_service(request, account_services.user_reset_password, user=person,
                     new_password=form.cleaned_data["password"]) is not None:
        messages.success(request, f"已重置“{person.username}”的密码,本人下次登录时须修改。")
    return redirect("console:account_detail", username=person.username)


def backups(request):
    require_verb(request.user, "backup.run")
    return render(request, "console/system/backups.html", {"archives": selectors.backup_archives()})


@require_POST
def backup_run(request):
    require_verb(request.user, "backup.run")
    try:
        archive = create_backup(actor=request.user)
    except (BackupError, OSError, subprocess.CalledProcessError) as exc:
        messages.error(request, f"备份失败:{exc}")
    else:
        messages.success(request, f"备份完成:{archive.name}。")
    return redirect("console:backups")
