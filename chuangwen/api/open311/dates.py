"""W3C datetimes (the ISO 8601 subset GeoReport v2 uses), always with a time zone."""

import re
from datetime import datetime

from django.utils import timezone

# YYYY-MM-DDThh:mm[:ss[.s+]]TZD, TZD = Z or ±hh:mm (the W3C note; a zone is required here).
_W3C = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})",
)


class DateError(ValueError):
    pass


def parse_w3c(raw: str) -> datetime:
    """An aware datetime; DateError for anything that is not a W3C datetime with a zone."""
    text = (raw or "").strip()
    if not _W3C.fullmatch(text):
        raise DateError(text)
    if "." in text:
        # Python reads at most microseconds: keep six digits of the fraction.
        head, _, rest = text.partition(".")
        digits = re.match(r"\d+", rest).group(0)
        text = head + "." + digits[:6].ljust(6, "0") + rest[len(digits):]
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DateError(text) from None


def w3c(moment: datetime | None) -> str | None:
    """Local time with its offset, to the second: 2026-09-16T10:00:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")
