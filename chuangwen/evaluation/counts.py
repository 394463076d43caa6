"""The components' raw counts for every unit at once: one aggregate query each, grouped by unit
(never a query per unit), so finalising a month for thousands of units stays a few queries.

Definitions (each unit counts its own records; `engine.rollup` adds a subtree when the group is
set to include it):

- tasks (任务按期完成率): tasks led by the unit whose *original* deadline falls in the period
  (an approved extension does not move the assessment: tasks.Task.original_deadline), issued
  (not draft, not cancelled); on time = accepted no later than that original deadline (local
  date of `accepted_at`).
- problems (按期结案率, 返工率): `chuangwen.problems.metrics.unit_metrics` over the period, by
  responsible unit — the summary table the problem pages read; on-time = due_on_time ÷
  (due − due_deferred), rework = reworked ÷ (reworked + closed).
- handover (交账一次验收通过率): the first handover of each task, by the handing-in unit,
  submitted in the period and decided (accepted or returned); passed = accepted.  A handover
  still waiting for the decision is left out (it is neither a pass nor a failure yet).
- mock (模拟测评得分率): no assessment rounds exist yet, so no unit has data.
"""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from chuangwen.problems.metrics import unit_metrics
from chuangwen.tasks.models import Handover, HandoverStatus, Task, TaskStatus

from .findings import bounds

Counts = dict[int, tuple[int, int]]
NOT_ASSESSED = (TaskStatus.DRAFT, TaskStatus.CANCELLED)
DECIDED = (HandoverStatus.ACCEPTED, HandoverStatus.RETURNED)


def tasks_due(start: date, end: date) -> QuerySet[Task]:
    """Tasks due in the period, annotated with `on_time` (True/False)."""
    tz = timezone.get_current_timezone()
    return (Task.objects.filter(original_deadline__gte=start, original_deadline__lte=end,
                                lead_unit__isnull=False)
            .exclude(status__in=NOT_ASSESSED)
            .annotate(accepted_day=TruncDate("accepted_at", tzinfo=tz)))


ON_TIME = Q(status=TaskStatus.ACCEPTED, accepted_day__lte=F("original_deadline"))


def task_counts(start: date, end: date) -> Counts:
    rows = (tasks_due(start, end).values("lead_unit_id")
            .annotate(due=Count("id"), on_time=Count("id", filter=ON_TIME)).order_by())
    return {r["lead_unit_id"]: (r["on_time"], r["due"]) for r in rows}


def first_handovers(start: date, end: date) -> QuerySet[Handover]:
    """First handovers of their task submitted in the period and decided."""
    lo, hi = bounds(start, end)
    earlier = Handover.objects.filter(task_id=OuterRef("task_id"), id__lt=OuterRef("id"))
    return (Handover.objects.filter(submitted_at__gte=lo, submitted_at__lt=hi, status__in=DECIDED)
            .filter(~Exists(earlier)))


def handover_counts(start: date, end: date) -> Counts:
    rows = (first_handovers(start, end).values("from_unit_id")
            .annotate(n=Count("id"), passed=Count("id", filter=Q(status=HandoverStatus.ACCEPTED))).order_by())
    return {r["from_unit_id"]: (r["passed"], r["n"]) for r in rows}


def problem_counts(reader, start: date, end: date) -> tuple[Counts, Counts]:
    """(on-time, rework) counts per responsible unit, from the shared problem metrics.  `reader`
    must see every unit (engine.READER): a ranking compares all units, whoever asks."""
    on_time, rework = {}, {}
    for m in unit_metrics(reader, start=start, end=end, group_by="unit"):
        if not m.key:
            continue
        on_time[m.key] = (m.due_on_time, m.assessed)
        rework[m.key] = (m.reworked, m.reworked + m.closed)
    return on_time, rework
