"""Fixed-window counters per client address, kept in Django's cache (checklist D8).

The counters are only as shared as the cache: with the default in-process LocMemCache each
worker counts alone, so N workers admit N times the limit.  Production should point
CHUANGWEN_RATELIMIT_CACHE (default "default") at a cache every worker shares: DatabaseCache
(`manage.py createcachetable`) or Redis.  `checks.ratelimit_cache` warns under --deploy.

A fixed window lets a client send up to twice the limit across a window boundary; against
bulk submission and code guessing that is enough, and it costs one cache round trip."""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: int  # seconds


# Citizens' reports: every POST counts, accepted or not (each may carry 9 × 10 MB of photos).
REPORT = Limit("report", 10, 600)
# Tracking-page lookups: all lookups (generous: a page and its photos), and unknown codes (tight:
# guessing codes is the only use of many misses).
LOOKUP = Limit("track", 120, 600)
LOOKUP_MISS = Limit("track-miss", 10, 600)


def cache_alias() -> str:
    return getattr(settings, "CHUANGWEN_RATELIMIT_CACHE", "default")


def _key(limit: Limit, ident: str, now: float) -> str:
    # Hashed: any address form (IPv6, a proxy's text) makes a safe key, and the cache holds no
    # client addresses in clear.
    digest = hashlib.sha256(f"{limit.scope}\x00{ident}".encode()).hexdigest()[:32]
    return f"cw:rl:{limit.scope}:{digest}:{int(now // limit.window)}"


def hit(limit: Limit, ident: str) -> bool:
    """Count one request from `ident`; True while it is within the limit."""
    cache = caches[cache_alias()]
    key = _key(limit, ident, time.time())
    cache.add(key, 0, timeout=limit.window + 5)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window + 5)
        n = 1
    return n <= limit.count


def exhausted(limit: Limit, ident: str) -> bool:
    """True if `ident` has used up the limit in this window (without counting a request)."""
    return (caches[cache_alias()].get(_key(limit, ident, time.time())) or 0) >= limit.count
