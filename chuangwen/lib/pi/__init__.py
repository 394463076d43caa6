"""Personal information at rest: encryption, the blind index, phone numbers, masking.

    from chuangwen.lib.pi import EncryptedTextField, mask_phone, normalise_phone, phone_index

Settings: PI_KEY_FILE (CHUANGWEN_PI_KEY_FILE, default var/pi.key, created on first use) and
PI_OLD_KEY_FILES (CHUANGWEN_PI_OLD_KEY_FILES, read-only keys from before a rotation).  Seeing a
value in full is `chuangwen.accounts.pi.pi_unmask` (permitted role, audited).  Why AES-GCM from
`cryptography` and how the blind index works: docs/decisions/0009-personal-information.md.
"""

from .crypto import DecryptionError, blind_index, blind_indexes, decrypt, encrypt, is_ciphertext, key_id_of
from .fields import EncryptedTextField
from .keys import fingerprint, fingerprints
from .masking import mask_name, mask_phone, mask_phones_in
from .phone import normalise_phone, phone_index, phone_indexes

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "blind_index",
    "blind_indexes",
    "decrypt",
    "encrypt",
    "fingerprint",
    "fingerprints",
    "is_ciphertext",
    "key_id_of",
    "mask_name",
    "mask_phone",
    "mask_phones_in",
    "normalise_phone",
    "phone_index",
    "phone_indexes",
]
