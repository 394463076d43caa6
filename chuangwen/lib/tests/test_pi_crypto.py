"""Encryption at rest and the blind index (checklist F3): round trip, random nonces, tamper
detection, key rotation."""

import base64
import hashlib
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from chuangwen.lib.pi import (
    DecryptionError, blind_index, decrypt, encrypt, fingerprint, fingerprints, key_id_of, phone_index,
    phone_indexes,
)
from chuangwen.lib.pi.keys import KEY_BYTES, current_key, fingerprint_of
from chuangwen.lib.secretfile import read_or_create

from .pi_support import PHONE, pi_keys  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("pi_keys")


def _flip(ciphertext: str, position: int) -> str:
    """The ciphertext with one bit of its binary body changed (a valid-looking forgery)."""
    header, body = ciphertext.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    return f"{header}:{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


def _new_key(path) -> str:
    read_or_create(path, KEY_BYTES)
    return path


@pytest.mark.parametrize("plain", [PHONE, "张三丰", "010-62345678", "号", "买买提·吐尔逊 " * 20])
def test_round_trip_returns_the_plaintext(plain):
    token = encrypt(plain)
    assert token.startswith(f"pi1:{current_key().key_id}:")
    assert plain not in token
    assert decrypt(token) == plain


def test_equal_plaintexts_encrypt_differently_but_index_equally():
    first, second = encrypt(PHONE), encrypt(PHONE)
    assert first != second
    assert decrypt(first) == decrypt(second) == PHONE
    assert phone_index(PHONE) == phone_index("+86 138-1234-5678") == phone_index("１３８ １２３４ ５６７８")
    assert phone_index(PHONE) != phone_index("13812345679")
    assert len(phone_index(PHONE)) == 64 and PHONE not in phone_index(PHONE)


def test_blind_index_is_separated_by_purpose_and_not_a_plain_hash():
    assert blind_index("13812345678", purpose="phone") != blind_index("13812345678", purpose="name")
    assert phone_index(PHONE) != hashlib.sha256(PHONE.encode()).hexdigest()


@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])  # nonce, ciphertext, tag
def test_a_changed_bit_is_refused_not_decrypted_to_another_value(position):
    token = encrypt(PHONE)
    with pytest.raises(DecryptionError, match="校验失败"):
        decrypt(_flip(token, position))


def test_a_changed_header_is_refused():
    token = encrypt(PHONE)
    _, key_id, body = token.split(":")
    with pytest.raises(DecryptionError, match="格式不符"):
        decrypt(f"pi2:{key_id}:{body}")
    with pytest.raises(DecryptionError, match="未配置"):
        decrypt(f"pi1:{'0' * 8 if key_id != '0' * 8 else '1' * 8}:{body}")


@pytest.mark.parametrize("bad", ["13812345678", "pi1:", "pi1:abcd:xyz", "pi1:{kid}:", "pi1:{kid}:AAAA",
                                 "pi1:{kid}:not base64!", "pi1:{kid}:{body}:extra"])
def test_malformed_and_truncated_ciphertexts_are_refused(bad):
    token = encrypt(PHONE)
    kid, body = token.split(":")[1], token.split(":")[2]
    with pytest.raises(DecryptionError):
        decrypt(bad.format(kid=kid, body=body))


def test_truncated_body_is_refused():
    token = encrypt(PHONE)
    with pytest.raises(DecryptionError):
        decrypt(token[:-4])


def test_the_key_file_is_created_private_with_32_random_bytes(pi_keys):
    encrypt(PHONE)
    path = pi_keys.PI_KEY_FILE
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert fingerprint() == fingerprint_of(bytes.fromhex(path.read_text().strip()))
    assert path.read_text().strip() not in repr(current_key())


def test_after_rotation_old_rows_decrypt_and_new_writes_use_the_new_key(pi_keys, tmp_path):
    old_key = pi_keys.PI_KEY_FILE
    written_before = encrypt(PHONE)
    index_before = phone_index(PHONE)
    old_fingerprint = fingerprint()

    pi_keys.PI_KEY_FILE = _new_key(tmp_path / "pi-2026.key")
    pi_keys.PI_OLD_KEY_FILES = [old_key]
    written_after = encrypt(PHONE)
    assert key_id_of(written_after) == current_key().key_id != key_id_of(written_before)
    assert decrypt(written_before) == decrypt(written_after) == PHONE
    assert fingerprints() == [fingerprint(), old_fingerprint]
    # Lookups find rows indexed under either key; new rows get the new key's index.
    assert phone_index(PHONE) != index_before
    assert phone_indexes(PHONE) == [phone_index(PHONE), index_before]

    pi_keys.PI_OLD_KEY_FILES = []
    with pytest.raises(DecryptionError, match="CHUANGWEN_PI_OLD_KEY_FILES"):
        decrypt(written_before)


def test_a_short_or_repeated_key_is_refused(pi_keys, tmp_path):
    short = tmp_path / "short.key"
    short.write_text("ab" * 16 + "\n")
    pi_keys.PI_OLD_KEY_FILES = [short]
    with pytest.raises(ImproperlyConfigured, match="16 bytes"):
        encrypt(PHONE)
    pi_keys.PI_OLD_KEY_FILES = [pi_keys.PI_KEY_FILE]
    with pytest.raises(ImproperlyConfigured, match="same key"):
        encrypt(PHONE)
    pi_keys.PI_OLD_KEY_FILES = [tmp_path / "missing.key"]
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        encrypt(PHONE)
