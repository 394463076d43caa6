"""The demo's Open311 key: one key for the city's 12345 hotline, its plaintext written into the
demo accounts file as `open311 client <key>` (the file's `role username password` shape).

Idempotent: while the line in the file names a usable key, nothing happens.  The plaintext is
only known when a key is issued, so if the line is gone (the file was rewritten, for example by
`load_demo --reset-passwords`) or its key no longer works, the old demo key is revoked and a new
one issued and written: the file always holds one working key, the database one usable demo key.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from chuangwen.accounts.models import User
from chuangwen.org.demo.accounts import accounts_path

from .models import Open311Key
from .services import key_authenticate, key_issue, key_revoke

ROLE, USERNAME = "open311", "client"
COMMENT = "# Open311 接口(/open311/v2/,见 docs/open311.md):上报时以表单字段 api_key 提交第 3 列的密钥。"
# Who issues it: the demo's security administrator (keys are theirs to manage).
ISSUER = "secadmin"


def client_name() -> str:
    return f"{settings.CITY_NAME}12345热线"


def _file_key(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[:2] == [ROLE, USERNAME]:
            return fields[2]
    return None


def _write_line(path: Path, plaintext: str) -> None:
    """Replace the file's Open311 lines with the new one, atomically and readable by its owner
    only (like chuangwen.org.demo.accounts.write_accounts)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    lines = [ln for ln in lines if ln != COMMENT and ln.split()[:2] != [ROLE, USERNAME]]
    lines += [COMMENT, f"{ROLE} {USERNAME} {plaintext}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".demo-accounts-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def ensure_demo_key() -> str:
    """"present" (nothing done), "issued" (first time), "reissued" (line lost or key unusable) or
    "skipped" (no demo security administrator: the demo city is not loaded)."""
    path = accounts_path()
    raw = _file_key(path)
    if raw and key_authenticate(raw, touch=False) is not None:
        return "present"
    actor = User.objects.filter(username=ISSUER, is_active=True).first()
    if actor is None:
        return "skipped"
    name = client_name()
    with transaction.atomic():
        old = list(Open311Key.objects.usable().filter(name=name))
        for key in old:
            key_revoke(key=key, actor=actor)
        _, plaintext = key_issue(name=name, days=365, actor=actor)
        # Written inside the transaction: a failed write issues nothing.
        _write_line(path, plaintext)
    return "reissued" if old or raw else "issued"
