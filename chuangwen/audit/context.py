"""Per-request context (client address, request id) that audit entries pick up.

Services receive the acting person explicitly; where the request came from is ambient, so it
lives in a context variable set by RequestContextMiddleware and is empty for console commands.
"""

import contextvars
import re
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


_current = contextvars.ContextVar("chuangwen_request_context", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def bind(*, ip: str | None, request_id: str | None = None):
    # A caller-supplied id is kept only if it is plain, so it cannot inject into log lines.
    if not request_id or not _REQUEST_ID.match(request_id):
        request_id = uuid.uuid4().hex
    return _current.set(RequestContext(ip=ip or None, request_id=request_id))


def reset(token) -> None:
    _current.reset(token)
