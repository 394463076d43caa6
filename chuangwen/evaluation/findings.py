"""Rule points' raw material: problems found by the city's or a district's inspections.

A *finding* is a problem whose source is 督查 or 模拟测评, reported (found) within the period,
assigned to a responsible unit and not voided, dispatch-desk or merged.  Its level comes from
who found it:

- **city** (市级): the reporter held a post, at some time in the period, in the HQ office, a
  leadership body or the city unit; or holds no district post and has the HQ staff, leader or
  inspector (督查员) role — the city's inspectors work city-wide without a unit post.
- **district** (区级): the reporter held a post in a county, development zone or street (the
  district's and streets' own inspections).
- anything else (a unit reporting on itself, a citizen) is not a finding: no points.

**Fixed on the spot** (当场整改): the problem is closed, was never sent back for rework, and its
rectification was submitted on the local calendar day it was found.  Closing needs the recheck,
which may come a day later; the unit's part — putting it right at once — is what the rule
rewards, so the submission day decides.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import BITS, Role
from chuangwen.org.models import Post, UnitKind
from chuangwen.problems.models import Problem, ProblemStatus, Source

CITY = "city"
DISTRICT = "district"
LEVEL_LABELS = {CITY: "市级", DISTRICT: "区级"}
FINDING_SOURCES = (Source.INSPECTION, Source.MOCK)
CITY_KINDS = (UnitKind.HQ, UnitKind.LEADERSHIP, UnitKind.CITY)
DISTRICT_KINDS = (UnitKind.COUNTY, UnitKind.DEV_ZONE, UnitKind.STREET)
CITY_ROLES_MASK = BITS[Role.HQ_STAFF] | BITS[Role.LEADER] | BITS[Role.INSPECTOR]
NOT_COUNTED = (ProblemStatus.REPORTED, ProblemStatus.RETURNED, ProblemStatus.VOIDED)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in local time, for datetime columns."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def findings(start: date, end: date) -> QuerySet[Problem]:
    """Candidate findings of the period (level decided by `reporter_levels`), annotated with
    `on_spot` (1/0)."""
    lo, hi = bounds(start, end)
    tz = timezone.get_current_timezone()
    return (Problem.objects
            .filter(source__in=FINDING_SOURCES, reported_at__gte=lo, reported_at__lt=hi,
                    responsible_unit__isnull=False, reported_by__isnull=False, merged_into__isnull=True)
            .exclude(status__in=NOT_COUNTED)
            .annotate(found_day=TruncDate("reported_at", tzinfo=tz),
                      fixed_day=TruncDate("submitted_at", tzinfo=tz))
            .annotate(on_spot=Case(
                When(Q(status=ProblemStatus.CLOSED, rework_count=0, fixed_day=F("found_day")), then=Value(1)),
                default=Value(0), output_field=IntegerField())))


def reporter_levels(person_ids, start: date, end: date) -> dict[int, str]:
    """person id → CITY or DISTRICT for the reporters that count (two queries)."""
    ids = set(person_ids)
    if not ids:
        return {}
    posts = (Post.objects.filter(person_id__in=ids, valid_from__lte=end)
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
             .values_list("person_id", "unit__kind"))
    city, district = set(), set()
    for pid, kind in posts:
        if kind in CITY_KINDS:
            city.add(pid)
        elif kind in DISTRICT_KINDS:
            district.add(pid)
    for pid, mask in User.objects.filter(pk__in=ids - city - district).values_list("pk", "roles_mask"):
        if mask & CITY_ROLES_MASK:
            city.add(pid)
    levels = {pid: DISTRICT for pid in district}
    levels.update({pid: CITY for pid in city})  # a person with both posts finds for the city
    return levels


def finding_totals(start: date, end: date) -> dict[int, dict[str, tuple[int, int]]]:
    """responsible unit id → level → (findings, of which fixed on the spot).  One aggregate grouped
    by (unit, reporter), then the reporters' levels."""
    rows = list(findings(start, end).values("responsible_unit_id", "reported_by_id")
                .annotate(n=Count("id"), spot=Count("id", filter=Q(on_spot=1))).order_by())
    levels = reporter_levels({r["reported_by_id"] for r in rows}, start, end)
    out: dict[int, dict[str, tuple[int, int]]] = {}
    for r in rows:
        level = levels.get(r["reported_by_id"])
        if level is None:
            continue
        per = out.setdefault(r["responsible_unit_id"], {})
        n, spot = per.get(level, (0, 0))
        per[level] = (n + r["n"], spot + r["spot"])
    return out
