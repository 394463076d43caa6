"""The personal-information key and backups, in process: the manifest names the keys, the
archive holds neither key, a restore without the right keys is refused before anything changes.
The full backup-and-restore round trip through the console is test_backup.py.

Transactional: SQLite's online backup cannot copy a database while the test's own transaction
holds it open.
"""

import tarfile

import pytest

from chuangwen.backup.archive import BackupError, _extract, create_backup, read_manifest, restore_backup
from chuangwen.lib.pi import encrypt, fingerprint
from chuangwen.lib.pi.keys import fingerprint_of
from chuangwen.lib.secretfile import read_or_create

@pytest.fixture
def keys(transactional_db, settings, tmp_path):
    settings.PI_KEY_FILE = tmp_path / "keys" / "pi.key"
    settings.PI_OLD_KEY_FILES = [tmp_path / "keys" / "pi-old.key"]
    read_or_create(settings.PI_OLD_KEY_FILES[0], 32)
    encrypt("13812345678")  # creates the current key
    return settings


def _key_hex(path) -> str:
    return path.read_text().strip()


def _fingerprint(path) -> str:
    return fingerprint_of(bytes.fromhex(_key_hex(path)))


def test_the_manifest_names_every_pi_key_and_the_archive_holds_none(keys, tmp_path):
    archive = create_backup(output=tmp_path / "b.tar.gz")
    manifest = read_manifest(archive)
    assert manifest["pi_key_fingerprint"] == fingerprint() == _fingerprint(keys.PI_KEY_FILE)
    assert manifest["pi_old_key_fingerprints"] == [_fingerprint(keys.PI_OLD_KEY_FILES[0])]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        content = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert not any(name.endswith(".key") for name in names)
    for path in (keys.PI_KEY_FILE, keys.PI_OLD_KEY_FILES[0]):
        assert _key_hex(path).encode() not in content and bytes.fromhex(_key_hex(path)) not in content


def test_restore_is_refused_without_the_keys_of_the_backup(keys, tmp_path):
    archive = create_backup(output=tmp_path / "b.tar.gz")
    current, old = keys.PI_KEY_FILE, keys.PI_OLD_KEY_FILES[0]

    keys.PI_KEY_FILE = tmp_path / "elsewhere" / "pi.key"  # a new installation's own key
    with pytest.raises(BackupError, match="个人信息密钥与备份时不一致") as exc:
        restore_backup(archive)
    assert "CHUANGWEN_PI_KEY_FILE" in str(exc.value) and _fingerprint(current) in str(exc.value)

    keys.PI_KEY_FILE, keys.PI_OLD_KEY_FILES = current, []  # the old key dropped too early
    with pytest.raises(BackupError, match="个人信息密钥与备份时不一致"):
        restore_backup(archive)

    # Rotated since the backup: the backup's keys are now old keys, which is enough (every
    # check of the archive passes; the test database itself is never replaced).
    keys.PI_KEY_FILE = tmp_path / "rotated" / "pi.key"
    keys.PI_OLD_KEY_FILES = [current, old]
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    assert _extract(archive, unpacked)["pi_key_fingerprint"] == _fingerprint(current)
