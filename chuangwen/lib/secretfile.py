"""Secrets kept in files under var/ (Django's secret key, the audit key).

Imported by settings.py, so it must not import Django settings or models.
"""

import os
import secrets
from pathlib import Path


def read_or_create(path: Path, nbytes: int) -> str:
    """The hex secret in `path`, created (mode 0600) with `nbytes` random bytes if missing.

    The new secret is written to a private file and linked into place: the link fails if another
    worker got there first, and no worker ever reads a half-written (empty) file.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(nbytes) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker created it first
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
