"""Chinese phone numbers: one normal form, so that equal numbers encrypt, index and compare
alike however a citizen typed them (full-width digits, spaces, dashes, +86)."""

import re
import unicodedata

from django.core.exceptions import ValidationError

from .crypto import blind_index, blind_indexes

MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 020–029 have three digits and eight-digit local numbers; every other area
# code has four digits and seven- or eight-digit local numbers.  Local numbers never start with
# 0 or 1 (those are trunk and service prefixes).
LANDLINE = re.compile(
    r"(?P<area>0(?:10|2\d))(?P<local>[2-9]\d{7})"
    r"|(?P<area4>0[3-9]\d{2})(?P<local4>[2-9]\d{6,7})"
)
# Separators people type between digit groups (after NFKC folding of full-width forms).
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―.()]")
INVALID_MESSAGE = "请输入正确的电话号码:11 位手机号码,或带区号的固定电话(如 010-62345678)。"
REQUIRED_MESSAGE = "请输入电话号码。"
PURPOSE = "phone"


def normalise_phone(value: str) -> str:
    """`13812345678` for a mobile, `010-62345678` / `0755-2345678` for a landline.

    Accepts full-width digits, spaces, dashes, brackets and a +86 / 0086 country code; raises
    ValidationError (in Chinese) for anything else: service numbers, extensions, foreign numbers.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise ValidationError(REQUIRED_MESSAGE, code="required")
    digits = _SEPARATORS.sub("", text)
    international = False
    if digits.startswith("+86"):
        digits, international = digits[3:], True
    elif digits.startswith("0086"):
        digits, international = digits[4:], True
    elif digits.startswith("86") and MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    if MOBILE.fullmatch(digits):
        return digits
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 10 1234 5678: the trunk 0 is dropped after a country code
    match = LANDLINE.fullmatch(digits)
    if match is None:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    area = match.group("area") or match.group("area4")
    local = match.group("local") or match.group("local4")
    return f"{area}-{local}"


def is_mobile(normalised: str) -> bool:
    return bool(MOBILE.fullmatch(normalised))


def phone_index(value: str) -> str:
    """The blind index of a phone (normalised first) under the current key: store it beside the
    encrypted phone, in an indexed column, to find and deduplicate without decrypting."""
    return blind_index(normalise_phone(value), purpose=PURPOSE)


def phone_indexes(value: str) -> list[str]:
    """The phone's index under every configured key (current first), for lookups that must also
    find rows indexed before a key rotation: `filter(reporter_phone_index__in=phone_indexes(p))`."""
    return blind_indexes(normalise_phone(value), purpose=PURPOSE)
