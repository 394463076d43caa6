"""Problem metrics per unit, district, category and period — the selectors that pages, the API,
the dashboard and the reports share (one figure, one selector).

They read the summary table (`summary.ProblemDaily`, two queries whatever the number of
problems); only `backlog_by_age` reads `Problem`, bounded to the open ones by the
(status, deadline) index.  `recompute` derives the summary from the raw rows (tests, repair).

The formulas (DOMAIN-NOTES §2.5; counters defined in tally.py), each None when its denominator
is 0:

    按期结案率 on-time rate   = due_on_time ÷ (due − due_deferred)
    结案率     closure rate   = due_closed  ÷ (due − due_deferred)
    返工率     rework rate    = reworked ÷ (reworked + closed)   failed rechecks ÷ all rechecks
    延期率     extension rate = due_extended ÷ due
    反弹率     rebound rate   = rebounds ÷ reported
    平均办结用时 avg hours    = close_minutes ÷ closed ÷ 60       working hours, assign → close
"""

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.models import Unit
from chuangwen.org.selectors import scope_roots, units_visible_to
from chuangwen.workdays.selectors import work_calendar

from .models import Category, Problem, ProblemEvent, ProblemEventKind, ProblemStatus
from .summary import COUNTERS, ProblemDaily
from .tally import Facts, Tally, add_into, close_minutes, local_day, tally

__all__ = ["BACKLOG_STATUSES", "Backlog", "Metrics", "backlog_by_age", "recompute", "summary_table",
           "unit_metrics"]

GROUPS = ("unit", "district", "category", "day")
NO_UNIT, NO_DISTRICT = "未交办", "未填区县"


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


@dataclass
class Metrics:
    """One row of metrics: a unit, a district, a category, a day, or the total (key None)."""

    key: object = None
    label: str = "合计"
    reported: int = 0
    rebounds: int = 0
    assigned: int = 0
    closed: int = 0
    close_minutes: int = 0
    reworked: int = 0
    due: int = 0
    due_deferred: int = 0
    due_closed: int = 0
    due_on_time: int = 0
    due_extended: int = 0

    @property
    def assessed(self) -> int:
        """应结案数 less 挂账: the denominator of the closure rates."""
        return self.due - self.due_deferred

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.due_on_time, self.assessed)

    @property
    def closure_rate(self) -> float | None:
        return ratio(self.due_closed, self.assessed)

    @property
    def rework_rate(self) -> float | None:
        return ratio(self.reworked, self.reworked + self.closed)

    @property
    def extension_rate(self) -> float | None:
        return ratio(self.due_extended, self.due)

    @property
    def rebound_rate(self) -> float | None:
        return ratio(self.rebounds, self.reported)

    @property
    def avg_close_hours(self) -> float | None:
        return None if not self.closed else self.close_minutes / self.closed / 60

    def as_dict(self) -> dict:
        """Counters and rates, for the API and the report tables."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["key"] = self.key.isoformat() if isinstance(self.key, date) else self.key
        for name in ("on_time_rate", "closure_rate", "rework_rate", "extension_rate", "rebound_rate",
                     "avg_close_hours"):
            data[name] = getattr(self, name)
        return data


def _scope(user, unit_field: str, district_field: str) -> Q | None:
    """The rows `user` may count: those whose unit or district they see (as problems_visible_to);
    None when they see none."""
    if not has_verb(user, "problem.view"):
        return None
    roots = scope_roots(user)
    if roots is None:
        return Q()
    if not roots:
        return None
    visible = units_visible_to(user).values("id")
    return Q(**{f"{unit_field}__in": visible}) | Q(**{f"{district_field}__in": visible})


def unit_metrics(user, *, start: date, end: date, unit: Unit | None = None, district: Unit | None = None,
                 category: Category | None = None, group_by: str | None = "unit") -> list[Metrics]:
    """Metrics of [start, end] (local dates, inclusive), one row per `group_by` value ("unit",
    "district", "category", "day"; None for one total row), within what `user` sees.  `unit`
    takes its whole subtree; `district` and `category` are exact.  Two queries."""
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS} or None")
    scope = _scope(user, "unit_id", "district_id")
    if scope is None:
        return [] if group_by else [Metrics()]
    qs = ProblemDaily.objects.filter(scope, day__gte=start, day__lte=end)
    if unit is not None:
        qs = qs.filter(unit_id__in=Unit.objects.filter(path__startswith=unit.path).values("id"))
    if district is not None:
        qs = qs.filter(district_id=district.pk)
    if category is not None:
        qs = qs.filter(category_id=category.pk)
    sums = {name: Sum(name) for name in COUNTERS}
    if group_by is None:
        totals = qs.aggregate(**sums)
        return [Metrics(**{k: v or 0 for k, v in totals.items()})]
    column = {"unit": "unit_id", "district": "district_id", "category": "category_id", "day": "day"}[group_by]
    rows = [Metrics(key=row.pop(column), **{k: v or 0 for k, v in row.items()})
            for row in qs.values(column).annotate(**sums).order_by(column)]
    # A problem that moves (assigned to a unit, deadline extended) leaves rows of zeros behind.
    return _labelled([r for r in rows if any(getattr(r, name) for name in COUNTERS)], group_by)


def _labelled(rows: list, group_by: str) -> list:
    """Name each row's key (one query) and order the rows: units and districts as in the tree,
    categories as in the catalogue, days in order; the "none" row last."""
    ids = {r.key for r in rows if r.key}
    if group_by == "day":
        for r in rows:
            r.label = r.key.isoformat()
        return rows
    if group_by == "category":
        names = {c.pk: (i, c.name) for i, c in enumerate(Category.objects.filter(pk__in=ids))}
        none = "未分类"
    else:
        names = {pk: (path, name) for pk, path, name
                 in Unit.objects.filter(pk__in=ids).values_list("id", "path", "name")}
        none = NO_UNIT if group_by == "unit" else NO_DISTRICT
    for r in rows:
        r.label = names[r.key][1] if r.key in names else none
    return sorted(rows, key=lambda r: (r.key not in names, names.get(r.key, ("",))[0]))


# --- backlog -------------------------------------------------------------------------------------

# Assigned and not yet closed: the unit's (or the checker's) backlog.  Parked problems (挂账) are
# deferred, and those on the dispatch desk are nobody's backlog yet.
BACKLOG_STATUSES = (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING, ProblemStatus.AWAITING_RECHECK,
                    ProblemStatus.REWORK, ProblemStatus.PARK_REQUESTED)
# Age buckets in working days since assignment: [0, 1), [1, 3), [3, 7), [7, ∞).
AGE_BUCKETS = (("under_1", "不足1个工作日", 0), ("days_1_3", "1至3个工作日", 1),
               ("days_3_7", "3至7个工作日", 3), ("over_7", "7个工作日以上", 7))


@dataclass
class Backlog:
    key: object = None
    label: str = "合计"
    under_1: int = 0
    days_1_3: int = 0
    days_3_7: int = 0
    over_7: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.under_1 + self.days_1_3 + self.days_3_7 + self.over_7


def age_cutoffs(cal, today: date) -> dict[int, date]:
    """For each bucket floor k, the latest assignment day whose age is at least k working days,
    where age = working days in (day assigned, today]."""
    out = {}
    for _, _, k in AGE_BUCKETS:
        day, counted = today, 0
        while counted < k:
            counted += cal.is_workday(day)
            day -= timedelta(days=1)
        out[k] = day
    return out


def backlog_by_age(user, *, now: datetime | None = None, unit: Unit | None = None,
                   district: Unit | None = None, category: Category | None = None,
                   group_by: str | None = None) -> list[Backlog]:
    """Open problems (BACKLOG_STATUSES) by working days since assignment, with how many of them
    are overdue; one row per `group_by` value ("unit", "district", "category"; None for the
    total).  The age buckets turn into plain comparisons of `assigned_at`, so counting is one
    aggregate over the open problems (found by the (status, deadline) index), plus the calendar."""
    if group_by is not None and group_by not in GROUPS[:3]:
        raise ValueError(f"group_by must be one of {GROUPS[:3]} or None")
    now = now or timezone.now()
    scope = _scope(user, "responsible_unit_id", "district_id")
    if scope is None:
        return [] if group_by else [Backlog()]
    today = timezone.localtime(now).date()
    # Seven working days back is at most a few weeks, even across the National Day holiday.
    cutoffs = age_cutoffs(work_calendar(start=today - timedelta(days=60), end=today), today)
    tz = timezone.get_current_timezone()

    def assigned_on_or_before(day: date) -> Q:
        return Q(assigned_at__lt=datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz))

    counts = {}
    floors = [k for _, _, k in AGE_BUCKETS]
    for (name, _, k), upper in zip(AGE_BUCKETS, [*floors[1:], None], strict=True):
        cond = assigned_on_or_before(cutoffs[k])
        if upper is not None:
            cond &= ~assigned_on_or_before(cutoffs[upper])
        counts[name] = Count("id", filter=cond)
    counts["overdue"] = Count("id", filter=Q(deadline__lt=now))
    qs = Problem.objects.filter(scope, status__in=BACKLOG_STATUSES)
    if unit is not None:
        qs = qs.filter(responsible_unit__path__startswith=unit.path)
    if district is not None:
        qs = qs.filter(district=district)
    if category is not None:
        qs = qs.filter(category=category)
    if group_by is None:
        return [Backlog(**qs.aggregate(**counts))]
    column = {"unit": "responsible_unit_id", "district": "district_id", "category": "category_id"}[group_by]
    rows = [Backlog(key=row.pop(column) or 0, **row)
            for row in qs.values(column).annotate(**counts).order_by()]
    return _labelled(rows, group_by)


# --- recomputation -------------------------------------------------------------------------------

_CHUNK = 2000


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def recompute(start: date, end: date) -> Tally:
    """The summary of [start, end] computed from the raw problems and their events, as
    {(day, unit id, district id, category id): Counter}.  A scan of every problem with anything
    on those days: for the tests and `problems_rebuild_summary`, never for a page."""
    lo, hi = _bounds(start, end)

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": lo, f"{name}__lt": hi})

    reworked = ProblemEvent.objects.filter(kind=ProblemEventKind.RECHECK_FAIL, at__gte=lo, at__lt=hi)
    qs = (Problem.objects.filter(within("reported_at") | within("assigned_at") | within("closed_at")
                                 | within("deadline") | Q(pk__in=reworked.values("problem_id")))
          .order_by("pk").values("pk", *Facts.FIELDS))
    cal = work_calendar()  # the whole holiday register: a few rows a year
    total: Tally = {}
    batch: list[dict] = []

    def flush():
        days: dict[int, list] = {}
        fails = ProblemEvent.objects.filter(kind=ProblemEventKind.RECHECK_FAIL,
                                            problem_id__in=[r["pk"] for r in batch])
        for pk, at in fails.values_list("problem_id", "at"):
            days.setdefault(pk, []).append(local_day(at))
        for row in batch:
            part = tally(_facts(row, tuple(sorted(days.get(row["pk"], ()))), cal))
            add_into(total, {k: v for k, v in part.items() if start <= k[0] <= end})
        batch.clear()

    for row in qs.iterator(chunk_size=_CHUNK):
        batch.append(row)
        if len(batch) >= _CHUNK:
            flush()
    if batch:
        flush()
    return {k: Counter({n: c for n, c in v.items() if c}) for k, v in total.items() if any(v.values())}


def _facts(row: dict, rework_days: tuple, cal) -> Facts:
    closed = row["status"] == ProblemStatus.CLOSED
    return Facts(
        category_id=row["category_id"], district_id=row["district_id"], unit_id=row["responsible_unit_id"],
        status=row["status"], reported_at=row["reported_at"], assigned_at=row["assigned_at"],
        deadline=row["deadline"], original_deadline=row["original_deadline"], closed_at=row["closed_at"],
        is_rebound=row["rebound_of_id"] is not None, rework_days=rework_days,
        close_minutes=close_minutes(cal, row["assigned_at"], row["closed_at"]) if closed else 0,
    )


def summary_table(start: date, end: date) -> Tally:
    """The summary rows of [start, end] in `recompute`'s shape (zero rows and counters left out),
    to compare the two."""
    out: Tally = {}
    rows = ProblemDaily.objects.filter(day__gte=start, day__lte=end)
    for row in rows.values("day", "unit_id", "district_id", "category_id", *COUNTERS):
        counts = Counter({n: row[n] for n in COUNTERS if row[n]})
        if counts:
            out[(row["day"], row["unit_id"], row["district_id"], row["category_id"])] = counts
    return out
