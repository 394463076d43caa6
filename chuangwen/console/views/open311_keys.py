"""The security administrator's Open311 keys (verb apikey.manage): partner systems such as the
12345 hotline post service requests with them (docs/open311.md).  Issued, listed, revoked; the
plaintext is shown once, only its digest is stored."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chuangwen.accounts.permissions import require_verb
from chuangwen.api.open311 import selectors as open311_selectors
from chuangwen.api.open311 import services as open311_services
from chuangwen.api.open311.models import Open311Key

from ..forms import Open311KeyIssueForm
from .common import run_service


def keys(request):
    require_verb(request.user, "apikey.manage")
    return render(request, "console/security/open311_keys.html", {
        "form": Open311KeyIssueForm(), "keys": open311_selectors.keys_list(),
    })


@never_cache
@require_POST
def key_issue(request):
    require_verb(request.user, "apikey.manage")
    form = Open311KeyIssueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        result = run_service(request, open311_services.key_issue, name=data["name"], days=data["days"],
                             can_post=data["can_post"], districts=data["districts"],
                             hourly_limit=data["hourly_limit"])
        if result is not None:
            key, plaintext = result
            # Shown in this one response and never again, so rendered here, not after a redirect.
            return render(request, "console/security/open311_key_issued.html",
                          {"key": key, "plaintext": plaintext})
    return render(request, "console/security/open311_keys.html",
                  {"form": form, "keys": open311_selectors.keys_list()}, status=400)


@require_POST
def key_revoke(request, pk):
    require_verb(request.user, "apikey.manage")
    key = get_object_or_404(Open311Key, pk=pk)
    open311_services.key_revoke(key=key, actor=request.user)
    messages.success(request, f"已吊销 Open311 密钥“{key}”。")
    return redirect("console:open311_keys")
