"""The score card recomputed from the raw records with plain loops — deliberately not through
the app's queries, counts or scoring code — to check the pages' figures against."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import timezone

from chuangwen.org.models import Unit
from chuangwen.problems.models import Problem, ProblemEvent
from chuangwen.tasks.models import Handover, Task

# The default weights as the decision record states them (tasks, on-time, rework, handover, mock).
WEIGHTS = {"district": (25, 30, 10, 15, 20), "community": (20, 40, 15, 10, 15), "street": (25, 35, 15, 10, 15)}
SHARE = Fraction(70, 100)
CITY_REPORTERS = {"inspector", "hq", "mayor"}
DISTRICT_REPORTERS = {"district_head"}


def day(dt):
    return timezone.localdate(dt)


def units_of(unit: Unit, subtree: bool) -> set[int]:
    if not subtree:
        return {unit.pk}
    return {u.pk for u in Unit.objects.all() if u.path.startswith(unit.path)}


@dataclass
class Expected:
    counts: dict = field(default_factory=dict)  # code → (numerator, denominator)
    city: int = 0
    city_spot: int = 0
    district: int = 0
    district_spot: int = 0

    def weighted(self, weights) -> Fraction | None:
        codes = ("tasks", "problem_on_time", "rework", "handover", "mock")
        rates = {}
        for code in codes:
            num, den = self.counts.get(code, (0, 0))
            if den:
                rate = Fraction(num, den)
                rates[code] = 1 - rate if code == "rework" else rate
        total = sum(w for code, w in zip(codes, weights, strict=True) if code in rates)
        if not total:
            return None
        return 100 * sum(Fraction(w, total) * rates[c] for c, w in zip(codes, weights, strict=True) if c in rates)

    def rules(self) -> Fraction:
        pts = 100 - 2 * (self.city - self.city_spot) - self.city_spot - (self.district - self.district_spot)
        return max(Fraction(0), Fraction(pts) - Fraction(self.district_spot, 2))

    def score(self, weights) -> Decimal:
        value = SHARE * self.weighted(weights) + (1 - SHARE) * self.rules()
        return round2(value)


def round2(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected(unit: Unit, start, end, *, subtree: bool = False) -> Expected:
    ids = units_of(unit, subtree)
    e = Expected()
    due = on_time = 0
    for t in Task.objects.all():
        if t.lead_unit_id in ids and t.status not in ("draft", "cancelled") and t.original_deadline \
                and start <= t.original_deadline <= end:
            due += 1
            on_time += t.status == "accepted" and day(t.accepted_at) <= t.original_deadline
    e.counts["tasks"] = (on_time, due)
    assessed = in_time = 0
    for p in Problem.objects.all():
        if p.responsible_unit_id in ids and p.deadline and p.status != "voided" and start <= day(p.deadline) <= end:
            if p.status == "parked":
                continue
            assessed += 1
            in_time += p.status == "closed" and p.closed_at <= p.deadline
    e.counts["problem_on_time"] = (in_time, assessed)
    fails = sum(1 for ev in ProblemEvent.objects.filter(kind="recheck_fail")
                if ev.problem.responsible_unit_id in ids and start <= day(ev.at) <= end)
    closed = sum(1 for p in Problem.objects.filter(status="closed")
                 if p.responsible_unit_id in ids and start <= day(p.closed_at) <= end)
    e.counts["rework"] = (fails, fails + closed)
    first = {}
    for h in Handover.objects.order_by("id"):
        first.setdefault(h.task_id, h)
    handed = passed = 0
    for h in first.values():
        if h.from_unit_id in ids and start <= day(h.submitted_at) <= end and h.status in ("accepted", "returned"):
            handed += 1
            passed += h.status == "accepted"
    e.counts["handover"] = (passed, handed)
    for p in Problem.objects.select_related("reported_by"):
        if p.responsible_unit_id not in ids or p.source not in ("inspection", "mock") or p.reported_by is None:
            continue
        if p.status in ("reported", "returned", "voided") or not start <= day(p.reported_at) <= end:
            continue
        spot = p.status == "closed" and p.rework_count == 0 and p.submitted_at is not None \
            and day(p.submitted_at) == day(p.reported_at)
        if p.reported_by.username in CITY_REPORTERS:
            e.city += 1
            e.city_spot += spot
        elif p.reported_by.username in DISTRICT_REPORTERS:
            e.district += 1
            e.district_spot += spot
    return e
