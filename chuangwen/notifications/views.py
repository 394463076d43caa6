"""The inbox pages: thin adapters over the selectors and services.  Everything is scoped to the
signed-in person's own notifications (`selectors.notifications_of`)."""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services

PAGE_SIZE = 30


def _positive_int(raw) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63 else None


def _list_url(unread_only: bool) -> str:
    url = reverse("notifications:list")
    return f"{url}?{urlencode({'show': 'unread'})}" if unread_only else url


@require_GET
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    before = _positive_int(request.GET.get("before"))
    items = list(selectors.notifications_for(request.user, unread_only=unread_only, before=before,
                                             limit=PAGE_SIZE + 1))
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return render(request, "notifications/list.html", {
        "items": items,
        "unread_only": unread_only,
        "before": before,
        "older": items[-1].pk if more else None,
        "unread": selectors.unread_count(request.user),
        "unread_cap": selectors.UNREAD_CAP,
    })


@require_GET
@never_cache
def bell(request):
    """The navbar badge, loaded and polled by htmx (see base.html).  The polls carry
    X-Chuangwen-Background (app.js), so they do not keep an idle session alive."""
    return render(request, "notifications/_bell.html", {
        "count": selectors.unread_count(request.user), "cap": selectors.UNREAD_CAP,
    })


@require_GET
def notification_open(request, pk: int):
    """Mark one notification read and go where it points — a path on this site only; anything
    else (a stored "//host" or "https://...") goes to the inbox instead."""
    note = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.mark_read(request.user, [note.pk])
    if note.url and services.is_internal_url(note.url):
        return HttpResponseRedirect(note.url)
    return redirect("notifications:list")


@require_POST
def notification_mark_read(request, pk: int):
    services.mark_read(request.user, [pk])  # another person's id changes nothing
    return redirect(_list_url(request.POST.get("show") == "unread"))


@require_POST
def notification_mark_all_read(request):
    services.mark_all_read(request.user)
    return redirect(_list_url(request.POST.get("show") == "unread"))
