"""A mistyped CHUANGWEN_ADMIN_NETWORKS must stop the start-up, not the first administrator."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register


@register("security")
def admin_networks_check(app_configs=None, **kwargs):
    errors = []
    for entry in settings.ADMIN_NETWORKS:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            errors.append(Error(
                f"ADMIN_NETWORKS entry {entry!r} is not an IP network.",
                hint="Set CHUANGWEN_ADMIN_NETWORKS to comma-separated networks, e.g. 10.0.0.0/8,::1/128.",
                id="chuangwen.console.E001",
            ))
    if not settings.ADMIN_NETWORKS:
        errors.append(Error(
            "ADMIN_NETWORKS is empty: no one could reach the administrators' pages.",
            id="chuangwen.console.E002",
        ))
    return errors
