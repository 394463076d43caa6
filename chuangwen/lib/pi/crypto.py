"""Encryption of personal information at rest (AES-256-GCM) and the keyed blind index.

A ciphertext is text, safe for any column:

    pi1:<key id>:<base64url(12-byte random nonce + ciphertext + 16-byte tag)>

The header (`pi1:<key id>:`) is authenticated as associated data, so changing the version, the
key id or any byte of the body makes decryption fail loudly instead of yielding another value.
A fresh random nonce per write means equal plaintexts give different ciphertexts: the column
says nothing about which rows share a phone.  Finding and deduplicating rows is the blind
index's job: HMAC-SHA256 of the normalised value with a key of its own.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import PIKey, current_key, key_by_id, keyring

VERSION = "pi1"
NONCE_BYTES = 12
TAG_BYTES = 16
_BODY = re.compile(r"[A-Za-z0-9_-]+")
_KEY_ID = re.compile(r"[0-9a-f]{8}")


class DecryptionError(Exception):
    """A stored ciphertext cannot be read: altered, truncated, or written with a key not configured."""


def is_ciphertext(value: str) -> bool:
    return isinstance(value, str) and value.startswith(VERSION + ":")


def encrypt(plaintext: str) -> str:
    key = current_key()
    header = f"{VERSION}:{key.key_id}:"
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.encrypt_key).encrypt(nonce, str(plaintext).encode("utf-8"), header.encode())
    return header + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


def key_id_of(ciphertext: str) -> str:
    """The id of the key a ciphertext was written with (re-encryption after a rotation)."""
    parts = str(ciphertext).split(":")
    if len(parts) != 3 or parts[0] != VERSION or not _KEY_ID.fullmatch(parts[1]):
        raise DecryptionError("不是个人信息密文(格式不符),数据可能被改动。")
    return parts[1]


def decrypt(ciphertext: str) -> str:
    key_id = key_id_of(ciphertext)
    body = str(ciphertext).split(":")[2]
    key = key_by_id(key_id)
    if key is None:
        raise DecryptionError(
            f"个人信息密文使用的密钥(编号 {key_id})未配置:轮换密钥后,旧密钥文件须列入 "
            "CHUANGWEN_PI_OLD_KEY_FILES。"
        )
    if not _BODY.fullmatch(body):
        raise DecryptionError("个人信息密文格式不符,数据可能被改动。")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("个人信息密文格式不符,数据可能被改动。") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("个人信息密文不完整(被截断),数据可能被改动。")
    try:
        plain = AESGCM(key.encrypt_key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{VERSION}:{key_id}:".encode()
        )
    except InvalidTag:
        raise DecryptionError("个人信息密文校验失败:密文被改动,或与密钥不符。") from None
    return plain.decode("utf-8")


def blind_index(value: str, *, purpose: str, key: PIKey | None = None) -> str:
    """HMAC-SHA256 (hex) of an already normalised value under the current (or given) key.

    `purpose` separates kinds of value, so a phone's index never equals a name's."""
    key = key or current_key()
    message = purpose.encode("utf-8") + b"\x00" + str(value).encode("utf-8")
    return hmac.new(key.index_key, message, hashlib.sha256).hexdigest()


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The value's index under every configured key, the current first: look rows up with
    `index__in=` so those written before a key rotation are still found."""
    return [blind_index(value, purpose=purpose, key=key) for key in keyring()]
