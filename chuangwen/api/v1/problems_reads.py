"""The reads behind the problem endpoints: the scoped fetch, the detail as the problem page shows
it, the newest-first keyset page with its colour filter, the desk, the metrics, and the look-ups
of codes given in a query or a body.  The endpoints themselves are in problems.py."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja.errors import HttpError

from chuangwen.attachments.selectors import photo_evidence_for
from chuangwen.org.models import Unit
from chuangwen.org.selectors import units_visible_to
from chuangwen.places import geo
from chuangwen.places.models import Datum
from chuangwen.places.services import convert_point
from chuangwen.problems import selectors_pages as pages
from chuangwen.problems.metrics import Metrics, unit_metrics
from chuangwen.problems.models import OPEN_STATUSES, Category, Problem
from chuangwen.problems.permissions import can_act
from chuangwen.problems.selectors import list_related, problems_visible_to, reportable_sites, timeline
from chuangwen.problems.selectors_pages import DISTRICT_KINDS
from chuangwen.problems.transitions import TRANSITIONS

from . import problems_schemas as schemas
from . import problems_serializers as serializers
from .pagination import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, decode_cursor, encode_cursor

NUMBER_MAX = Problem._meta.get_field("number").max_length
DETAIL_RELATED = ("category", "responsible_unit", "district", "suggested_unit", "reported_by", "site",
                  "rebound_of", "merged_into")
# The endpoint (POST /problems/{number}/<name>) that takes each transition of the loop.
ENDPOINT_OF = {
    "assign": "assign", "accept": "accept", "return": "return", "submit": "submit", "recheck_pass": "recheck",
    "recheck_fail": "recheck", "request_park": "park-request", "approve_park": "park-decision",
    "reject_park": "park-decision", "unpark": "unpark", "void": "void",
}
# Rows read per query while looking for a colour: colours are worked out on the working clock in
# Python (colours.read, as the pages and the reminder job do), not in SQL.
COLOUR_SCAN = 200


def visible_problem(user, number: str) -> Problem:
    """The problem numbered `number` if `user` sees it; 404 otherwise (the same answer for "no
    such problem" and "not yours")."""
    if not number.isdigit() or len(number) > NUMBER_MAX:
        raise Http404
    return get_object_or_404(problems_visible_to(user).select_related(*DETAIL_RELATED), number=number)


def reread(problem: Problem) -> Problem:
    """The problem as a write left it.  Not through the scope again: the person fetched it through
    the scope to act on it, and a 退回 takes it out of the unit's scope (the answer must still
    say what happened)."""
    return Problem.objects.select_related(*DETAIL_RELATED).get(pk=problem.pk)


def allowed_actions(user, problem: Problem) -> list[str]:
    names = [ENDPOINT_OF[a] for a in TRANSITIONS if can_act(user, problem, a)]
    if "void" in names:  # a merge voids the duplicate: the same party, the same statuses
        names.append("merge")
    return list(dict.fromkeys(names))


def detail(user, problem: Problem) -> dict:
    """The problem as its page shows it: the same selectors, the same masking."""
    pages.with_due([problem])
    photos = pages.photos_of(problem)
    return serializers.problem_detail(
        problem,
        photos=photos,
        evidence_by_id=photo_evidence_for(user, photos["before"] + photos["after"]),
        allowed_actions=allowed_actions(user, problem),
        events=list(timeline(problem)),
    )


# --- lists -----------------------------------------------------------------------------------------


def cursor_id(after: str | None) -> int | None:
    if not after:
        return None
    value = decode_cursor(after)
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise HttpError(422, "分页游标无效。")
    return value


def _clamp(limit: int | None) -> int:
    return max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))


def newest_first(qs, *, after: str | None, limit: int | None, colour: str | None = None) -> dict:
    """One page of `qs`, newest first (keyset on id, never OFFSET or COUNT), each row with its
    due state and colour; with `colour`, only the rows of that colour."""
    limit = _clamp(limit)
    before = cursor_id(after)
    if before is not None:
        qs = qs.filter(id__lt=before)
    qs = qs.order_by("-id")
    if colour:
        rows = _of_colour(qs, colour, limit + 1)
    else:
        rows = pages.with_due(list(qs[: limit + 1]))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [serializers.problem_item(p) for p in rows],
        "next": encode_cursor(rows[-1].id) if more and rows else None,
    }


def _of_colour(qs, colour: str, wanted: int) -> list[Problem]:
    """Up to `wanted` rows of `colour`, newest first.  Only open problems with a deadline have a
    colour, and red and yellow ones are past it (blue ones are not): SQL narrows the scan to those
    (the (status, deadline) index), a minute's margin either side for the clock moving on."""
    margin = timezone.now()
    qs = qs.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    if colour == "blue":
        qs = qs.filter(deadline__gte=margin - timedelta(minutes=1))
    else:
        qs = qs.filter(deadline__lt=margin + timedelta(minutes=1))
    found: list[Problem] = []
    while len(found) < wanted:
        batch = pages.with_due(list(qs[:COLOUR_SCAN]))
        found += [p for p in batch if p.colour == colour]
        if len(batch) < COLOUR_SCAN:
            break
        qs = qs.filter(id__lt=batch[-1].id)
    return found[:wanted]


def filtered(user, f) -> QuerySet[Problem]:
    """The problems `user` sees, narrowed by the list's filters (schemas.ProblemFilters)."""
    qs = list_related(problems_visible_to(user))
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.unit:
        path = Unit.objects.filter(code=f.unit).values_list("path", flat=True).first()
        qs = qs.filter(responsible_unit__path__startswith=path) if path else qs.none()
    if f.district:
        qs = qs.filter(district__code=f.district)
    if f.reported_after:
        qs = qs.filter(reported_at__gte=aware(f.reported_after))
    if f.reported_before:
        qs = qs.filter(reported_at__lt=aware(f.reported_before))
    if f.q:
        qs = qs.filter(Q(number__contains=f.q) | Q(address__icontains=f.q))
    return qs


def aware(moment):
    """A time without a zone is Beijing time (the campaign's clock)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def desk(user, f, *, after: str | None, limit: int | None) -> dict:
    """HQ's dispatch desk, the page's selector (selectors_pages.desk) with its filters; an unknown
    code matches nothing."""
    empty = {"items": [], "next": None, "total": 0, "total_capped": False}
    category = district = None
    if f.category:
        category = Category.objects.filter(code=f.category).first()
        if category is None:
            return empty
    if f.district:
        district = Unit.objects.filter(code=f.district).first()
        if district is None:
            return empty
    data = pages.desk(user, category=category, district=district, source=f.source or "",
                      before=cursor_id(after), limit=_clamp(limit))
    rows = data["problems"]
    pages.with_due(rows)
    rebounds = [p.rebound_of_id for p in rows if p.rebound_of_id]
    numbers = dict(Problem.objects.filter(pk__in=rebounds).values_list("pk", "number")) if rebounds else {}
    return {
        "items": [serializers.desk_item(p, rebound_number=numbers.get(p.rebound_of_id)) for p in rows],
        "next": encode_cursor(data["next_before"]) if data["next_before"] else None,
        "total": data["total"],
        "total_capped": data["total_capped"],
    }


# --- metrics ---------------------------------------------------------------------------------------

# As the statistics page allows: a period reads one summary row per day, unit and category.
MAX_DAYS = 366


def metrics(user, params) -> dict:
    """`problems.metrics.unit_metrics` for the period (default: this month to date), its rows
    keyed by unit or category code; an unknown code (or a unit out of scope) counts nothing."""
    today = timezone.localdate()
    start, end = params.start or today.replace(day=1), params.end or today
    if start > end:
        raise ValidationError("起始日期不能晚于截止日期。")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(f"统计期间最长 {MAX_DAYS} 天,请缩短期间。")
    found = {
        "unit": units_visible_to(user).filter(code=params.unit).first() if params.unit else None,
        "district": Unit.objects.filter(code=params.district).first() if params.district else None,
        "category": Category.objects.filter(code=params.category).first() if params.category else None,
    }
    report = {"start": start, "end": end, "group": params.group}
    if any(getattr(params, name) and found[name] is None for name in found):
        return {**report, "items": [], "total": serializers.metrics(Metrics(), {})}
    kwargs = {"start": start, "end": end, **found}
    rows = unit_metrics(user, group_by=params.group, **kwargs)
    [total] = unit_metrics(user, group_by=None, **kwargs)
    keys = {r.key for r in rows if r.key}
    model = Category if params.group == "category" else Unit
    codes = dict(model.objects.filter(pk__in=keys).values_list("pk", "code")) if keys else {}
    return {**report, "items": [serializers.metrics(r, codes) for r in rows],
            "total": serializers.metrics(total, {})}


# --- codes in a body -----------------------------------------------------------------------------


def unit_in_scope(user, code: str, *, label: str = "单位") -> Unit:
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise ValidationError(f"{label}“{code}”不存在,或不在您的管理范围内;请填写单位编码。")
    return unit


def problem_in_scope(user, number: str) -> Problem:
    problem = problems_visible_to(user).filter(number=number).first() if number.isdigit() else None
    if problem is None:
        raise ValidationError(f"问题“{number}”不存在,或您无权查看。")
    return problem


def report_places(user, payload: schemas.ProblemReportIn) -> dict:
    """The body's codes and coordinates as the service takes them (a Chinese refusal for each)."""
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise ValidationError(f"问题类别“{payload.category}”不存在。")
    district = site = None
    if payload.district:
        district = Unit.objects.active().filter(code=payload.district, kind__in=DISTRICT_KINDS).first()
        if district is None:
            raise ValidationError(f"区县“{payload.district}”不存在或已撤销。")
    if payload.site:
        # The sites the report form lets the person name: an unknown one and one out of reach read alike.
        site = reportable_sites(user).filter(code=payload.site).select_related("district").first()
        if site is None:
            raise ValidationError(f"点位“{payload.site}”不存在,请核对点位编码。")
    lng, lat, _ = convert_point(payload.lng, payload.lat, Datum.WGS84)
    if lng is not None and not geo.in_china(float(lng), float(lat)):
        raise ValidationError("定位不在国内,请核对经纬度。")
    return {"category": category, "district": district, "site": site, "lng": lng, "lat": lat}
