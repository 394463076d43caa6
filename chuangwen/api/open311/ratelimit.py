"""Anti-automation for the public endpoints (checklist D8): fixed-window counters per client
address in Django's cache.  Posting has its own per-key hourly limit counted in the database
(services._check_rate), which every worker shares whatever the cache is."""

import time

from django.core.cache import caches

# Reads per client address per minute (a 1000-request page is the heaviest read).
READS_PER_MINUTE = 120
# POSTs per client address per minute, before the key is even looked at.
POSTS_PER_MINUTE = 60
# Refused keys per client address per 10 minutes: guessing keys stops here.
KEY_FAILURES_PER_WINDOW = 10
KEY_FAILURE_WINDOW = 600


def _bucket(name: str, window: int) -> str:
    return f"open311:{name}:{int(time.time() // window)}"


def _count(name: str, window: int) -> int:
    cache = caches["default"]
    key = _bucket(name, window)
    cache.add(key, 0, window + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        return 1


def allow(kind: str, ip: str) -> bool:
    """Count one request of `kind` ("read" or "post") from `ip`; False once over the limit."""
    limit = READS_PER_MINUTE if kind == "read" else POSTS_PER_MINUTE
    return _count(f"{kind}:{ip}", 60) <= limit


def key_failures_exceeded(ip: str) -> bool:
    cache = caches["default"]
    return (cache.get(_bucket(f"keyfail:{ip}", KEY_FAILURE_WINDOW)) or 0) >= KEY_FAILURES_PER_WINDOW


def key_failed(ip: str) -> None:
    _count(f"keyfail:{ip}", KEY_FAILURE_WINDOW)
