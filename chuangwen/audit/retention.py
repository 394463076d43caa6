"""Audit retention: move the oldest entries into a verifiable archive file, then delete them.

Entries are kept at least MIN_DAYS (180) days; personal-data access ("pi.unmask", "pi.export")
at least LONG_DAYS (3 years).  What is archived is always a contiguous prefix of the chain, so
the archive run stops at the first entry that must stay.

    var/audit-archive/audit-<from>-<to>-<time>.jsonl.gz
      line 1     {"type": "header", "from_seq", "to_seq", "prev_mac", "key_fingerprint", ...}
      line 2...  one entry per line: every chained field plus its MAC

The file holds the entries' full chained content, so `verify_archive` (and
`chuangwen audit archive --verify FILE`) re-checks every MAC and link with the audit key.
Deletion happens only after the file is written and synced, in one transaction that opens the
append-only trigger for exactly these entries (a permit row), moves the head's sealed archive
marker and records `audit.archive` with the range and the file's SHA-256.
"""

import gzip
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .chain import CHAINED_FIELDS, GENESIS, archive_seal, compute_mac, key_fingerprint
from .log import record
from .models import ArchivePermit, Entry, Head

MIN_DAYS = 180
DEFAULT_DAYS = 365
LONG_DAYS = 3 * 365 + 1  # three years, whichever of them is a leap year
LONG_KINDS = ("pi.unmask", "pi.export")
FORMAT = 1
_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class RetentionError(Exception):
    pass


@dataclass
class ArchiveResult:
    path: Path | None
    from_seq: int = 0
    to_seq: int = 0
    count: int = 0
    sha256: str = ""


def archive_dir() -> Path:
    return Path(getattr(settings, "AUDIT_ARCHIVE_DIR", None) or Path(settings.VAR_DIR) / "audit-archive")


def _entry_line(entry: Entry) -> dict:
    data = {name: getattr(entry, name) for name in CHAINED_FIELDS}
    data["at"] = entry.at.astimezone(UTC).strftime(_AT_FORMAT)
    data["mac"] = entry.mac
    return data


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archivable_upto(now: datetime, days: int) -> tuple[int, int]:
    """(first, last) number of the prefix that may be archived; last < first if none."""
    head = Head.objects.filter(pk=1).first()
    if head is None:
        return 1, 0
    start = head.archived_seq
    cutoff, long_cutoff = now - timedelta(days=days), now - timedelta(days=LONG_DAYS)
    blocker = (
        Entry.objects.filter(seq__gt=start)
        .filter(Q(at__gte=cutoff) | Q(event__in=LONG_KINDS, at__gte=long_cutoff))
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    last = blocker - 1 if blocker is not None else head.seq
    return start + 1, last


def _write_file(entries, *, first: int, last: int, prev_mac: str, path: Path) -> None:
    header = {
        "type": "header", "format": FORMAT, "from_seq": first, "to_seq": last, "prev_mac": prev_mac,
        "key_fingerprint": key_fingerprint(), "created_at": timezone.now().isoformat(),
    }
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(json.dumps(header, ensure_ascii=False, sort_keys=True).encode() + b"\n")
        for entry in entries:
            gz.write(json.dumps(_entry_line(entry), ensure_ascii=False, sort_keys=True).encode() + b"\n")
        gz.close()
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def archive(*, days: int = DEFAULT_DAYS, now: datetime | None = None, actor=None) -> ArchiveResult:
    """Archive the entries older than `days` days (at least MIN_DAYS) and delete them."""
    if days < MIN_DAYS:
        raise RetentionError(f"审计记录至少保存 {MIN_DAYS} 天,不能归档更新的记录(--older-than 不得小于 {MIN_DAYS})。")
    now = now or timezone.now()
    first, last = archivable_upto(now, days)
    if last < first:
        return ArchiveResult(None)
    head = Head.objects.get(pk=1)
    prev_mac = head.archived_mac if head.archived_seq else GENESIS
    directory = archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    path = directory / f"audit-{first:010d}-{last:010d}-{stamp}-{secrets.token_hex(3)}.jsonl.gz"
    entries = Entry.objects.filter(seq__gte=first, seq__lte=last).order_by("seq").iterator(chunk_size=2000)
    _write_file(entries, first=first, last=last, prev_mac=prev_mac, path=path)
    try:
        check = verify_archive(path)  # what is on disk is complete and verifies, before deleting
        if (check.from_seq, check.to_seq, check.prev_mac) != (first, last, prev_mac):
            raise RetentionError("归档文件内容与所选范围不符。")
        digest = _sha256(path)
        with transaction.atomic():
            head = Head.objects.select_for_update().get(pk=1)
            if head.archived_seq != first - 1:
                raise RetentionError("另一个归档任务同时在运行,本次未删除任何记录。")
            ArchivePermit.objects.create(id=1, upto=last)
            deleted, _ = Entry.objects.filter(seq__gte=first, seq__lte=last).delete()
            ArchivePermit.objects.filter(pk=1).delete()
            if deleted != last - first + 1:
                raise RetentionError(f"应删除 {last - first + 1} 条,实际 {deleted} 条;已回滚。")
            head.archived_seq, head.archived_mac = last, check.last_mac
            head.archive_seal = archive_seal(last, check.last_mac)
            head.save(update_fields=["archived_seq", "archived_mac", "archive_seal"])
            record(
                "audit.archive", actor=actor, actor_name="" if actor else "命令行", object_type="audit_archive",
                object_id=path.name[:64], object_repr=path.name,
                changes={"from_seq": [None, first], "to_seq": [None, last], "count": [None, deleted],
                         "older_than_days": [None, days], "sha256": [None, digest]},
            )
    except BaseException:
        path.unlink(missing_ok=True)  # nothing was deleted: the entries are still in the log
        raise
    return ArchiveResult(path, first, last, deleted, digest)


@dataclass
class ArchiveCheck:
    from_seq: int
    to_seq: int
    prev_mac: str
    last_mac: str
    count: int


def verify_archive(path: Path) -> ArchiveCheck:
    """Re-check every entry of an archive file with the audit key; raise RetentionError naming
    the first problem."""
    try:
        with gzip.open(path, "rb") as gz:
            lines = iter(gz)
            header = json.loads(next(lines))
            if header.get("type") != "header" or header.get("format") != FORMAT:
                raise RetentionError("不是审计归档文件,或格式不受支持。")
            if header["key_fingerprint"] != key_fingerprint():
                raise RetentionError("归档文件由另一把审计密钥签署:请使用原审计密钥文件。")
            prev_mac, expected, count = header["prev_mac"], header["from_seq"], 0
            for line in lines:
                data = json.loads(line)
                mac = data.pop("mac")
                entry = Entry(**{**data, "at": datetime.strptime(data["at"], _AT_FORMAT).replace(tzinfo=UTC)})
                if entry.seq != expected:
                    raise RetentionError(f"归档文件缺少第 {expected} 条记录。")
                if entry.prev_mac != prev_mac:
                    raise RetentionError(f"归档文件第 {entry.seq} 条记录与前一条的链接不符。")
                if not hmac.compare_digest(mac, compute_mac(entry)):
                    raise RetentionError(f"归档文件第 {entry.seq} 条记录的内容被改动(校验码不符)。")
                prev_mac, expected, count = mac, expected + 1, count + 1
    except (OSError, EOFError, ValueError, KeyError, TypeError, StopIteration) as exc:
        raise RetentionError(f"归档文件已损坏或不完整:{exc}") from exc
    if expected - 1 != header["to_seq"]:
        raise RetentionError(f"归档文件应到第 {header['to_seq']} 条,实际只到第 {expected - 1} 条。")
    return ArchiveCheck(header["from_seq"], header["to_seq"], header["prev_mac"], prev_mac, count)
