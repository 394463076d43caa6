"""The security administrator's pages: roles, second factor, posts and API tokens (verbs
role.grant, mfa.manage, post.manage, apikey.manage).  No account is created here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chuangwen.accounts import mfa
from chuangwen.accounts import services as account_services
from chuangwen.accounts.models import User
from chuangwen.accounts.permissions import has_verb, require_verb
from chuangwen.api import services as token_services
from chuangwen.api.models import ApiToken
from chuangwen.org import services as org_services
from chuangwen.org.models import Post, Unit

from .. import selectors
from ..forms import (
    AccountSearchForm, MfaRequiredForm, PostAppointForm, PostEndForm, RolesForm, TokenIssueForm,
)
from .common import form_errors, run_service

SECURITY_VERBS = ("role.grant", "mfa.manage", "post.manage", "apikey.manage")
PERSON_VERBS = ("role.grant", "mfa.manage", "post.manage")


def _require_any(user, verbs) -> None:
    if not any(has_verb(user, v) for v in verbs):
        require_verb(user, verbs[0])  # audits the denial and raises


def people(request):
    _require_any(request.user, PERSON_VERBS)
    form = AccountSearchForm(request.GET or None)
    q, status = "", ""
    if form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    page = Paginator(selectors.accounts_search(q=q, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "console/security/people.html",
                  {"form": form, "page": page, "q": q, "status": status})


def person(request, username):
    _require_any(request.user, PERSON_VERBS)
    target = get_object_or_404(User, username=username)
    unit_q = request.GET.get("unit_q", "").strip()[:50]
    unit_results = []
    if unit_q:
        unit_results = list(
            Unit.objects.active().filter(Q(name__icontains=unit_q) | Q(code__iexact=unit_q))
            .order_by("depth", "path")[:20]
        )
    posts = Post.objects.filter(person=target).select_related("unit").order_by("-valid_to", "-valid_from")
    today = timezone.localdate()
    return render(request, "console/security/person.html", {
        "person": target,
        "roles_form": RolesForm(initial={"roles": [str(r) for r in target.roles]}),
        "posts": posts,
        "today": today,
        "unit_q": unit_q,
        "unit_results": unit_results,
        "appoint_form": PostAppointForm(initial={"valid_from": today}),
        "has_device": mfa.confirmed_device(target) is not None,
        "can": {v.split(".")[0]: has_verb(request.user, v) for v in PERSON_VERBS},
    })


@require_POST
def person_roles(request, username):
    require_verb(request.user, "role.grant")
    target = get_object_or_404(User, username=username)
    form = RolesForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif run_service(request, account_services.user_set_roles, user=target,
                     roles=form.cleaned_data["roles"]) is not None:
        messages.success(request, f"已更新“{target.full_name}”的角色。")
    return redirect("console:person", username=target.username)


@require_POST
def person_mfa_required(request, username):
    require_verb(request.user, "mfa.manage")
    target = get_object_or_404(User, username=username)
    form = MfaRequiredForm(request.POST)
    form.is_valid()
    required = form.cleaned_data.get("required", False)
    if run_service(request, account_services.user_set_mfa_required, user=target,
                   required=required) is not None:
        messages.success(request, f"已{'要求' if required else '取消要求'}“{target.full_name}”使用动态口令。")
    return redirect("console:person", username=target.username)


@require_POST
def person_mfa_reset(request, username):
    require_verb(request.user, "mfa.manage")
    target = get_object_or_404(User, username=username)
    try:
        mfa.mfa_reset(user=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已重置“{target.full_name}”的动态口令,本人下次登录时重新绑定。")
    return redirect("console:person", username=target.username)


@require_POST
def post_appoint(request, username):
    # org.services.post_appoint checks no permission itself: the check is here.
    require_verb(request.user, "post.manage")
    target = get_object_or_404(User, username=username)
    form = PostAppointForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("console:person", username=target.username)
    data = form.cleaned_data
    unit = Unit.objects.filter(code=data["unit_code"].strip()).first()
    if unit is None:
        messages.error(request, f"没有编码为“{data['unit_code']}”的单位。")
    elif run_service(request, org_services.post_appoint, person=target, unit=unit, title=data["title"],
                     is_head=data["is_head"], is_liaison=data["is_liaison"],
                     valid_from=data["valid_from"]) is not None:
        messages.success(request, f"已任命“{target.full_name}”为{unit.name}{data['title'].strip()}。")
    return redirect("console:person", username=target.username)


@require_POST
def post_end(request, pk):
    require_verb(request.user, "post.manage")
    post = get_object_or_404(Post.objects.select_related("person", "unit"), pk=pk)
    form = PostEndForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif run_service(request, org_services.post_end, post=post, on=form.cleaned_data["on"]) is not None:
        messages.success(request, f"已结束“{post.person.full_name}”在{post.unit.name}的{post.title}职务。")
    return redirect("console:person", username=post.person.username)


def tokens(request):
    require_verb(request.user, "apikey.manage")
    return render(request, "console/security/tokens.html", {
        "form": TokenIssueForm(), "tokens": selectors.tokens_list(),
    })


@never_cache
@require_POST
def token_issue(request):
    require_verb(request.user, "apikey.manage")
    form = TokenIssueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        holder = User.objects.filter(username=data["username"].strip()).first()
        if holder is None:
            form.add_error("username", "没有这个用户名。")
        else:
            result = run_service(request, token_services.token_issue, person=holder, name=data["name"],
                                 days=data["days"])
            if result is not None:
                token, plaintext = result
                # Shown in this one response and never again (only its digest is stored), so
                # the page is rendered here rather than after a redirect.
                return render(request, "console/security/token_issued.html",
                              {"token": token, "plaintext": plaintext})
    return render(request, "console/security/tokens.html",
                  {"form": form, "tokens": selectors.tokens_list()}, status=400)


@require_POST
def token_revoke(request, pk):
    require_verb(request.user, "apikey.manage")
    token = get_object_or_404(ApiToken, pk=pk)
    token_services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"已吊销接口令牌“{token}”。")
    return redirect("console:tokens")
