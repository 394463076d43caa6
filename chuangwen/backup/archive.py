"""One-file backups: the database, uploaded files and the audit chain head, with a manifest.

    chuangwen-<time>.tar.gz
      manifest.json        vendor, per-table row counts and SHA-256, audit head, audit and
                           personal-information key fingerprints, file checksums; signed with
                           the audit key
      database.sqlite3     SQLite online backup (consistent while writers run), or
      database.pgdump      pg_dump custom format (from the snapshot the statistics come from)
      files/...            uploaded files (MEDIA_ROOT)
      audit-archive/...    audit archive files written by `chuangwen audit archive`

The audit key is deliberately not in the archive: whoever holds a backup must not be able to
re-sign a forged chain.  Neither is the personal-information key: a stolen backup must not
reveal citizens' phones and names.  Keep both key files in a separate safe place; restore checks
their fingerprints against the manifest (and the manifest's signature with the audit key).

A restore checks everything it can before it touches the database: member names (no absolute
paths, no `..`, no links), the manifest signature, the key, every checksum, that the database is
empty.  Then it replaces the database, compares every table's row count and SHA-256 with the
manifest and verifies the audit chain.
"""

import hashlib
import hmac
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone

from chuangwen.audit.chain import key, key_fingerprint, verify
from chuangwen.audit.log import record
from chuangwen.audit.models import Head
from chuangwen.audit.retention import archive_dir
from chuangwen.lib.pi import keys as pi_keys

from . import snapshot

FORMAT = 3
# Format 2 predates encrypted personal information: it names no PI key and holds no ciphertext.
READABLE_FORMATS = {2, FORMAT}
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
TOP_LEVEL = {"manifest.json", *DB_FILES.values(), "files", "audit-archive"}


class BackupError(Exception):
    pass


def backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sign(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key(), b"chuangwen-backup:" + data, hashlib.sha256).hexdigest()


def _pi_fingerprints() -> list[str]:
    try:
        return pi_keys.fingerprints()
    except ImproperlyConfigured as exc:
        raise BackupError(f"个人信息密钥无法读取:{exc}") from exc


def _regular_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _dump(tmpdir: Path) -> tuple[str, dict, dict]:
    name = DB_FILES.get(connection.vendor)
    if name is None:
        raise BackupError(f"不支持的数据库类型:{connection.vendor}")
    dump = snapshot.sqlite_dump if connection.vendor == "sqlite" else snapshot.pg_dump
    try:
        stats, head = dump(tmpdir / name)
    except snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from exc
    return name, stats, head


def create_backup(*, output: Path | None = None, actor=None) -> Path:
    """Write one archive and record the backup in the audit log; returns the archive path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    output = Path(output) if output else backup_dir() / f"chuangwen-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    media, audit_archive = Path(settings.MEDIA_ROOT), archive_dir()
    with tempfile.TemporaryDirectory(prefix="cw-backup-") as tmp:
        tmpdir = Path(tmp)
        pi_fingerprints = _pi_fingerprints()
        db_file, stats, head = _dump(tmpdir)
        files = _regular_files(media)
        archives = [p for p in _regular_files(audit_archive) if p.name.endswith(".jsonl.gz")]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database_file": db_file,
            "database_sha256": _sha256(tmpdir / db_file),
            "tables": stats,
            "row_counts": {t: s["rows"] for t, s in stats.items()},
            "audit_head": head,
            "audit_key_fingerprint": key_fingerprint(),
            # Names of the keys the rows may be encrypted with (never the keys themselves).
            "pi_key_fingerprint": pi_fingerprints[0],
            "pi_old_key_fingerprints": pi_fingerprints[1:],
            "files": {p.relative_to(media).as_posix(): _sha256(p) for p in files},
            "audit_archive": {p.relative_to(audit_archive).as_posix(): _sha256(p) for p in archives},
        }
        manifest["signature"] = _sign(manifest)
        (tmpdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(tmpdir / "manifest.json", arcname="manifest.json")
                tar.add(tmpdir / db_file, arcname=db_file)
                for p in files:
                    tar.add(p, arcname=f"files/{p.relative_to(media).as_posix()}")
                for p in archives:
                    tar.add(p, arcname=f"audit-archive/{p.relative_to(audit_archive).as_posix()}")
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(output)
    record("backup.create", actor=actor, actor_name="" if actor else "命令行", object_type="backup",
           object_id=output.name[:64], object_repr=output.name,
           changes={"audit_seq": [None, head["seq"]], "sha256": [None, _sha256(output)]})
    return output


# --- reading and checking an archive ---------------------------------------------------------


def _check_member(member: tarfile.TarInfo) -> None:
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or not parts or ":" in parts[0]:
        raise BackupError(f"备份文件中含有不安全的路径:{name!r},已拒绝。")
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"备份文件中含有链接或特殊文件:{name!r},已拒绝。")
    if parts[0] not in TOP_LEVEL:
        raise BackupError(f"备份文件中含有未知内容:{name!r},已拒绝。")


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"备份文件已损坏或不是备份文件:{exc}") from exc


def read_manifest(archive: Path) -> dict:
    with _open(archive) as tar:
        try:
            return json.loads(tar.extractfile(tar.getmember("manifest.json")).read().decode())
        except (KeyError, ValueError, tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"备份文件缺少或损坏了清单(manifest.json):{exc}") from exc


def _extract(archive: Path, dest: Path) -> dict:
    """Check every member name, extract, check the manifest and every checksum."""
    try:
        with _open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member)
            tar.extractall(dest, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"备份文件已损坏,无法解开:{exc}") from exc
    try:
        manifest = json.loads((dest / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"备份文件缺少或损坏了清单(manifest.json):{exc}") from exc
    if manifest.get("format") not in READABLE_FORMATS:
        raise BackupError("备份文件格式不受支持。")
    if manifest.get("audit_key_fingerprint") != key_fingerprint():
        raise BackupError(
            "审计密钥与备份时不一致(密钥指纹不符):请先把备份时使用的审计密钥文件放回原处"
            "(默认 var/audit.key,或 CHUANGWEN_AUDIT_KEY_FILE 指定的位置),再执行恢复。"
        )
    if not hmac.compare_digest(str(manifest.get("signature", "")), _sign(manifest)):
        raise BackupError("备份清单的签名不符:清单已被改动,文件可能已损坏或被篡改。")
    _check_pi_keys(manifest)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库,当前为 {connection.vendor},不能直接恢复。")
    db_file = dest / manifest["database_file"]
    if manifest["database_file"] != DB_FILES[connection.vendor] or not db_file.is_file():
        raise BackupError("备份文件中没有数据库文件。")
    if _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError("备份中的数据库文件校验失败(SHA-256 不符),文件可能已损坏或被篡改。")
    for folder, listed in (("files", manifest["files"]), ("audit-archive", manifest["audit_archive"])):
        present = {p.relative_to(dest / folder).as_posix() for p in _regular_files(dest / folder)}
        if present != set(listed):
            raise BackupError(f"备份中的 {folder} 与清单不符:多出或缺少文件。")
        for rel, digest in listed.items():
            if _sha256(dest / folder / rel) != digest:
                raise BackupError(f"备份中的文件 {folder}/{rel} 校验失败(SHA-256 不符)。")
    return manifest


def _check_pi_keys(manifest: dict) -> None:
    """Every key the backed-up rows may be encrypted with must be configured here (as the
    current key or an old one): otherwise the restore would succeed and the rows be unreadable."""
    if manifest["format"] < 3:
        return
    wanted = [manifest.get("pi_key_fingerprint"), *(manifest.get("pi_old_key_fingerprints") or [])]
    present = set(_pi_fingerprints())
    missing = [str(f) for f in wanted if f not in present]
    if missing:
        raise BackupError(
            "个人信息密钥与备份时不一致(密钥指纹不符:" + "、".join(missing) + "):请先把备份时使用的"
            "个人信息密钥文件放回原处(默认 var/pi.key,或 CHUANGWEN_PI_KEY_FILE 指定的位置;轮换前的旧密钥"
            "列入 CHUANGWEN_PI_OLD_KEY_FILES),再执行恢复。"
        )


def _database_is_empty() -> bool:
    from chuangwen.accounts.models import User
    from chuangwen.audit.models import Entry

    tables = set(connection.introspection.table_names())
    checks = [(User, User._meta.db_table), (Entry, Entry._meta.db_table), (Head, Head._meta.db_table)]
    return not any(table in tables and model.objects.exists() for model, table in checks)


def _copy_tree(src: Path, dest: Path) -> None:
    for path in _regular_files(src):
        target = dest / path.relative_to(src)
        if target.exists() and _sha256(target) != _sha256(path):
            raise BackupError(f"目标位置已有不同的文件 {target},未覆盖。")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def restore_backup(archive: Path, *, actor_name: str = "") -> dict:
    """Bring an archive back into an empty installation and prove it: every table's row count
    and checksum as at the backup, the audit chain verifies and ends at the recorded head."""
    archive = Path(archive)
    db = connections["default"].settings_dict
    with tempfile.TemporaryDirectory(prefix="cw-restore-") as tmp:
        tmpdir = Path(tmp)
        manifest = _extract(archive, tmpdir)
        if not _database_is_empty():
            raise BackupError("当前数据库不是空的(已有用户或审计记录):只能恢复到全新安装中。")
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            raise BackupError("内存数据库不能作为恢复目标。")
        connections.close_all()
        try:
            if connection.vendor == "sqlite":
                snapshot.sqlite_replace(tmpdir / manifest["database_file"], Path(db["NAME"]))
            else:
                snapshot.pg_replace(tmpdir / manifest["database_file"])
        except snapshot.SnapshotError as exc:
            raise BackupError(str(exc)) from exc
        connections.close_all()
        try:
            if connection.vendor == "sqlite":
                stats, head = snapshot.sqlite_inspect(Path(db["NAME"]))
            else:
                stats, head = snapshot.pg_inspect()
        except snapshot.SnapshotError as exc:
            raise BackupError(str(exc)) from exc
        diffs = {
            t: {"backup": s, "restored": stats.get(t)} for t, s in manifest["tables"].items() if stats.get(t) != s
        }
        result = verify()
        report = {
            "tables": len(stats),
            "rows": sum(s["rows"] for s in stats.values()),
            "differences": diffs,
            "audit_ok": result.ok,
            "audit_checked": result.checked,
            "audit_problem": result.problem,
            "audit_head_matches": head == manifest["audit_head"],
            "files": len(manifest["files"]),
            "audit_archive_files": len(manifest["audit_archive"]),
        }
        if diffs or not result.ok or not report["audit_head_matches"]:
            raise BackupError(f"恢复后校验未通过:{report}")
        _copy_tree(tmpdir / "files", Path(settings.MEDIA_ROOT))
        _copy_tree(tmpdir / "audit-archive", archive_dir())
    record("backup.restore", object_type="backup", object_id=archive.name[:64], object_repr=archive.name,
           actor_name=actor_name or "命令行",
           changes={"audit_seq": [None, manifest["audit_head"]["seq"]], "backup_created_at":
                    [None, manifest["created_at"]], "rows": [None, report["rows"]]})
    return report
