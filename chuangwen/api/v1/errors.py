"""One error shape for the whole API: {"error": {"code": ..., "message": 中文, "details": ...}}."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from chuangwen.org.services import StaleVersion

logger = logging.getLogger(__name__)
CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 422: "invalid", 429: "too_many_requests",
}


def error_body(code: str, message: str, details=None) -> dict:
    body = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return body


def _field(loc) -> str | None:
    """The field as the caller wrote it: ("query", "limit") → "limit"; a body's location also
    names the view's parameter, ("body", "payload", "percent") → "percent"."""
    parts = list(loc)[2:] if list(loc)[:1] == ["body"] else list(loc)[1:]
    return ".".join(str(p) for p in parts) or None


def install(api) -> None:
    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        response = respond(request, 401, "unauthenticated", "缺少有效的接口令牌,或令牌已过期、已吊销。")
        response["WWW-Authenticate"] = 'Bearer realm="chuangwen"'
        return response

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, "not_found", "对象不存在,或您无权查看。")

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return respond(request, 403, "forbidden", str(exc) or "没有此操作的权限。")

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc):
        details = [{"field": _field(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
        return respond(request, 422, "invalid", "请求参数不正确。", details)

    # Before the generic ValidationError (handlers are looked up along the exception's MRO):
    # a stale `version` is a conflict the caller resolves by re-reading, not a bad request.
    @api.exception_handler(StaleVersion)
    def _conflict(request, exc):
        return respond(request, 409, "conflict", ";".join(exc.messages))

    @api.exception_handler(DjangoValidationError)
    def _domain_invalid(request, exc):
        return respond(request, 422, "invalid", ";".join(exc.messages))

    @api.exception_handler(HttpError)
    def _http(request, exc):
        message = str(exc)
        if message.startswith("Cannot parse request body"):  # ninja's own words, for a body that is not JSON
            message = "请求体不是有效的 JSON。"
        return respond(request, exc.status_code, CODES.get(exc.status_code, "error"), message)

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        # Logged with its traceback for the operators; the caller gets the shape, not the details.
        logger.exception("API error on %s", request.path)
        return respond(request, 500, "server_error", "服务器内部错误,请稍后重试或联系管理员。")
