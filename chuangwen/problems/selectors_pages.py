"""Reads behind the problem pages: the dispatch desk with filters, a unit's problems by tab, the
filtered list behind the metrics' figures, the recheck queue, a problem's photos, and the
citizen's public view.  Every staff list starts from `selectors.problems_visible_to`; lists are
keyset-paged by id and never count the whole table."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from chuangwen.attachments.selectors import attachments_for
from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.selectors import duty_units

from .metrics import BACKLOG_STATUSES
from .metrics import _scope as metrics_scope
from .models import DISPATCH_STATUSES, OPEN_STATUSES, Category, Problem, ProblemEvent, ProblemStatus
from .selectors import list_related, problems_visible_to
from .services.report import PHOTO_AFTER, PHOTO_BEFORE

PAGE = 30
# Counts shown beside a list stop here ("1000+"): a bounded COUNT over a LIMIT subquery.
COUNT_CAP = 1000
DISTRICT_KINDS = (UnitKind.COUNTY, UnitKind.DEV_ZONE)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple


# The tabs of "my unit's problems" (本单位问题).  A park request still owes work until HQ
# decides; a parked problem is listed with those being fixed (its badge says 已挂账).
UNIT_TABS = (
    Tab("pending", "待签收", (ProblemStatus.ASSIGNED,)),
    Tab("rectifying", "整改中", (ProblemStatus.RECTIFYING, ProblemStatus.PARK_REQUESTED, ProblemStatus.PARKED)),
    Tab("rework", "返工", (ProblemStatus.REWORK,)),
    Tab("recheck", "待复查", (ProblemStatus.AWAITING_RECHECK,)),
    Tab("closed", "已销号", (ProblemStatus.CLOSED,)),
)
TABS_BY_KEY = {t.key: t for t in UNIT_TABS}
# Tabs whose size is worth showing: each is the open work of a few units (index problems_unit).
COUNTED_TABS = ("pending", "rectifying", "rework", "recheck")


def bounded_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): COUNT(*) over at most cap + 1 rows."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def page_of(qs: QuerySet, *, before: int | None, limit: int = PAGE, ascending: bool = False):
    """Rows of a keyset page by id and the cursor of the next page (None on the last)."""
    if before:
        qs = qs.filter(id__gt=before) if ascending else qs.filter(id__lt=before)
    rows = list(qs.order_by("id" if ascending else "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def due_state(problem: Problem, now=None) -> str:
    """"overdue" when the deadline has passed while the unit owes work (OPEN_STATUSES), else ""."""
    if problem.deadline is None or problem.status not in OPEN_STATUSES:
        return ""
    return "overdue" if problem.deadline < (now or timezone.now()) else ""


def with_due(rows: list[Problem]) -> list[Problem]:
    """Set `due` (overdue or not) and `colour` (三色督办 on the working clock, colours.read: the
    same reading as the reminder job) on each row; one calendar query for the page."""
    from chuangwen.workdays.selectors import work_calendar

    from .colours import Colour, read
    from .jobs import red_after_hours

    now = timezone.now()
    open_rows = [p for p in rows if p.deadline is not None and p.status in OPEN_STATUSES]
    cal = None
    if open_rows:
        days = [timezone.localdate(t) for p in open_rows for t in (p.assigned_at or p.deadline, p.deadline)]
        cal = work_calendar(start=min(days), end=max([*days, timezone.localdate(now)]))
    red_after = red_after_hours()
    open_ids = {p.pk for p in open_rows}
    for p in rows:
        p.due = due_state(p, now)
        p.colour = (read(cal, assigned_at=p.assigned_at, deadline=p.deadline, now=now, red_after=red_after).colour
                    if p.pk in open_ids else Colour.NONE)
    return rows


def district_choices() -> list[Unit]:
    """County-level units (and development zones), the districts problems are filed under."""
    return list(Unit.objects.active().filter(kind__in=DISTRICT_KINDS).order_by("path"))


def category_groups(*, active_only: bool = True) -> list[tuple[str, list[Category]]]:
    """Categories grouped by 部件/事件 and 大类, in catalogue order, for a grouped select."""
    qs = Category.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    groups: dict[str, list[Category]] = {}
    for c in qs.order_by("kind", "sort_order", "code"):
        groups.setdefault(f"{c.get_kind_display()} · {c.group}", []).append(c)
    return list(groups.items())


# --- the dispatch desk ------------------------------------------------------------------------

def desk(user, *, category=None, district=None, source: str = "", before: int | None = None,
         limit: int = PAGE) -> dict:
    """HQ's dispatch desk: new and returned problems, newest first, with the routing table's
    suggestion; filtered by category, district and source."""
    qs = problems_visible_to(user).filter(status__in=DISPATCH_STATUSES)
    if category is not None:
        qs = qs.filter(category=category)
    if district is not None:
        qs = qs.filter(district=district)
    if source:
        qs = qs.filter(source=source)
    total, capped = bounded_count(qs)
    rows, next_before = page_of(list_related(qs).select_related("suggested_unit"), before=before, limit=limit)
    return {"problems": rows, "next_before": next_before, "total": total, "total_capped": capped}


# --- a unit's problems --------------------------------------------------------------------------

def unit_problems(user, *, tab: Tab, before: int | None = None, limit: int = PAGE) -> dict:
    """The problems of the units the person acts for (head or liaison), in one tab."""
    units = list(duty_units(user))
    qs = problems_visible_to(user).filter(responsible_unit_id__in=units, status__in=tab.statuses)
    rows, next_before = page_of(list_related(qs), before=before, limit=limit)
    return {"problems": with_due(rows), "next_before": next_before}


def unit_tab_counts(user) -> dict[str, int]:
    """How many problems wait in each open tab (one grouped query over the units' open work)."""
    units = list(duty_units(user))
    if not units:
        return {}
    statuses = [s for key in COUNTED_TABS for s in TABS_BY_KEY[key].statuses]
    by_status = dict(
        problems_visible_to(user).filter(responsible_unit_id__in=units, status__in=statuses)
        .values_list("status").annotate(n=Count("id")).order_by()
    )
    return {key: sum(by_status.get(s, 0) for s in TABS_BY_KEY[key].statuses) for key in COUNTED_TABS}


def overdue_count(user) -> int:
    units = list(duty_units(user))
    if not units:
        return 0
    qs = problems_visible_to(user).filter(responsible_unit_id__in=units, status__in=OPEN_STATUSES,
                                          deadline__lt=timezone.now())
    return bounded_count(qs)[0]


def reported_by(user, *, before: int | None = None, limit: int = PAGE) -> dict:
    """Problems the person reported (inspectors' own finds), newest first."""
    qs = problems_visible_to(user).filter(reported_by=user)
    rows, next_before = page_of(list_related(qs), before=before, limit=limit)
    return {"problems": with_due(rows), "next_before": next_before}


# --- the filtered list (全部问题): what a figure of the metrics counts ---------------------------

# The moment a list may be filtered by, in local days as tally.py lands each count on one:
# 上报数 on reported_at, 交办数 on assigned_at, 销号 on closed_at, 应结案数 on the deadline in force.
DATE_FIELDS = {
    "reported": ("reported_at", "上报日期"),
    "assigned": ("assigned_at", "交办日期"),
    "closed": ("closed_at", "销号日期"),
    "deadline": ("deadline", "整改时限"),
}
# Problems counted as assigned and as due (tally.py): with a responsible unit and not voided.  A
# returned problem has no unit, a reported one never had one; so these are the statuses left.
HANDLED_STATUSES = (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING, ProblemStatus.AWAITING_RECHECK,
                    ProblemStatus.REWORK, ProblemStatus.CLOSED, ProblemStatus.PARK_REQUESTED,
                    ProblemStatus.PARKED)
STATUS_SETS = {
    "handled": ("已交办(不含退回、作废)", HANDLED_STATUSES),
    "backlog": ("积压(已交办未销号,不含挂账)", BACKLOG_STATUSES),
}
# The unit or district filter's value for "none" (the metrics' 未交办 and 未填区县 rows).
NONE = "-"
# How each linked figure of the metrics page reads as list filters (the period and the row's
# unit, district or category are added by the page).
COUNT_FILTERS = {
    "reported": {"date": "reported"},
    "assigned": {"date": "assigned", "status": "handled"},
    "due": {"date": "deadline", "status": "handled"},
    "due_on_time": {"date": "deadline", "status": "handled", "on_time": "1"},
}


@dataclass(frozen=True)
class ListFilter:
    """Filters of the problem list; `no_unit`/`no_district` ask for problems without one (the
    metrics' 未交办 and 未填区县 rows)."""

    unit: Unit | None = None
    no_unit: bool = False
    district: Unit | None = None
    no_district: bool = False
    category: Category | None = None
    status: str = ""  # a ProblemStatus value or a STATUS_SETS key
    basis: str = ""  # a DATE_FIELDS key: the date that start and/or end bound (local, inclusive)
    start: date | None = None
    end: date | None = None
    on_time: bool = False  # closed no later than the deadline (按期)
    overdue: bool = False  # the deadline has passed


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def filtered_problems(user, f: ListFilter) -> QuerySet[Problem]:
    """The problems `f` selects among those the metrics count for `user`: the problems of the
    units and districts in scope (`metrics._scope`, so the list and the figure agree; the
    problems someone reported outside it are in their 我上报的 tab)."""
    scope = metrics_scope(user, "responsible_unit_id", "district_id")
    if scope is None:
        return Problem.objects.none()
    qs = problems_visible_to(user).filter(scope)
    if f.no_unit:
        qs = qs.filter(responsible_unit__isnull=True)
    elif f.unit is not None:
        qs = qs.filter(responsible_unit=f.unit)
    if f.no_district:
        qs = qs.filter(district__isnull=True)
    elif f.district is not None:
        qs = qs.filter(district=f.district)
    if f.category is not None:
        qs = qs.filter(category=f.category)
    if f.status in STATUS_SETS:
        qs = qs.filter(status__in=STATUS_SETS[f.status][1])
        if f.status == "handled":
            qs = qs.filter(responsible_unit__isnull=False)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.basis:
        field = DATE_FIELDS[f.basis][0]
        if f.start is not None:
            qs = qs.filter(**{f"{field}__gte": day_start(f.start)})
        if f.end is not None:
            qs = qs.filter(**{f"{field}__lt": day_start(f.end + timedelta(days=1))})
    if f.on_time:
        qs = qs.filter(status=ProblemStatus.CLOSED, closed_at__isnull=False, closed_at__lte=F("deadline"))
    if f.overdue:
        qs = qs.filter(deadline__lt=timezone.now())
    return qs


def problem_list(user, f: ListFilter, *, before: int | None = None, limit: int = PAGE) -> dict:
    """One keyset page of `filtered_problems`, newest first, with a bounded count."""
    qs = filtered_problems(user, f)
    total, capped = bounded_count(qs)
    rows, next_before = page_of(list_related(qs), before=before, limit=limit)
    return {"problems": with_due(rows), "next_before": next_before, "total": total, "total_capped": capped}


# --- the recheck queue ------------------------------------------------------------------------

def recheck_queue(user, *, after: int | None = None, limit: int = PAGE) -> dict:
    """Problems awaiting recheck in the person's scope, oldest first (first fixed, first
    checked), each with its before and after photos (two queries for the page)."""
    qs = problems_visible_to(user).filter(status=ProblemStatus.AWAITING_RECHECK)
    rows, next_after = page_of(list_related(qs), before=after, limit=limit, ascending=True)
    ids = [p.pk for p in rows]
    before_photos = attachments_for(PHOTO_BEFORE, ids)
    after_photos = attachments_for(PHOTO_AFTER, ids)
    for p in rows:
        p.before_photos = before_photos.get(p.pk, [])
        # The latest submission's photos matter most: newest first.
        p.after_photos = list(reversed(after_photos.get(p.pk, [])))
    return {"problems": rows, "next_after": next_after}


# --- one problem --------------------------------------------------------------------------------

def photos_of(problem: Problem) -> dict[str, list]:
    return {
        "before": attachments_for(PHOTO_BEFORE, [problem.pk]).get(problem.pk, []),
        "after": attachments_for(PHOTO_AFTER, [problem.pk]).get(problem.pk, []),
    }


# --- the citizen's tracking page -----------------------------------------------------------------

# Status in plain words for the person who reported it.  Internal steps (a park request, a unit
# returning a problem to the desk) read as the step the citizen can understand.
PUBLIC_STATUS = {
    ProblemStatus.REPORTED: "已受理,正在分派责任单位",
    ProblemStatus.RETURNED: "已受理,正在分派责任单位",
    ProblemStatus.ASSIGNED: "已交办责任单位,等待处理",
    ProblemStatus.RECTIFYING: "责任单位正在整改",
    ProblemStatus.PARK_REQUESTED: "责任单位正在整改",
    ProblemStatus.REWORK: "复查未通过,责任单位正在重新整改",
    ProblemStatus.AWAITING_RECHECK: "整改完成,等待复查",
    ProblemStatus.CLOSED: "已整改完毕,经复查销号",
    ProblemStatus.PARKED: "需较长时间解决,已列入整改计划",
    ProblemStatus.VOIDED: "经核实不予立案(如重复反映或不属于受理范围)",
}
PUBLIC_EVENT = {
    "report": "您的反映已收到",
    "assign": "已交办责任单位",
    "accept": "责任单位已签收,开始整改",
    "submit": "责任单位报告整改完成",
    "recheck_pass": "复查通过,问题销号",
    "recheck_fail": "复查未通过,要求重新整改",
    "approve_park": "列入长期整改计划",
    "unpark": "恢复整改",
    "void": "不予立案",
    "extension_decide": "经批准延长整改时限",
    "reply": "答复",
}
PUBLIC_DONE = (ProblemStatus.CLOSED,)


@dataclass(frozen=True)
class PublicStep:
    at: object
    label: str


def public_view(problem: Problem) -> dict:
    """What the tracking page may show: the status in words, the public steps (a date and a
    label each: never a name, never a staff note), the public reply, the citizen's photos and,
    once the fix has passed recheck, the after photos."""
    events = ProblemEvent.objects.filter(problem=problem, is_public=True).order_by("at", "id")
    steps = [PublicStep(e.at, PUBLIC_EVENT.get(e.kind, e.get_kind_display())) for e in events.only("at", "kind")]
    kinds = public_photo_kinds(problem)
    photos = attachments_for(PHOTO_BEFORE, [problem.pk]).get(problem.pk, [])
    return {
        "status_text": PUBLIC_STATUS.get(problem.status, problem.get_status_display()),
        "done": problem.status in PUBLIC_DONE,
        "steps": steps,
        "before_photos": photos,
        # An after photo is shown once the recheck confirmed it: a rejected fix's photo would
        # tell the citizen the problem was solved when it was not.
        "after_photos": attachments_for(PHOTO_AFTER, [problem.pk]).get(problem.pk, []) if PHOTO_AFTER in kinds else [],
    }


def public_photo_kinds(problem: Problem) -> tuple[str, ...]:
    """The photo kinds the tracking page shows for `problem` (see `public_view`)."""
    return (PHOTO_BEFORE, PHOTO_AFTER) if problem.status == ProblemStatus.CLOSED else (PHOTO_BEFORE,)


def public_photo(problem: Problem, pk: int):
    """One photo the tracking page shows for `problem`, or None."""
    from chuangwen.attachments.models import Attachment

    return Attachment.objects.filter(pk=pk, owner_id=problem.pk, owner_kind__in=public_photo_kinds(problem)).first()
