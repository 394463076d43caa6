"""The records behind each figure of a score card, each listed once with its contribution.

They are read from the raw tables with the same definitions as the counts (`counts.py`,
`findings.py`): the problem components' counts come from the summary table, which the problem
services keep equal to the raw rows (problems.metrics.recompute), so the lists add up to the
card's numerator and denominator.  For a finalised period the card is frozen while the records
may have moved since (a problem closed late, a task reassigned): the page shows both figures
when they differ.

`units` is the set of unit ids the card covers: the unit, plus its subtree when its group
includes it (as recorded in the card).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from chuangwen.org.models import Unit
from chuangwen.problems.models import Problem, ProblemEvent, ProblemEventKind, ProblemStatus
from chuangwen.tasks.models import HandoverStatus, TaskStatus

from .counts import first_handovers, tasks_due
from .findings import CITY, DISTRICT, LEVEL_LABELS, bounds, findings, reporter_levels
from .models import Period
from .scoring import COMPONENT_CODES

RULES = "rules"
KINDS = (*COMPONENT_CODES, RULES)
LIMIT = 500  # rows on one page; a bigger list says so and links to the module's own list


@dataclass
class Row:
    kind: str  # "task", "problem", "handover"
    key: str  # task code or problem number (for the link)
    title: str
    unit: str
    detail: str
    numerator: int  # what the record adds to the card's numerator
    denominator: int  # ... and to its denominator
    points: Decimal | None = None  # its share of the card's points (signed for rules)


def card_units(unit: Unit, include_subtree: bool) -> list[int]:
    if not include_subtree:
        return [unit.pk]
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def _share(weight_used: float, denominator: int, success: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(str(weight_used)) * 100 * success / denominator).quantize(Decimal("0.01"))


def records(period: Period, units: list[int], kind: str, part: dict | None) -> list[Row]:
    """The rows of component (or "rules") `kind` for the card's `units` in `period`.  `part` is
    the card's component JSON (weight used and denominator, for each row's points)."""
    start, end = period.start, period.end
    if kind == "tasks":
        rows = _tasks(start, end, units)
    elif kind == "problem_on_time":
        rows = _problems_due(start, end, units)
    elif kind == "rework":
        rows = _rework(start, end, units)
    elif kind == "handover":
        rows = _handovers(start, end, units)
    elif kind == RULES:
        return _findings(start, end, units, part or {})
    else:
        return []
    if part:
        den = sum(r.denominator for r in rows)
        for r in rows:
            success = r.denominator - r.numerator if part.get("inverse") else r.numerator
            r.points = _share(part.get("weight_used", 0), den, success)
    return rows


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%m-%d %H:%M") if dt else ""


def _tasks(start, end, units) -> list[Row]:
    qs = tasks_due(start, end).filter(lead_unit_id__in=units).select_related("lead_unit").order_by(
        "original_deadline", "code")[:LIMIT]
    out = []
    for t in qs:
        on_time = t.status == TaskStatus.ACCEPTED and t.accepted_day <= t.original_deadline
        if on_time:
            detail = f"按期验收({_local(t.accepted_at)})"
        elif t.status == TaskStatus.ACCEPTED:
            detail = f"逾期验收({_local(t.accepted_at)})"
        else:
            detail = f"未验收({t.get_status_display()})"
        out.append(Row("task", t.code, t.title, t.lead_unit.name, f"原定时限 {t.original_deadline}:{detail}",
                       numerator=int(on_time), denominator=1))
    return out


def _problems_due(start, end, units) -> list[Row]:
    lo, hi = bounds(start, end)
    qs = (Problem.objects.filter(deadline__gte=lo, deadline__lt=hi, responsible_unit_id__in=units)
          .exclude(status=ProblemStatus.VOIDED).select_related("responsible_unit", "category")
          .order_by("deadline", "id")[:LIMIT])
    out = []
    for p in qs:
        if p.status == ProblemStatus.PARKED:
            out.append(Row("problem", p.number, p.category.name, p.responsible_unit.name,
                           f"时限 {_local(p.deadline)}:已挂账,不计入", 0, 0))
            continue
        closed = p.status == ProblemStatus.CLOSED and p.closed_at is not None
        on_time = closed and p.closed_at <= p.deadline
        detail = ("按期结案" if on_time else "逾期结案") + f"({_local(p.closed_at)})" if closed else "未结案"
        out.append(Row("problem", p.number, p.category.name, p.responsible_unit.name,
                       f"时限 {_local(p.deadline)}:{detail}", int(on_time), 1))
    return out


def _rework(start, end, units) -> list[Row]:
    lo, hi = bounds(start, end)
    fails = dict(ProblemEvent.objects.filter(kind=ProblemEventKind.RECHECK_FAIL, at__gte=lo, at__lt=hi,
                                             problem__responsible_unit_id__in=units)
                 .values("problem_id").annotate(n=Count("id")).values_list("problem_id", "n"))
    closed_q = Q(status=ProblemStatus.CLOSED, closed_at__gte=lo, closed_at__lt=hi)
    qs = (Problem.objects.filter(responsible_unit_id__in=units).filter(closed_q | Q(pk__in=list(fails)))
          .select_related("responsible_unit", "category").order_by("id")[:LIMIT])
    out = []
    for p in qs:
        n = fails.get(p.pk, 0)
        closed = int(p.status == ProblemStatus.CLOSED and p.closed_at is not None and lo <= p.closed_at < hi)
        bits = [f"返工 {n} 次"] if n else []
        if closed:
            bits.append(f"销号({_local(p.closed_at)})")
        out.append(Row("problem", p.number, p.category.name, p.responsible_unit.name, "、".join(bits),
                       numerator=n, denominator=n + closed))
    return out


def _handovers(start, end, units) -> list[Row]:
    qs = (first_handovers(start, end).filter(from_unit_id__in=units).select_related("task", "from_unit")
          .order_by("submitted_at", "id")[:LIMIT])
    out = []
    for h in qs:
        passed = h.status == HandoverStatus.ACCEPTED
        out.append(Row("task", h.task.code, h.task.title, h.from_unit.name,
                       f"{_local(h.submitted_at)} 首次交账:{'一次验收通过' if passed else '被退回'}",
                       int(passed), 1))
    return out


def _findings(start, end, units, rules: dict) -> list[Row]:
    """`rules` maps rule code → the card's rule JSON; points per record come from the rule
    values the card was computed with (frozen cards keep them)."""
    qs = list(findings(start, end).filter(responsible_unit_id__in=units)
              .select_related("responsible_unit", "category").order_by("reported_at", "id")[:LIMIT])
    levels = reporter_levels({p.reported_by_id for p in qs}, start, end)
    out = []
    for p in qs:
        level = levels.get(p.reported_by_id)
        if level is None:
            continue
        line = rules.get("city_problem" if level == CITY else "district_problem", {})
        full, spot = Decimal(str(line.get("full", 0))), Decimal(str(line.get("spot", 0)))
        points = spot if p.on_spot else full
        how = "当场整改" if p.on_spot else "未当场整改"
        out.append(Row("problem", p.number, p.category.name, p.responsible_unit.name,
                       f"{LEVEL_LABELS[level]}{p.get_source_display()}发现({_local(p.reported_at)}),{how}",
                       numerator=int(p.on_spot), denominator=1, points=points))
    return out


@dataclass
class Listing:
    """The records behind one figure of a card, with the figure as listed now and as on the card."""

    kind: str
    rows: list[Row]
    part: dict | None  # the card's component (None for rules)
    include_subtree: bool
    listed: tuple[int, int]  # numerator, denominator of the rows (rules: on the spot, findings)
    frozen: tuple[int, int] | None  # the card's

    @property
    def differs(self) -> bool:
        return self.frozen is not None and self.listed != self.frozen

    @property
    def truncated(self) -> bool:
        return len(self.rows) >= LIMIT


def card_records(period: Period, unit: Unit, card, kind: str) -> Listing:
    """The listing of component (or "rules") `kind` on `card` (a selectors.ScoreCard with an
    entry): the one the records page and the API show."""
    include = bool(card.formula.get("include_subtree"))
    part = next((p for p in card.parts if p["code"] == kind), None)
    if kind == RULES:
        rows = records(period, card_units(unit, include), kind, {r["code"]: r for r in card.rules})
        counted = [r for r in card.rules if not r["no_data"]]
        frozen = (sum(r["on_spot"] for r in counted), sum(r["count"] for r in counted))
    else:
        rows = records(period, card_units(unit, include), kind, part)
        frozen = (part["numerator"], part["denominator"]) if part else None
    listed = (sum(r.numerator for r in rows), sum(r.denominator for r in rows))
    return Listing(kind, rows, part, include, listed, frozen)


__all__ = ["CITY", "DISTRICT", "KINDS", "LIMIT", "RULES", "Listing", "Row", "card_records", "card_units",
           "records"]
