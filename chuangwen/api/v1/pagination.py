"""Keyset pagination: `?after=<cursor>&limit=N`, never OFFSET or COUNT(*) on large tables."""

import base64
import json

from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Cursor values are database keys: ids fit a signed 64-bit column, texts hold no NUL (PostgreSQL
# refuses it) and no more than a path's length.
MAX_ID = 2**63 - 1
MAX_TEXT = 255


def encode_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, RecursionError) as exc:
        raise HttpError(422, "分页游标无效。") from exc


def _cursor_value(cursor: str, kind: type):
    value = decode_cursor(cursor)
    if kind is int and type(value) is int and 0 <= value <= MAX_ID:
        return value
    if kind is str and type(value) is str and len(value) <= MAX_TEXT and "\x00" not in value:
        return value
    raise HttpError(422, "分页游标无效。")


def page(qs, *, key: str, after: str | None, limit: int | None, serialize):
    """One page of `qs` ordered by the unique column `key`, and the cursor of the next page."""
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    qs = qs.order_by(key)
    if after:
        kind = int if qs.model._meta.get_field(key).get_internal_type().endswith("AutoField") else str
        qs = qs.filter(**{f"{key}__gt": _cursor_value(after, kind)})
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], key)) if more and rows else None
    return {"items": [serialize(r) for r in rows], "next": next_cursor}
