"""The personal-information keys: the current one (new writes) and old ones (reading rows
written before a rotation).

A key file holds 32 random bytes as hex, like the audit key (`read_or_create` makes the current
one on first use, mode 0600).  From each file two working keys are derived with HKDF-SHA256,
one for AES-256-GCM and one for the HMAC blind index, so neither use can weaken the other.
Each key is named by a fingerprint (a hash of the file's key, revealing nothing about it): the
backup manifest records it, and its first 8 characters are the key id written into every
ciphertext, which is how decryption finds the right key after a rotation.
"""

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chuangwen.lib.secretfile import read_or_create

KEY_BYTES = 32
KEY_ID_CHARS = 8


@dataclass(frozen=True)
class PIKey:
    fingerprint: str
    path: str
    encrypt_key: bytes = field(repr=False)
    index_key: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return self.fingerprint[:KEY_ID_CHARS]


def parse_key(text: str, path: Path) -> bytes:
    """The 32 key bytes written as hex in a key file; ImproperlyConfigured otherwise."""
    try:
        value = bytes.fromhex(text.strip())
    except ValueError:
        raise ImproperlyConfigured(f"The personal-information key in {path} is not hexadecimal.") from None
    if len(value) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"The personal-information key in {path} has {len(value)} bytes; it must have {KEY_BYTES}."
        )
    return value


def read_key_file(path: Path) -> bytes:
    """An existing key file's key (never creates one: old keys and the system check)."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(f"The personal-information key file {path} cannot be read: {exc}") from exc
    return parse_key(text, path)


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def fingerprint_of(master: bytes) -> str:
    return hashlib.sha256(b"chuangwen-pi-key:" + master).hexdigest()[:16]


def _make(master: bytes, path: Path) -> PIKey:
    return PIKey(
        fingerprint=fingerprint_of(master),
        path=str(path),
        encrypt_key=_derive(master, b"chuangwen pi v1 aes-256-gcm"),
        index_key=_derive(master, b"chuangwen pi v1 blind index"),
    )


@cache
def _keyring(current: str, old: tuple[str, ...]) -> tuple[PIKey, ...]:
    path = Path(current)
    keys = [_make(parse_key(read_or_create(path, KEY_BYTES), path), path)]
    for name in old:
        keys.append(_make(read_key_file(Path(name)), Path(name)))
    seen: dict[str, str] = {}
    for key in keys:
        if key.key_id in seen:
            raise ImproperlyConfigured(
                f"The personal-information key files {seen[key.key_id]} and {key.path} hold the same key "
                "(or keys with the same id): list each old key once, and never the current one."
            )
        seen[key.key_id] = key.path
    return tuple(keys)


def keyring() -> tuple[PIKey, ...]:
    """Every key in use, the current one first (created on first use if missing)."""
    old = tuple(str(p) for p in getattr(settings, "PI_OLD_KEY_FILES", []) or [])
    return _keyring(str(settings.PI_KEY_FILE), old)


def current_key() -> PIKey:
    return keyring()[0]


def key_by_id(key_id: str) -> PIKey | None:
    return next((k for k in keyring() if k.key_id == key_id), None)


def fingerprint() -> str:
    """Names the current key without revealing it (recorded in backups)."""
    return current_key().fingerprint


def fingerprints() -> list[str]:
    """Fingerprints of every key in use, the current one first."""
    return [k.fingerprint for k in keyring()]
