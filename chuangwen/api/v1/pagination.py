"""Keyset pagination: `?after=<cursor>&limit=N`, never OFFSET or COUNT(*) on large tables."""

import base64
import json

from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except ValueError as exc:
        raise HttpError(422, "分页游标无效。") from exc


def page(qs, *, key: str, after: str | None, limit: int | None, serialize):
    """One page of `qs` ordered by the unique column `key`, and the cursor of the next page."""
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    qs = qs.order_by(key)
    if after:
        value = decode_cursor(after)
        if not isinstance(value, (str, int)):
            raise HttpError(422, "分页游标无效。")
        qs = qs.filter(**{f"{key}__gt": value})
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], key)) if more and rows else None
    return {"items": [serialize(r) for r in rows], "next": next_cursor}
