"""Backup and restore (checklist G4), on a SQLite file database and on PostgreSQL.

Every installation here is a throw-away one (see installs.py) driven through the console
command, so the test database of this run is never touched.
"""

import io
import json
import shutil
import subprocess
import sys
import tarfile
import time

import pytest

from chuangwen.lib.pi.keys import fingerprint_of

from .installs import ROOT, SETUP, VENDORS, Install


@pytest.fixture(scope="module", params=VENDORS)
def vendor(request):
    return request.param


@pytest.fixture(scope="module")
def installs(vendor, tmp_path_factory):
    base, made = tmp_path_factory.mktemp(f"installs-{vendor}"), []

    def make(name: str, *, migrate=True, key_from=None) -> Install:
        install = Install(base, vendor, name)
        made.append(install)
        if key_from is not None:
            install.take_key_from(key_from)
        if migrate:
            install.run("migrate", "--verbosity", "0")
        return install

    yield make
    for install in made:
        install.drop()


def manifest_of(archive) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def restored_equals_source(before, dst, archive):
    manifest = manifest_of(archive)
    after = dst.inspect()
    for table, stat in manifest["tables"].items():
        if table not in ("audit_entry", "audit_head"):  # the restore itself is audited
            assert after["stats"][table] == stat, table
    assert after["stats"]["audit_entry"]["rows"] == manifest["row_counts"]["audit_entry"] + 1
    assert after["users"] == before["users"] and len(after["users"]) == 3
    assert after["units"] == before["units"] and len(after["units"]) == 2
    assert after["entries"] == before["entries"] and len(after["entries"]) == 3
    assert after["events"][-1] == "backup.restore" and before["events"][-1] == "backup.create"


# One test per database: every step needs the source installation, and each installation
# costs a few Django start-ups, so they share one (steps are the functions below).
def test_backup_and_restore(installs, tmp_path):
    src = installs("source")
    src.shell(SETUP)
    out = src.run("backup").stdout
    archive = next((src.var / "backups").glob("chuangwen-*.tar.gz"))
    assert str(archive) in out
    manifest = manifest_of(archive)
    assert manifest["row_counts"]["accounts_user"] == 13 and len(manifest["files"]) == 1
    assert manifest["audit_head"]["seq"] == manifest["row_counts"]["audit_entry"]
    pi_key = bytes.fromhex((src.var / "pi.key").read_text())
    assert manifest["pi_key_fingerprint"] == fingerprint_of(pi_key)
    assert manifest["pi_old_key_fingerprints"] == []
    before = src.inspect()

    # Into an installation without tables (SQLite: no database file at all).
    dst = installs("bare", migrate=False, key_from=src)
    out = dst.run("restore", str(archive)).stdout
    assert "恢复完成" in out and "审计链完整" in out
    restored_equals_source(before, dst, archive)
    photo = "reports/2026/整改照片.jpg"
    assert (dst.var / "files" / photo).read_bytes() == (src.var / "files" / photo).read_bytes()
    if dst.vendor == "sqlite":
        assert not list(dst.var.glob("chuangwen.sqlite3-*"))  # no stale -wal/-shm
        assert not list(dst.var.glob(".chuangwen.sqlite3*"))  # no staged copy left behind

    # Not into a database that holds data.
    done = src.run("restore", str(archive), check=False)
    assert done.returncode != 0 and "不是空的" in done.stderr

    # Not with another audit key.
    other = installs("otherkey", migrate=False)
    done = other.run("restore", str(archive), check=False)
    assert done.returncode != 0
    assert "审计密钥与备份时不一致" in done.stderr and "审计密钥文件放回" in done.stderr
    assert not (other.var / "files").exists()

    # Not with another personal-information key (the audit key is the right one).
    other_pi = installs("otherpikey", migrate=False)
    shutil.copy2(src.var / "audit.key", other_pi.var / "audit.key")
    done = other_pi.run("restore", str(archive), check=False)
    assert done.returncode != 0
    assert "个人信息密钥与备份时不一致" in done.stderr and "CHUANGWEN_PI_KEY_FILE" in done.stderr
    assert not (other_pi.var / "files").exists()

    refuses_tampered_corrupt_and_unsafe_archives(src, archive, installs("refusals", migrate=False, key_from=src),
                                                 tmp_path)
    backup_while_a_writer_runs(src, installs)


def _rewrite(archive, dest, *, change=None, extra=()):
    """Copy an archive member by member, letting `change(name, data)` alter a member's bytes,
    and append `extra` members (TarInfo, bytes)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if data is not None and change:
                data = change(member.name, data)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
        for info, data in extra:
            out.addfile(info, io.BytesIO(data) if data is not None else None)
    return dest


def _member(name, data=b"x", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def refuses_tampered_corrupt_and_unsafe_archives(src, archive, dst, tmp_path):
    db_name = manifest_of(archive)["database_file"]

    def flip(name, data):
        if name == db_name:
            middle = len(data) // 2
            return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        return data

    def more_rows(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["row_counts"]["accounts_user"] += 1
        return json.dumps(manifest).encode()

    def other_photo(name, data):
        return b"forged" if name.startswith("files/") else data

    bad = {
        "database": (_rewrite(archive, tmp_path / "db.tar.gz", change=flip), "数据库文件校验失败"),
        "manifest": (_rewrite(archive, tmp_path / "mf.tar.gz", change=more_rows), "签名不符"),
        "file": (_rewrite(archive, tmp_path / "file.tar.gz", change=other_photo), "校验失败"),
        "dotdot": (_rewrite(archive, tmp_path / "dd.tar.gz", extra=[_member("files/../../evil.txt")]), "不安全"),
        "absolute": (_rewrite(archive, tmp_path / "abs.tar.gz", extra=[_member("/tmp/evil.txt")]), "不安全"),
        "symlink": (
            _rewrite(archive, tmp_path / "ln.tar.gz", extra=[_member("files/ln", kind=tarfile.SYMTYPE, link="/etc")]),
            "链接",
        ),
        "unlisted": (_rewrite(archive, tmp_path / "ex.tar.gz", extra=[_member("files/extra.txt")]), "与清单不符"),
    }
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    bad["truncated"] = (truncated, "损坏")
    # One process tries them all (a restore per archive would start Django each time).
    code = (
        "import json, sys\n"
        "from chuangwen.backup.archive import BackupError, restore_backup\n"
        "errors = {}\n"
        f"for name, path in {({k: str(v[0]) for k, v in bad.items()})!r}.items():\n"
        "    try:\n"
        "        restore_backup(path)\n"
        "        errors[name] = None\n"
        "    except BackupError as exc:\n"
        "        errors[name] = str(exc)\n"
        "print(json.dumps(errors, ensure_ascii=False))\n"
    )
    errors = json.loads(dst.shell(code).strip().splitlines()[-1])
    for name, (_, expected) in bad.items():
        assert errors[name] and expected in errors[name], (name, errors[name])
    assert not (dst.var / "evil.txt").exists() and not (dst.var.parent / "evil.txt").exists()
    assert not (dst.var / "files").exists()


# --- a backup taken while someone writes ------------------------------------------------------------

WRITER = """
import sys, time
from chuangwen.audit.log import record
from chuangwen.org import services
from chuangwen.org.models import Unit, UnitKind
city = Unit.objects.get(code="C000")
print("writing", flush=True)
i = 0
while True:
    i += 1
    services.unit_create(code=f"W{i:05d}", name=f"写入单位{i}", kind=UnitKind.CITY_DEPT, parent=city)
    record("test.write", object_repr=str(i))
"""


def backup_while_a_writer_runs(src, installs):
    writer = subprocess.Popen(
        [sys.executable, "-m", "chuangwen", "shell", "--no-imports", "-c", WRITER],
        cwd=ROOT, env=src.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(0.5)
        src.run("backup", "--output", str(src.var / "busy.tar.gz"))
        time.sleep(0.3)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    archive = src.var / "busy.tar.gz"
    manifest = manifest_of(archive)
    final = src.inspect()["stats"]
    # The writer was running before the backup and went on after it.
    assert 12 < manifest["row_counts"]["org_unit"] < final["org_unit"]["rows"]
    assert manifest["audit_head"]["seq"] == manifest["row_counts"]["audit_entry"]
    dst = installs("busy-restored", key_from=src)
    # Into a freshly migrated installation; the restore compares every table's rows and
    # checksum with the manifest and verifies the chain.
    out = dst.run("restore", str(archive)).stdout
    assert "恢复完成" in out and "审计链完整" in out
