"""The one body that comes as JSON or as multipart/form-data: 整改完成 with after photos.

Ninja binds a body to one content type; the submit endpoint takes both (a client with no new
photo keeps to JSON, like every other write), so it reads the body here, through the same
schema and into the same error shape as ninja's own parsing."""

import json

from django.core.exceptions import SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from chuangwen.attachments.photos import MAX_PHOTOS

from .problems_schemas import ProblemSubmitIn

PHOTOS = "photos"
MULTIPART = ("multipart/form-data", "application/x-www-form-urlencoded")


def _invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "msg": message}])


def _form(request) -> tuple[dict, list]:
    try:
        fields, files = request.POST, request.FILES
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise HttpError(400, "表单无法解析,或字段、文件过多过大。") from exc
    for name in files:
        if name != PHOTOS:
            raise _invalid(name, "不认识的文件字段;照片请用 photos 字段上传。")
    data = {}
    for name, values in fields.lists():
        if len(values) > 1:
            raise _invalid(name, "该字段只能填写一次。")
        # A blank version field (a form's empty hidden input) means none was read.
        if not (name == "version" and values[0] == ""):
            data[name] = values[0]
    return data, files.getlist(PHOTOS)


def _json(request) -> dict:
    try:
        raw = request.body
    except SuspiciousOperation as exc:
        raise HttpError(400, "请求体过大。") from exc
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:  # also a body that is not UTF-8
        raise HttpError(400, "请求体不是有效的 JSON。") from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ("body", "payload"), "msg": "请求体应为 JSON 对象。"}])
    return data


def submit_body(request) -> tuple[ProblemSubmitIn, list]:
    """(note and version, the uploaded photos) of a submit, JSON or multipart."""
    if request.content_type in MULTIPART:
        data, photos = _form(request)
    else:
        data, photos = _json(request), []
    try:
        payload = ProblemSubmitIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{"loc": ("body", "payload", *e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        ) from exc
    return payload, photos


def _without_titles(schema: dict) -> dict:
    return {k: v for k, v in schema.items() if k != "title"}


def _form_field(spec: dict) -> dict:
    """A form field is text or absent, never null: the non-null branch of an optional field."""
    spec = _without_titles(spec)
    branches = [b for b in spec.pop("anyOf", []) if b.get("type") != "null"]
    if not branches:
        return spec
    spec.pop("default", None)
    return {**branches[0], **spec}


def submit_request_body() -> dict:
    """The OpenAPI requestBody of the submit endpoint: JSON, or a form with the photo files."""
    fields = ProblemSubmitIn.model_json_schema()
    properties = {name: _without_titles(spec) for name, spec in fields["properties"].items()}
    form = {
        "type": "object",
        "properties": {
            **{name: _form_field(spec) for name, spec in fields["properties"].items()},
            PHOTOS: {
                "type": "array",
                "maxItems": MAX_PHOTOS,
                "items": {"type": "string", "format": "binary"},
                "description": f"整改后照片(JPEG、PNG、WebP,最多 {MAX_PHOTOS} 张)",
            },
        },
        "additionalProperties": False,
    }
    return {
        "required": False,
        "content": {
            "application/json": {"schema": {**_without_titles(fields), "properties": properties}},
            "multipart/form-data": {"schema": form},
        },
    }
