"""`Idempotency-Key` on every POST of API v1: the guard of chuangwen/api/idempotency.py around
each operation, its refusals in the one error shape, and the header in the OpenAPI document."""

from ..idempotency import KEY_HEADER, KEY_PATTERN, MAX_KEY_LENGTH, Refusal, idempotent
from .errors import error_body

# Listed on every POST of the document (`document` below), so generated clients offer it.
KEY_PARAMETER = {
    "in": "header",
    "name": KEY_HEADER,
    "required": False,
    "description": (
        "可选。客户端为每次提交生成的唯一值(如 UUID),重试时原样再发:24 小时内同一令牌、"
        "同一请求再次提交,返回首次成功的结果(响应头 `Idempotent-Replayed: true`),不会重复创建。"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
}


def install(api, *, scope) -> None:
    """Guard every operation of `api` (the guard itself lets everything but POST through).
    `scope(request)` authenticates the token and names it, or returns None."""

    def refuse(request, refusal: Refusal):
        details = [{"field": refusal.field, "message": refusal.message}] if refusal.field else None
        return api.create_response(
            request, error_body(refusal.code, refusal.message, details), status=refusal.status
        )

    # Mode "view" wraps Operation.run (authentication, parsing, the view and the exception
    # handlers), despite its name; "operation" would wrap only the view function, whose result is
    # not a response yet.  test_idempotency checks the guard sees every POST.
    api.add_decorator(idempotent(scope=scope, refuse=refuse), mode="view")


def document(schema: dict) -> dict:
    """Add the optional header to every POST of an OpenAPI document."""
    for operations in schema.get("paths", {}).values():
        post = operations.get("post")
        if post is not None:
            post["parameters"] = [*post.get("parameters", []), KEY_PARAMETER]
    return schema
