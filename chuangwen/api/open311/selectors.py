"""Reads for GeoReport v2.  Only public information leaves through them: problems reported by
the public (随手拍 / Open311 and 12345), never internal findings (inspections, mock assessments,
instructions); no staff names, no reporters' contacts."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from chuangwen.problems.models import Category, Problem, ProblemEvent, Severity, Source, TimeLimit

from .models import Open311Key, Open311Request, ServiceAttribute

# The sources whose problems Open311 publishes: reported by the public.
PUBLIC_SOURCES = (Source.CITIZEN, Source.HOTLINE)
# The spec's default volume: at most 90 days or 1000 requests, whichever is smaller.
WINDOW_DAYS = 90
MAX_REQUESTS = 1000


# --- services --------------------------------------------------------------------------------


def services_list() -> list[Category]:
    """Active categories in the catalogue's order, each with `has_attributes`."""
    has = ServiceAttribute.objects.filter(category=OuterRef("pk"), is_active=True)
    return list(Category.objects.filter(is_active=True).annotate(has_attributes=Exists(has))
                .order_by("kind", "sort_order", "code"))


def service_with_attributes(code: str) -> tuple[Category, list[ServiceAttribute]] | None:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return None
    return category, active_attributes(category)


def active_attributes(category: Category) -> list[ServiceAttribute]:
    """A service's attributes in the order a client shows them."""
    return list(ServiceAttribute.objects.filter(category=category, is_active=True).order_by("order"))


def time_limits() -> dict[int, TimeLimit]:
    """category id -> its time limit for a normal problem (what a citizen's report usually is)."""
    return {t.category_id: t for t in TimeLimit.objects.filter(severity=Severity.NORMAL)}


def service_notice(category: Category, limits: dict[int, TimeLimit] | None = None) -> str:
    limit = (limits if limits is not None else time_limits()).get(category.pk)
    if limit is None:
        return "已受理。指挥部办公室将尽快交办责任单位处置。"
    return (f"已受理。指挥部办公室交办责任单位后,“{category.name}”一般问题须在 "
            f"{limit.amount} 个{limit.get_unit_display()}内处置完毕。")


def changeset() -> datetime:
    """When the services last changed (discovery's changeset): the newest attribute edit, or the
    day this interface was published."""
    base = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())
    latest = ServiceAttribute.objects.aggregate(at=Max("updated_at"))["at"]
    return max(base, latest) if latest else base


# --- requests --------------------------------------------------------------------------------


def public_requests() -> QuerySet[Problem]:
    """Problems reported by the public, with what a request shows: the latest public event (time,
    kind, note, the status it led to) and the Open311 address id."""
    latest = ProblemEvent.objects.filter(problem=OuterRef("pk"), is_public=True).order_by("-at", "-id")
    return (
        Problem.objects.filter(source__in=PUBLIC_SOURCES)
        .select_related("category", "responsible_unit")
        .annotate(
            public_at=Subquery(latest.values("at")[:1]),
            public_note=Subquery(latest.values("note")[:1]),
            public_to_status=Subquery(latest.values("to_status")[:1]),
            public_kind=Subquery(latest.values("kind")[:1]),
            address_id=Subquery(
                Open311Request.objects.filter(problem=OuterRef("pk")).values("address_id")[:1]),
        )
        .only("number", "status", "category__code", "category__name", "description", "responsible_unit__name",
              "reported_at", "deadline", "closed_at", "address", "lat", "lng", "public_reply")
    )


@dataclass(frozen=True)
class RequestQuery:
    ids: list[str] | None = None  # overrides everything else (the spec)
    codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] | None = None  # internal statuses
    page: int = 1
    page_size: int = MAX_REQUESTS


def requests_search(q: RequestQuery) -> list[Problem]:
    qs = public_requests()
    if q.ids is not None:
        return list(qs.filter(number__in=q.ids).order_by("-reported_at", "-id")[:MAX_REQUESTS])
    qs = qs.filter(reported_at__gte=q.start, reported_at__lte=q.end)
    if q.codes:
        qs = qs.filter(category__code__in=q.codes)
    if q.statuses is not None:
        qs = qs.filter(status__in=q.statuses)
    offset = (q.page - 1) * q.page_size
    # The 90-day window and 1000 rows bound how deep an offset can go.
    return list(qs.order_by("-reported_at", "-id")[offset:offset + q.page_size])


def request_by_number(number: str) -> Problem | None:
    return public_requests().filter(number=number).first()


def request_by_token(token: str) -> Open311Request | None:
    return Open311Request.objects.filter(token=token).select_related("problem").only(
        "token", "problem__number").first()


def keys_list(*, limit: int = 200) -> list[Open311Key]:
    """The security administrator's list."""
    return list(Open311Key.objects.prefetch_related("districts").order_by("-created_at", "-pk")[:limit])
