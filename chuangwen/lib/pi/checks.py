"""System checks for the personal-information keys (a bad key must stop the server before it
writes a row nobody can read back)."""

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .keys import fingerprint_of, read_key_file

HINT = "CHUANGWEN_PI_KEY_FILE names the current key (32 random bytes as hex; created on first use)."


def _check_file(path: Path, *, label: str, may_be_missing: bool) -> tuple[list, bytes | None]:
    if may_be_missing and not path.exists():
        folder = next((p for p in path.parents if p.exists()), None)
        if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return [Error(f"{label} {path} does not exist and cannot be created there.", hint=HINT,
                          id="lib.E001")], None
        return [], None
    try:
        key = read_key_file(path)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint=HINT, id="lib.E002")], None
    problems = []
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        problems.append(Warning(
            f"{label} {path} can be read by other users of this machine.",
            hint=f"chmod 600 {path}", id="lib.W001",
        ))
    return problems, key


@register("security")
def pi_keys(app_configs, **kwargs):
    errors, seen = [], set()
    current, key = _check_file(
        Path(settings.PI_KEY_FILE), label="The personal-information key", may_be_missing=True
    )
    errors += current
    if key is not None:
        seen.add(fingerprint_of(key))
    for path in getattr(settings, "PI_OLD_KEY_FILES", []) or []:
        problems, old = _check_file(
            Path(path), label="The old personal-information key", may_be_missing=False
        )
        errors += problems
        if old is not None and fingerprint_of(old) in seen:
            errors.append(Error(
                f"The old personal-information key {path} repeats a key already configured.",
                hint="List each old key once, and never the current one (CHUANGWEN_PI_OLD_KEY_FILES).",
                id="lib.E003",
            ))
        elif old is not None:
            seen.add(fingerprint_of(old))
    return errors
