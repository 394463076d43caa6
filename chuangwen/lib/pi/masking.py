"""What staff see by default: phones and names masked (PIPL Art. 51; checklist F2).

Conventions (those of government service portals and 12345 hotlines):

* mobile: first three and last four digits, `138****5678`;
* landline: the area code and the last four digits, `010-****5678`, `0755-***5678`;
* name: the surname's first character, one `*` per other character, `张三丰` → `张**`,
  `李四` → `李*`; a `·` in a transliterated name is kept (`买**·***`).  Keeping only the first
  character (not 张*丰) shows the least that still lets staff address the caller.

Masking never fails and never shows more than the mask: a value that is not a valid phone keeps
at most its last four digits.
"""

import re

from django.core.exceptions import ValidationError

from .phone import is_mobile, normalise_phone

STAR = "*"
_NAME_SEPARATORS = {"·", "•", " "}
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-]?\d){6,}")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        phone = normalise_phone(value)
    except ValidationError:
        digits = re.sub(r"\D", "", str(value))
        return STAR * 4 + digits[-4:] if len(digits) >= 8 else STAR * 4
    if is_mobile(phone):
        return phone[:3] + STAR * 4 + phone[-4:]
    area, local = phone.split("-")
    return f"{area}-{STAR * (len(local) - 4)}{local[-4:]}"


def mask_name(value: str | None) -> str:
    name = str(value or "").strip()
    if len(name) <= 1:
        return STAR * len(name)
    return name[0] + "".join(ch if ch in _NAME_SEPARATORS else STAR for ch in name[1:])


def mask_phones_in(text: str) -> str:
    """Free text (a reason, a title) with every run of seven or more digits masked, so that what
    someone typed cannot carry a full number into a log."""
    return _DIGIT_RUN.sub(lambda m: mask_phone(m.group()), str(text or ""))
