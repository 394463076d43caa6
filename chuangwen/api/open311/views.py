"""GeoReport v2 endpoints: parse, read through the selectors or call the one service, respond in
the format the path names.  Public (no session, no login redirect); POST /requests is opened by
its api_key, not by a cookie, so it is CSRF-exempt."""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from chuangwen.api.idempotency import Refusal, idempotent
from chuangwen.lib.net import client_ip
from chuangwen.problems.models import FINAL_STATUSES, ProblemStatus

from . import ratelimit, selectors, serializers
from .dates import DateError, parse_w3c, w3c
from .errors import Open311Error
from .formats import JSON, XML, error_response, respond
from .services import key_authenticate, key_denied, request_submit
from .submission import parse_submission

logger = logging.getLogger(__name__)

MAX_IDS = 1000
MAX_PAGE = 1000
OPEN_STATUSES = frozenset(s for s in ProblemStatus.values if s not in FINAL_STATUSES)
CLOSED_STATUSES = frozenset(FINAL_STATUSES)
KEY_REFUSED = "缺少 api_key,或密钥无效、已过期、已吊销。(api_key is missing or invalid)"


def refused(fmt: str, exc: Open311Error):
    response = error_response(fmt, exc.status, exc.errors)
    if exc.status == 429:
        response["Retry-After"] = "600"
    return response


def endpoint(*methods: str):
    """A public Open311 view for `methods`: 405 for others, the per-address limits, and every
    refusal in the spec's error shape (never a traceback)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view):
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str = XML, **kwargs):
            if request.method not in allowed:
                response = error_response(fmt, 405, [(405, f"不支持 {request.method} 方法。(method not allowed)")])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            if not ratelimit.allow("post" if request.method == "POST" else "read", client_ip(request)):
                response = error_response(fmt, 429, [(429, "请求过于频繁,请稍后再试。(too many requests)")])
                response["Retry-After"] = "60"
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return refused(fmt, exc)
            except RequestDataTooBig:
                return error_response(fmt, 413, [(413, "请求体过大。(request body too large)")])
            except SuspiciousOperation:
                return error_response(fmt, 400, [(400, "请求格式不正确。(malformed request)")])
            except Exception:
                # Logged with its traceback for the operators; the client gets the shape only.
                logger.exception("Open311 error on %s", request.path)
                return error_response(fmt, 500, [(500, "服务器内部错误,请稍后重试。(internal server error)")])

        return login_not_required(wrapper)

    return wrap


# --- discovery and services ------------------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt):
    base = reverse("open311:discovery", kwargs={"fmt": XML}).rsplit("/", 1)[0] + "/"
    city = settings.CITY_NAME
    body = serializers.discovery(
        base_url=request.build_absolute_uri(base),
        changeset=w3c(selectors.changeset()),
        contact=f"{city}创建全国文明城市指挥部办公室(市民问题上报与处置)",
        key_service=(f"接入单位向{city}创文指挥部办公室提出申请,由安全管理员在“三员管理 → Open311 密钥”签发;"
                     "密钥只显示一次,只用于上报(POST requests),查询无需密钥。"),
        production=not settings.DEBUG,
    )
    return respond(fmt, "discovery", body)


@endpoint("GET")
def services(request, fmt):
    limits = selectors.time_limits()
    return respond(fmt, "services", [serializers.service(c, limits) for c in selectors.services_list()])


@endpoint("GET")
def service_definition(request, service_code, fmt):
    found = selectors.service_with_attributes(service_code) if _key(service_code) else None
    if found is None:
        raise Open311Error(404, f"没有编码为 {service_code} 的服务。(service_code was not found)")
    return respond(fmt, "service_definition", serializers.service_definition(*found))


# --- requests --------------------------------------------------------------------------------


def _date(request, name: str, errors: list[str]):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_w3c(raw)
    except DateError:
        errors.append(f"{name} 须为带时区的 W3C 日期时间,如 2026-09-16T00:00:00+08:00。"
                      f"({name} must be a W3C datetime with a time zone)")
        return None


def _positive(request, name: str, default: int, ceiling: int, errors: list[str]) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= ceiling:
        errors.append(f"{name} 须为 1 至 {ceiling} 的整数。({name} must be an integer from 1 to {ceiling})")
        return default
    return int(raw)


def _codes(raw: str) -> list[str]:
    """A comma-separated list; values that cannot exist (NUL, too long) are dropped."""
    return [c.strip() for c in raw.split(",") if c.strip() and _key(c.strip())]


def _key(value: str) -> bool:
    """Whether a code or id from a path or query could exist (PostgreSQL refuses NUL in a query)."""
    return "\x00" not in value and len(value) <= 64


def parse_query(request) -> selectors.RequestQuery:
    """GET /requests' parameters; Open311Error(400) with every problem found."""
    errors: list[str] = []
    ids = _codes(request.GET.get("service_request_id", ""))
    if ids:
        # The spec: a list of ids overrides every other parameter.
        return selectors.RequestQuery(ids=ids[:MAX_IDS])
    start, end = _date(request, "start_date", errors), _date(request, "end_date", errors)
    window = timedelta(days=selectors.WINDOW_DAYS)
    if start and end:
        if end < start:
            errors.append("end_date 不能早于 start_date。(end_date is before start_date)")
        elif end - start > window:
            errors.append(f"查询时段不能超过 {selectors.WINDOW_DAYS} 天。(the date range may not exceed 90 days)")
    elif start:
        end = start + window
    else:
        end = end or timezone.now()
        start = end - window
    statuses = None
    wanted = set(_codes(request.GET.get("status", "").lower()))
    if wanted - {"open", "closed"}:
        errors.append("status 只能是 open、closed 或两者(逗号分隔)。(status must be open and/or closed)")
    elif wanted == {"open"}:
        statuses = OPEN_STATUSES
    elif wanted == {"closed"}:
        statuses = CLOSED_STATUSES
    # Pagination: the community extension (page, page_size), within the spec's 1000.
    page = _positive(request, "page", 1, MAX_PAGE, errors)
    page_size = _positive(request, "page_size", selectors.MAX_REQUESTS, selectors.MAX_REQUESTS, errors)
    if errors:
        raise Open311Error(400, *errors)
    codes = _codes(request.GET.get("service_code", "")) or None
    return selectors.RequestQuery(codes=codes, start=start, end=end, statuses=statuses, page=page,
                                  page_size=page_size)


def _requests_get(request, fmt):
    problems = selectors.requests_search(parse_query(request))
    limits = selectors.time_limits()
    return respond(fmt, "service_requests", [serializers.request(p, limits) for p in problems])


def _key_scope(request) -> str | None:
    """Whose Idempotency-Key this is: the api_key's holder (None: no valid key, and the view
    refuses the request as it always does)."""
    key = key_authenticate(request.POST.get("api_key", ""))
    return f"apikey:{key.pk}" if key is not None else None


def _idempotency_refused(request, refusal: Refusal):
    fmt = (request.resolver_match.kwargs if request.resolver_match else {}).get("fmt", XML)
    return error_response(fmt, refusal.status, [(refusal.status, refusal.message)])


@idempotent(scope=_key_scope, refuse=_idempotency_refused)
def _requests_post(request, fmt):
    """POST /requests: the api_key first (403), then the service (404), then the rest (400).
    Refusals are answered here, not raised, so the Idempotency-Key guard sees them (a 4xx keeps
    no stored answer: a corrected retry with the same key runs again)."""
    try:
        ip = client_ip(request)
        if ratelimit.key_failures_exceeded(ip):
            raise Open311Error(429, "密钥错误次数过多,请 10 分钟后再试。(too many invalid api_key attempts)")
        raw = request.POST.get("api_key", "")
        key = key_authenticate(raw)
        if key is None:
            if raw.strip():
                ratelimit.key_failed(ip)
                key_denied(raw)
            raise Open311Error(403, KEY_REFUSED)
        try:
            req = request_submit(key=key, submission=parse_submission(request.POST))
        except ValidationError as exc:
            raise Open311Error(400, *exc.messages) from exc
    except Open311Error as exc:
        return refused(fmt, exc)
    return respond(fmt, "service_requests", [serializers.posted(req)])


@csrf_exempt
@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@endpoint("GET")
def request_detail(request, service_request_id, fmt):
    problem = selectors.request_by_number(service_request_id) if _key(service_request_id) else None
    if problem is None:
        raise Open311Error(404, f"没有编号为 {service_request_id} 的请求。(service_request_id was not found)")
    return respond(fmt, "service_requests", [serializers.request(problem, selectors.time_limits())])


@endpoint("GET")
def token(request, token, fmt):
    req = selectors.request_by_token(token) if _key(token) else None
    if req is None:
        raise Open311Error(404, "令牌不存在。(token was not found)")
    return respond(fmt, "service_requests", [serializers.token(req)])


@csrf_exempt
@login_not_required
def not_found(request, rest):
    """Anything else under /open311/v2/, including an unknown format: 404 in the spec's shape
    (JSON when the path asks for it, else XML, the required format)."""
    fmt = JSON if rest.endswith(".json") else XML
    return error_response(fmt, 404, [(404, "没有这个资源,或不支持该格式(只支持 .xml 和 .json)。"
                                           "(resource or format not found)")])
