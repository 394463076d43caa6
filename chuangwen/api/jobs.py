"""Background entry points for the API (run by `run_jobs`, or `chuangwen expire_idempotency_keys`)."""

from django.utils import timezone

from .idempotency import TTL
from .models import IdempotencyRecord


def expire_idempotency_records(*, now=None) -> int:
    """Delete the answers kept for `Idempotency-Key` retries once they are 24 hours old; return how
    many.  Only housekeeping: the guard already treats an older row as absent."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted
