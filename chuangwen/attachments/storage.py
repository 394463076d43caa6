"""Blobs on disk: content-addressed files under MEDIA_ROOT/attachments/, outside the web root.

    MEDIA_ROOT/attachments/ab/cd/abcd…(64 hex)   one file per distinct content, mode 0640
    MEDIA_ROOT/attachments/tmp/                  files being written (renamed into place)

Nothing serves MEDIA_ROOT: no MEDIA_URL, no static route; the download view streams a blob
after the scope check.  A blob is written inside the owner's transaction, or staged just before
it (`services.photos_stage`, to keep the hashing and fsyncs out of the owner's locks) and checked
again under `lock_blob` inside it, rewritten if a remover took it meanwhile: either way the row
never points at a missing file.  A rollback leaves an unreferenced blob for `cleanup_orphans`.

Who may remove a blob races with who is about to reference it again (an identical upload).
`lock_blob` serialises the two: on SQLite every write transaction already holds the database
write lock from BEGIN (transaction_mode=IMMEDIATE), on PostgreSQL a transaction-scoped
advisory lock per blob does it.  Writers and removers take it inside their transaction, and
a remover re-checks for references after taking it.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

PREFIX = "attachments"
FILE_MODE = 0o640
DIR_MODE = 0o750
_BLOB_RE = re.compile(r"^attachments/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / PREFIX


def tmp_dir() -> Path:
    return root() / "tmp"


def blob_name(sha256: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def blob_path(blob: str) -> Path:
    """The absolute path of a stored blob name; refuses anything that is not one."""
    if not _BLOB_RE.match(blob or ""):
        raise ValueError(f"not a blob name: {blob!r}")
    return Path(settings.MEDIA_ROOT) / blob


def lock_blob(sha256: str) -> None:
    """Serialise writers and removers of one blob until the current transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(sha256[:15], 16)])


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(f) -> tuple[Path, str, int]:
    """Copy an uploaded file into tmp/, hashing as it goes; returns (temp path, sha256, size)."""
    tmp = tmp_dir()
    tmp.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(dir=tmp, prefix="up-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in f.chunks():
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, FILE_MODE)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), digest.hexdigest(), size


def commit_temp(temp: Path, sha256: str, size: int) -> str:
    """Move a written temp file to its content address (call holding `lock_blob`).  An
    identical blob already there is kept and the temp file dropped."""
    blob = blob_name(sha256)
    final = blob_path(blob)
    try:
        if final.is_file() and final.stat().st_size == size:
            temp.unlink(missing_ok=True)
            os.utime(final)  # fresh again for the orphan sweep's age test
            return blob
        final.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.replace(temp, final)
        _fsync_dir(final.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return blob


def remove(blob: str) -> bool:
    """Delete a blob file (call holding `lock_blob`, after checking nothing references it) and
    the folders it leaves empty."""
    path = blob_path(blob)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    for parent in (path.parent, path.parent.parent):
        try:
            parent.rmdir()
        except OSError:
            break
    return True


def iter_blobs():
    """(blob name, mtime) of every blob file on disk."""
    base = root()
    if not base.is_dir():
        return
    for path in base.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
        name = f"{PREFIX}/{path.relative_to(base).as_posix()}"
        if _BLOB_RE.match(name) and path.is_file():
            yield name, path.stat().st_mtime


def iter_temps():
    """(path, mtime) of the files left in tmp/ (a writer killed mid-copy)."""
    tmp = tmp_dir()
    if not tmp.is_dir():
        return
    for path in tmp.iterdir():
        if path.is_file():
            yield path, path.stat().st_mtime
