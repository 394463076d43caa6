"""One-file backups: the database, uploaded files and the audit chain head, with a manifest.

    chuangwen-<time>.tar.gz
      manifest.json        what is inside, row counts, audit head, key fingerprint, checksums
      database.sqlite3     SQLite online backup (consistent while writers run), or
      database.pgdump      pg_dump custom format
      files/...            uploaded files (MEDIA_ROOT)

The audit key is deliberately not in the archive: whoever holds a backup must not be able to
re-sign a forged chain.  Keep the key file in a separate safe place; restore checks its
fingerprint against the manifest.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from chuangwen.audit.chain import key_fingerprint, verify
from chuangwen.audit.log import record
from chuangwen.audit.models import Head

FORMAT = 1


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


def _pg_env(db: dict) -> tuple[list[str], dict]:
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args, env


def row_counts() -> dict[str, int]:
    """Rows per table of our models (what a restore must bring back)."""
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def _dump_database(dest: Path) -> str:
    db = connections["default"].settings_dict
    if connection.vendor == "sqlite":
        target = dest / "database.sqlite3"
        src = sqlite3.connect(str(db["NAME"]))
        try:
            out = sqlite3.connect(str(target))
            with out:
                src.backup(out)  # online backup API: a consistent copy while others write
            out.close()
        finally:
            src.close()
        return target.name
    if connection.vendor == "postgresql":
        target = dest / "database.pgdump"
        args, env = _pg_env(db)
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(target), db["NAME"]],
                       check=True, env=env, capture_output=True)
        return target.name
    raise BackupError(f"不支持的数据库类型:{connection.vendor}")


def create_backup(*, output: Path | None = None, actor=None) -> Path:
    """Write one archive and record the backup in the audit log; returns the archive path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    output = Path(output) if output else backup_dir() / f"chuangwen-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    head = Head.objects.filter(pk=1).first()
    with tempfile.TemporaryDirectory(prefix="cw-backup-") as tmp:
        tmpdir = Path(tmp)
        db_file = _dump_database(tmpdir)
        media = Path(settings.MEDIA_ROOT)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database_file": db_file,
            "database_sha256": _sha256(tmpdir / db_file),
            "row_counts": row_counts(),
            "audit_head": {"seq": head.seq if head else 0, "mac": head.mac if head else ""},
            "audit_key_fingerprint": key_fingerprint(),
            "files": {str(p.relative_to(media)): _sha256(p) for p in files},
        }
        partial = output.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(tmpdir / db_file, arcname=db_file)
            for p in files:
                tar.add(p, arcname=f"files/{p.relative_to(media)}")
        os.chmod(partial, 0o600)
        partial.replace(output)
    record("backup.create", actor=actor, object_type="backup", object_id=output.name, object_repr=output.name,
           changes={"audit_seq": [None, manifest["audit_head"]["seq"]], "sha256": [None, _sha256(output)]})
    return output


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.getmember("manifest.json")
        return json.loads(tar.extractfile(member).read().decode())


def _database_is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    ours = {m._meta.db_table for m in apps.get_models() if m._meta.managed}
    present = tables & ours
    if not present:
        return True
    from chuangwen.accounts.models import User
    from chuangwen.audit.models import Entry

    return not User.objects.exists() and not Entry.objects.exists()


def restore_backup(archive: Path, *, actor_name: str = "") -> dict:
    """Bring an archive back into an empty installation and prove it: same row counts, the
    audit chain verifies and ends at the head the manifest recorded."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError("备份文件格式不受支持。")
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库,当前为 {connection.vendor},不能直接恢复。")
    if manifest["audit_key_fingerprint"] != key_fingerprint():
        raise BackupError("审计密钥与备份时不一致:请先把原审计密钥文件放回(CHUANGWEN_AUDIT_KEY_FILE)。")
    if not _database_is_empty():
        raise BackupError("当前数据库不是空的:只能恢复到全新安装中。")
    db = connections["default"].settings_dict
    with tempfile.TemporaryDirectory(prefix="cw-restore-") as tmp:
        tmpdir = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(tmpdir, filter="data")  # "data" filter refuses absolute paths and ../
        db_file = tmpdir / manifest["database_file"]
        if _sha256(db_file) != manifest["database_sha256"]:
            raise BackupError("备份中的数据库文件校验失败,文件可能已损坏。")
        connection.close()
        if connection.vendor == "sqlite":
            target = Path(db["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            src = sqlite3.connect(str(db_file))
            dst = sqlite3.connect(str(target))
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            args, env = _pg_env(db)
            # Drop whatever an empty installation's migrate created, then load the dump.
            subprocess.run(["psql", *args, "-d", db["NAME"], "-v", "ON_ERROR_STOP=1", "-c",
                            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
                           check=True, env=env, capture_output=True)
            subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
                            "-d", db["NAME"], str(db_file)], check=True, env=env, capture_output=True)
        media = Path(settings.MEDIA_ROOT)
        files_dir = tmpdir / "files"
        for rel, digest in manifest["files"].items():
            src_file = files_dir / rel
            if _sha256(src_file) != digest:
                raise BackupError(f"附件 {rel} 校验失败。")
            dest = media / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src_file, dest)
    connection.close()
    counts = row_counts()
    diffs = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    result = verify()
    head = Head.objects.filter(pk=1).first()
    report = {
        "row_count_differences": diffs,
        "audit_ok": result.ok,
        "audit_problem": result.problem,
        "audit_head_matches": bool(head and head.seq == manifest["audit_head"]["seq"]),
        "files": len(manifest["files"]),
    }
    if diffs or not result.ok or not report["audit_head_matches"]:
        raise BackupError(f"恢复后校验未通过:{report}")
    record("backup.restore", object_type="backup", object_id=archive.name, object_repr=archive.name,
           actor_name=actor_name or "命令行", changes={"audit_seq": [None, manifest["audit_head"]["seq"]]})
    return report
