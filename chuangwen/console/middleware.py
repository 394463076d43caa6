"""The administrators' pages (/console/, /manage/) answer only the management network
(checklist B1): a stolen administrator password is of no use from anywhere else."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.urls import reverse

from chuangwen.audit.log import record
from chuangwen.audit.models import Outcome
from chuangwen.lib.net import client_ip

REFUSED = "管理页面只能从管理网络访问,您当前的网络地址不在允许范围内。"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"CHUANGWEN_ADMIN_NETWORKS: not a network: {entry!r}") from exc
    return tuple(nets)


def in_admin_networks(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _networks(tuple(settings.ADMIN_NETWORKS)))


def _protected_prefixes() -> tuple[str, ...]:
    # Resolved per request (not at import): the URLconf decides where the pages live.
    return (reverse("console:index"), reverse("admin:index"))


class AdminNetworkMiddleware:
    """Refuse (403, audited) a request to an administrators' page from outside ADMIN_NETWORKS.

    Placed after authentication so the refusal names the person when there is one, and before
    the login requirement so an outsider gets no login redirect either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(_protected_prefixes()):
            addr = client_ip(request)
            if not in_admin_networks(addr):
                return self._refuse(request, addr)
        return self.get_response(request)

    def _refuse(self, request, addr: str):
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        record(
            "permission.denied", actor=actor, outcome=Outcome.DENIED,
            changes={"path": [None, request.path[:200]], "reason": [None, "admin_network"]},
        )
        return render(request, "errors/error.html", {"title": "无权访问", "message": REFUSED}, status=403)
