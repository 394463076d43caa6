"""Parsing a POST /requests body (application/x-www-form-urlencoded) into a `Submission`: types,
ranges and lengths only.  What needs the database (the service, the site, the attributes, the
key's scope) is `services.request_submit`'s job.  Optional means an empty field is as good as
none (the spec's rule)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from chuangwen.lib.pi import normalise_phone
from chuangwen.places.geo import in_china

from .attributes import posted_attributes

DESCRIPTION_MAX = 4000  # the spec's limit
ADDRESS_MAX = 200  # Problem.address
ADDRESS_ID_MAX = 32  # a site's code
NAME_MAX = 30
MEDIA_URL_MAX = 1000
_SEVEN_PLACES = Decimal("0.0000001")


@dataclass
class Submission:
    service_code: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""  # normalised
    attributes: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _field(data, name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _no_control(text: str) -> bool:
    return not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text)


def _coordinate(raw: str, name: str, low: int, high: int, errors: list[str]) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append(f"{name} 须为数字(WGS-84 十进制度)。({name} must be a number)")
        return None
    if not low <= value <= high:
        errors.append(f"{name} 须在 {low} 至 {high} 之间。({name} is out of range)")
        return None
    return value.quantize(_SEVEN_PLACES)


def parse_submission(data) -> Submission:
    """`data` is request.POST (a QueryDict) or any mapping with `get` and `lists`."""
    s = Submission()
    errors = s.errors
    s.service_code = _field(data, "service_code")
    if not s.service_code:
        errors.append("缺少 service_code。(service_code is required)")

    lat_raw, long_raw = _field(data, "lat"), _field(data, "long")
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            errors.append("lat 和 long 须同时提供。(lat and long must be sent together)")
        else:
            lat = _coordinate(lat_raw, "lat", -90, 90, errors)
            lng = _coordinate(long_raw, "long", -180, 180, errors)
            if lat is not None and lng is not None:
                if not in_china(float(lng), float(lat)):
                    errors.append("坐标不在服务范围内,请检查经纬度是否填反。(lat/long is outside the service area)")
                else:
                    s.lat, s.lng = lat, lng
    s.address_string = _field(data, "address_string")
    s.address_id = _field(data, "address_id")
    if not (lat_raw or long_raw or s.address_string or s.address_id):
        errors.append("请提供位置:lat 和 long,或 address_string,或 address_id。"
                      "(a location is required: lat & long, address_string or address_id)")
    if len(s.address_string) > ADDRESS_MAX:
        errors.append(f"address_string 不能超过 {ADDRESS_MAX} 字。(address_string is too long)")
    if len(s.address_id) > ADDRESS_ID_MAX:
        errors.append(f"address_id 不能超过 {ADDRESS_ID_MAX} 字。(address_id is too long)")

    s.description = _field(data, "description")
    if len(s.description) > DESCRIPTION_MAX:
        errors.append(f"description 不能超过 {DESCRIPTION_MAX} 字。(description is longer than 4000 characters)")

    s.media_url = _field(data, "media_url")
    if s.media_url:
        try:
            if len(s.media_url) > MEDIA_URL_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(s.media_url)
        except ValidationError:
            errors.append("media_url 须为 http(s) 网址。(media_url must be an http or https URL)")
            s.media_url = ""

    # Chinese order: family name first.  The spec's e-mail, device_id and account_id are not kept.
    last, first = _field(data, "last_name"), _field(data, "first_name")
    s.reporter_name = f"{last}{first}" if (last and first and not (last + first).isascii()) \
        else " ".join(p for p in (first, last) if p)
    if len(s.reporter_name) > NAME_MAX:
        errors.append(f"姓名不能超过 {NAME_MAX} 字。(first_name/last_name are too long)")
    phone = _field(data, "phone")
    if phone:
        try:
            s.reporter_phone = normalise_phone(phone)
        except ValidationError as exc:
            errors.append(f"{';'.join(exc.messages)}(phone is not a valid phone number)")

    texts = ("service_code", "address_string", "address_id", "description", "reporter_name")
    if not all(_no_control(getattr(s, name)) for name in texts):
        errors.append("请求中含有控制字符。(control characters are not allowed)")
        # Never looked up: PostgreSQL refuses NUL in a query.
        s.service_code = s.address_id = ""
    s.attributes = posted_attributes(data.lists())
    if any(not _no_control(v) for values in s.attributes.values() for v in values):
        errors.append("附加信息中含有控制字符。(control characters are not allowed in attributes)")
    return s

