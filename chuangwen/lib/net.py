"""Client address resolution that a spoofed header cannot fool."""

import ipaddress

from django.conf import settings


def _is_trusted_proxy(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request) -> str:
    """The client address: REMOTE_ADDR, or X-Forwarded-For only when it came from a trusted proxy.

    Walks X-Forwarded-For from the right, skipping our own proxies, so a client cannot
    prepend an address of its choosing.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return remote
            return hop
    return remote
