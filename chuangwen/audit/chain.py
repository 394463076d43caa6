"""The keyed hash chain: canonical form, MAC, key handling and verification."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chuangwen.lib.secretfile import read_or_create

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "event", "outcome", "actor_id", "actor_name", "actor_role", "actor_unit",
    "ip", "request_id", "object_type", "object_id", "object_repr", "changes", "prev_mac",
)
KEY_BYTES = 32


@cache
def _key_for(path: str) -> bytes:
    p = Path(path)
    value = bytes.fromhex(read_or_create(p, KEY_BYTES))
    if len(value) < KEY_BYTES:
        # An empty or short key would let anyone recompute the MACs.
        raise ImproperlyConfigured(f"The audit key in {p} is missing or shorter than {KEY_BYTES} bytes.")
    return value


def key() -> bytes:
    return _key_for(str(settings.AUDIT_KEY_FILE))


def key_fingerprint() -> str:
    """Names the key without revealing it (recorded in backups)."""
    return hashlib.sha256(b"chuangwen-audit-key:" + key()).hexdigest()[:16]


def canonical(entry) -> bytes:
    data = {name: getattr(entry, name) for name in CHAINED_FIELDS}
    # Microsecond UTC so the text is the same whichever database returned the value.
    data["at"] = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_mac(entry) -> str:
    return hmac.new(key(), canonical(entry), hashlib.sha256).hexdigest()


def archive_seal(seq: int, mac: str) -> str:
    """MAC over the head's archive marker: only the key holder can say where the chain starts."""
    return hmac.new(key(), f"chuangwen-audit-archive:{seq}:{mac}".encode(), hashlib.sha256).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify(*, batch: int = 2000) -> VerifyResult:
    """Walk the chain in order and report the first entry that breaks it.

    Entries moved out by `chuangwen audit archive` are checked with `retention.verify_archive`;
    the walk here starts where the archive ends.

    Catches: an edited entry (its MAC no longer matches), a deleted one (a gap in the numbers
    and a broken link), one inserted out of band (no valid MAC without the key), and the newest
    entries removed (the log ends before the head says it should).
    """
    from .models import Entry, Head

    head = Head.objects.filter(pk=1).first()
    # After `chuangwen audit archive` the chain starts after the last archived entry, at the
    # place the head's sealed archive marker names.
    start, prev_mac = 0, GENESIS
    if head and (head.archived_seq or head.archive_seal):
        if not hmac.compare_digest(head.archive_seal, archive_seal(head.archived_seq, head.archived_mac)):
            return VerifyResult(False, 0, "链头的归档标记被改动(校验码不符)", head.archived_seq + 1)
        start, prev_mac = head.archived_seq, head.archived_mac
    expected, checked, last_seq = start + 1, 0, start
    first = Entry.objects.order_by("seq").values_list("seq", flat=True).first()
    if first is not None and first < expected:
        return VerifyResult(False, 0, f"第 {first} 条记录已归档,却又出现在日志中(库外插入)", first)
    if first is not None and first != expected:
        return VerifyResult(False, 0, f"第 {expected} 至 {first - 1} 条记录缺失(被删除)", expected)
    qs = Entry.objects.order_by("seq")
    while True:
        rows = list(qs.filter(seq__gte=expected)[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected:
                return VerifyResult(
                    False, checked, f"第 {expected} 条记录缺失(被删除),链在第 {entry.seq} 条处断开", expected
                )
            if entry.prev_mac != prev_mac:
                return VerifyResult(False, checked, f"第 {entry.seq} 条记录与前一条的链接不符(插入或替换)", entry.seq)
            if not hmac.compare_digest(entry.mac, compute_mac(entry)):
                return VerifyResult(False, checked, f"第 {entry.seq} 条记录的内容被改动(校验码不符)", entry.seq)
            prev_mac, expected, last_seq = entry.mac, expected + 1, entry.seq
            checked += 1
    head_seq = head.seq if head else 0
    head_mac = head.mac if head else GENESIS
    if head_seq > last_seq:
        return VerifyResult(
            False, checked, f"链头记录到第 {head_seq} 条,但日志只到第 {last_seq} 条:最新的记录被删除", last_seq + 1
        )
    if head_seq < last_seq:
        return VerifyResult(False, checked, f"第 {head_seq + 1} 条起的记录不在链头之内(库外插入)", head_seq + 1)
    if head_mac != prev_mac:
        return VerifyResult(False, checked, f"第 {last_seq} 条记录与链头不符", last_seq)
    return VerifyResult(True, checked)
