"""Idempotent POSTs: a retry sent with the first request's `Idempotency-Key` gets the first answer
again and creates nothing new (docs/api.md, "Idempotent retries"; ADR 0008).

Framework-neutral: `idempotent(scope=..., refuse=...)` decorates any Django view that answers an
HttpResponse.  The JSON API wraps every operation with it (v1/idempotency.py); Open311's
requests view (GET lists, POST creates) would read:

    def open311_caller(request) -> str | None:  # authenticates the api_key form field
        key = open311_key_authenticate(request.POST.get("api_key", ""))
        return f"apikey:{key.pk}" if key else None

    def open311_refusal(request, refusal: Refusal) -> HttpResponse:  # Open311's own error list
        return open311_errors(request, refusal.status, [(refusal.code, refusal.message)])

    @idempotent(scope=open311_caller, refuse=open311_refusal)
    def requests_view(request, format): ...

A POST carrying the header runs like this (other methods, and POSTs without it, are untouched):

1. `scope(request)` authenticates and names the caller ("token:12"); None (no valid credentials)
   runs the view as if there were no key, and the view refuses the request as it always does.
   Keys are per caller: a stored answer is only ever replayed to the caller that got it first.
2. The key must be 1–200 visible ASCII characters, else `refuse(request, INVALID_KEY)`.
3. One transaction inserts the (scope, key) row, runs the view and, for a 2xx, stores its
   answer in that row.  A second request with the same key inserts the same row, so it waits for
   the first to finish (on the unique index in PostgreSQL, on the write lock in SQLite), then
   finds the row: the same request is answered with the stored response plus
   `Idempotent-Replayed: true`; a different one is `refuse(request, KEY_REUSED)`.  Waiting longer
   than WAIT_SECONDS (PostgreSQL) is `refuse(request, IN_PROGRESS)` with `Retry-After`.
4. Only 2xx answers are kept.  A 4xx wrote nothing, so the row is deleted and a retry runs again
   against the current state (a task signed for meanwhile, a role granted); the refusal's own
   records (a denial's audit entry) still commit.  A 5xx rolls the whole transaction back, the
   write included, so a retry can never meet half a write; so does an exception the view raises
   (it propagates as usual).

The guard's transaction is the request's (ATOMIC_REQUESTS stays off): its row commits with the
write, and a concurrent retry waits for exactly that commit.
"""

import hashlib
import json
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import IdempotencyRecord

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
# Visible ASCII (no spaces, which proxies may trim): UUIDs, ULIDs, base64 all fit.
KEY_PATTERN = r"^[!-~]{1,200}$"
_KEY = re.compile(KEY_PATTERN)
# How long a first answer is replayed; older rows count as absent, and
# jobs.expire_idempotency_records deletes them.
TTL = timedelta(hours=24)
# How long a retry waits for the first request still running (PostgreSQL; SQLite waits on its busy
# timeout instead).  A double tap finishes well within it; a stuck request does not hold retries.
WAIT_SECONDS = 5
# PostgreSQL's SQLSTATE for lock_not_available (lock_timeout expired).
_LOCK_TIMEOUT = "55P03"


@dataclass(frozen=True)
class Refusal:
    """What the guard refuses; the caller's `refuse` renders it in its own error format."""

    status: int
    code: str
    message: str
    field: str | None = None
    retry_after: int | None = None


INVALID_KEY = Refusal(
    422, "invalid", "Idempotency-Key 须为 1 至 200 个可见 ASCII 字符(不含空格)。", field=KEY_HEADER
)
MISSING_KEY = Refusal(400, "idempotency_key_missing", "请在请求头中提供 Idempotency-Key。", field=KEY_HEADER)
KEY_REUSED = Refusal(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一请求。")
IN_PROGRESS = Refusal(409, "request_in_progress", "请求正在处理中,请稍后重试。", retry_after=1)

Scope = Callable[[HttpRequest], str | None]
Refuse = Callable[[HttpRequest, Refusal], HttpResponse]


def idempotent(*, scope: Scope, refuse: Refuse, required: bool = False):
    """Decorator for a Django view `view(request, *args, **kwargs) -> HttpResponse`.  With
    `required`, an authenticated POST without the header is `refuse(request, MISSING_KEY)`
    (SECURITY-CHECKLIST G3 asks this of the mobile API; API v1 and Open311 keep it optional)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return respond_idempotently(
                request,
                lambda: view(request, *args, **kwargs),
                scope=scope,
                refuse=refuse,
                required=required,
            )

        return wrapper

    return decorator


def respond_idempotently(
    request: HttpRequest,
    run: Callable[[], HttpResponse],
    *,
    scope: Scope,
    refuse: Refuse,
    required: bool = False,
) -> HttpResponse:
    """`run()`'s response, or the stored one for a retry (the module docstring has the rules)."""
    key = request.headers.get(KEY_HEADER)
    if request.method != "POST" or (key is None and not required):
        return run()
    caller = scope(request)
    if caller is None:
        return run()
    if key is None:
        return _refused(request, refuse, MISSING_KEY)
    if not _KEY.fullmatch(key):
        return _refused(request, refuse, INVALID_KEY)
    fingerprint = request_fingerprint(request)
    # The row, the view's writes and the stored answer: one transaction.
    with transaction.atomic():
        record, first = _claim(caller=caller, key=key, request=request, fingerprint=fingerprint)
        if record is None:
            return _refused(request, refuse, IN_PROGRESS)
        if not first:
            if record.request_sha256 != fingerprint:
                return _refused(request, refuse, KEY_REUSED)
            if record.status_code is None:  # this connection's own unfinished request (a re-entrant call)
                return _refused(request, refuse, IN_PROGRESS)
            return replay(record)
        response = run()
        if keeps(response) and not transaction.get_connection().needs_rollback:
            # No full_clean(): the guard checked the key and the columns' constraints hold the rest.
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "")[:200]
            record.body = response.content
            record.save(update_fields=["status_code", "content_type", "body"])
        elif response.status_code >= 500:
            transaction.set_rollback(True)
        else:
            record.delete()  # the key is free again; the refusal's own records commit
    return response


def keeps(response: HttpResponse) -> bool:
    """Whether an answer is stored and replayed: successes only (see the module docstring)."""
    return 200 <= response.status_code < 300 and not response.streaming


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what makes two POSTs the same request: method, path and query, content type, body."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n{request.content_type}\n".encode())
    if request.content_type == "multipart/form-data":
        # `request.body` would hold a whole upload in memory (and refuse a large one): hash the
        # parsed fields and each file's contents instead, then rewind the files for the view.
        files = []
        for name, uploads in sorted(request.FILES.lists()):
            for upload in uploads:
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                files.append([name, upload.name, content.hexdigest()])
        digest.update(json.dumps([sorted(request.POST.lists()), files], ensure_ascii=False).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _refused(request, refuse: Refuse, refusal: Refusal) -> HttpResponse:
    response = refuse(request, refusal)
    if refusal.retry_after is not None:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _claim(*, caller: str, key: str, request, fingerprint: str) -> tuple[IdempotencyRecord | None, bool]:
    """Insert the (caller, key) row: (row, True) if this request is the first, (existing row,
    False) if another got there first, (None, False) if that other is still running after
    WAIT_SECONDS.  Runs inside the caller's transaction."""
    for _ in range(2):  # the second time after deleting an expired row
        try:
            with transaction.atomic():  # a savepoint: a duplicate key undoes only the insert
                with _bounded_wait():
                    record = IdempotencyRecord.objects.create(
                        scope=caller,
                        key=key,
                        method=request.method,
                        path=request.get_full_path()[:300],
                        request_sha256=fingerprint,
                    )
            return record, True
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == _LOCK_TIMEOUT:
                return None, False
            raise
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=caller, key=key).first()
            if existing is None:  # deleted meanwhile (a refusal, or the expiry job): try again
                continue
            if existing.created_at > timezone.now() - TTL:
                return existing, False
            existing.delete()
    return None, False


@contextmanager
def _bounded_wait():
    """On PostgreSQL, let the insert wait at most WAIT_SECONDS for a transaction holding the same
    key (lock_timeout), then restore the timeout for the view's own locks.  If the insert fails,
    rolling back its savepoint undoes the SET LOCAL as well."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{WAIT_SECONDS}s"])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
