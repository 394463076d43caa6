"""System checks of the problems app (registered in apps.ready)."""

from django.conf import settings
from django.core.checks import Warning, register

_PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register("security", deploy=True)
def ratelimit_cache(app_configs, **kwargs):
    from .ratelimit import cache_alias

    alias = cache_alias()
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in _PER_PROCESS:
        return [Warning(
            f"The citizens' rate limits count in cache {alias!r} ({backend.rsplit('.', 1)[-1]}), which each "
            "worker process keeps for itself: N workers admit N times the limit.",
            hint="Configure a shared cache (DatabaseCache after `createcachetable`, or Redis) and name it in "
                 "CHUANGWEN_RATELIMIT_CACHE.",
            id="problems.W001",
        )]
    return []
