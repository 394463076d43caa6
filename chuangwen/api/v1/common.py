"""Parameter types, path-key guards and the documented error responses shared by the routers."""

from typing import Annotated

from django.http import Http404
from ninja import Field

from . import schemas
from .pagination import MAX_ID

# Every operation documents these.  Writes add 400 (a body that is not JSON) and 409 (someone
# saved the object since the caller read its `version`, or a retry with the same Idempotency-Key
# is still running).
ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 422: schemas.Error}
WRITE_ERRORS = {400: schemas.Error, **ERRORS, 409: schemas.Error}

# Free text in a query: short, and without NUL (PostgreSQL refuses it in a string literal).
Text = Annotated[str, Field(max_length=50, pattern=r"^[^\x00]*$")]
# Free text in a request body (a progress report, a handover summary, a reason).
LongText = Annotated[str, Field(max_length=5000, pattern=r"^[^\x00]*$")]
# A database id given in a query or a body: beyond a 64-bit column it cannot exist.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageParams(schemas.Schema):
    after: str | None = Field(None, max_length=400, description="上一页返回的 `next` 游标")
    limit: int | None = Field(None, ge=1, description="每页条数,默认 50,最多 200(超出按 200)")


def path_key(value: str) -> str:
    """A path key (code, username): one that cannot exist is simply not found."""
    if "\x00" in value or len(value) > 150:
        raise Http404
    return value


def path_id(value: int) -> int:
    """A numeric path key outside a database id's range is simply not found."""
    if not 1 <= value <= MAX_ID:
        raise Http404
    return value
