"""Reads of tasks, every one through the scope rule; pages, API, exports and jobs share them.

Seeing a task: HQ staff and leaders see all.  Others see the tasks their scope's units gave
(issuing unit), and, once issued, the tasks their scope's units lead or cooperate on, and the
tasks naming them as responsible person or linked leader.
"""

from datetime import date
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from chuangwen.org.models import Unit, WorkGroup
from chuangwen.org.selectors import scope_roots
from chuangwen.workdays.selectors import work_calendar

from . import colours, rollup
from .models import (
    LIVE_STATUSES, OPEN_STATUSES, Extension, ExtensionStatus, Handover, HandoverStatus, Milestone, Plan,
    ProgressUpdate, Task, TaskStatus,
)
from .permissions import _posts


def tasks_visible_to(user) -> QuerySet[Task]:
    roots = scope_roots(user)
    if roots is None:
        return Task.objects.all()
    if user is None or not user.is_authenticated:
        return Task.objects.none()
    after_issue = Q(responsible_person=user) | Q(linked_leader=user)
    given = Q(pk__in=[])
    if roots:
        # Ids of the units in scope as a subquery: one LIKE per unit, not per task row.
        units = Unit.objects.filter(_under_path(roots)).values("id")
        after_issue |= Q(lead_unit_id__in=units)
        after_issue |= Q(pk__in=Task.cooperating_units.through.objects.filter(unit_id__in=units).values("task_id"))
        given = Q(issuing_unit_id__in=units)
    return Task.objects.filter(given | (after_issue & ~Q(status=TaskStatus.DRAFT)))


def _under_path(roots: list[str]) -> Q:
    return reduce(or_, (Q(path__startswith=p) for p in roots))


def plans_visible_to(user) -> QuerySet[Plan]:
    if scope_roots(user) is None:
        return Plan.objects.all()
    return Plan.objects.filter(pk__in=tasks_visible_to(user).values("plan_id"))


# --- colours -------------------------------------------------------------------------------------


def red_after() -> int:
    return getattr(settings, "CHUANGWEN_TASK_RED_AFTER", colours.RED_AFTER)


def current_thresholds(today: date | None = None) -> colours.Thresholds:
    today = today or timezone.localdate()
    # The calendar for a window around today is all the colour needs.
    cal = work_calendar(start=today.replace(day=1).replace(year=today.year - 1), end=today.replace(year=today.year + 1))
    return colours.thresholds(cal, today, red_after())


def milestone_behind(today: date) -> Q:
    # An id list subquery, not a correlated EXISTS: evaluated once, not once per task row.
    return Q(pk__in=Milestone.objects.filter(done_at__isnull=True, due__lt=today).values("task_id"))


def with_colour(qs: QuerySet[Task], th: colours.Thresholds) -> QuerySet[Task]:
    """Annotate `colour` on open tasks (others get none) with date comparisons only."""
    open_ = Q(status__in=OPEN_STATUSES)
    return qs.annotate(
        colour=Case(
            When(open_ & Q(deadline__lte=th.red_on_or_before), then=Value(colours.Colour.RED)),
            When(open_ & Q(deadline__lt=th.today), then=Value(colours.Colour.YELLOW)),
            When(open_ & Q(deadline__lte=th.blue_until), then=Value(colours.Colour.BLUE)),
            When(open_ & milestone_behind(th.today), then=Value(colours.Colour.BLUE)),
            default=Value(colours.Colour.NONE),
        )
    )


def colour_filter(colour: str, th: colours.Thresholds) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    if colour == colours.Colour.RED:
        return open_ & Q(deadline__lte=th.red_on_or_before)
    if colour == colours.Colour.YELLOW:
        return open_ & Q(deadline__gt=th.red_on_or_before, deadline__lt=th.today)
    if colour == colours.Colour.BLUE:
        return open_ & Q(deadline__gte=th.today) & (Q(deadline__lte=th.blue_until) | milestone_behind(th.today))
    raise ValueError(colour)


def board(user, *, colour: str = "", unit=None, group=None, th: colours.Thresholds | None = None,
          after: tuple | None = None, limit: int = 50) -> dict:
    """The overdue board (三色督办): open tasks in colour, most urgent first, keyset-paged by
    (deadline, id), with the count of each colour."""
    th = th or current_thresholds()
    qs = tasks_visible_to(user).filter(status__in=OPEN_STATUSES)
    if unit is not None:
        qs = qs.filter(lead_unit__path__startswith=unit.path)
    if group is not None:
        qs = qs.filter(work_group=group)
    counts = colour_counts(qs, th)
    if colour:
        qs = qs.filter(colour_filter(colour, th))
    else:
        qs = qs.filter(reduce(or_, (colour_filter(c, th) for c in counts)))
    if after:
        qs = qs.filter(Q(deadline__gt=after[0]) | Q(deadline=after[0], id__gt=after[1]))
    # The page's ids first (an index walk on the open tasks by deadline), then only those rows
    # with their joins and colour: the planner no longer sorts every open task in view.
    page_ids = qs.order_by("deadline", "id").values_list("pk", flat=True)[: limit + 1]
    rows = list(with_colour(list_related(Task.objects.filter(pk__in=list(page_ids))), th).order_by("deadline", "id"))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"tasks": rows, "counts": counts, "next": (rows[-1].deadline, rows[-1].id) if more else None,
            "thresholds": th}


def colour_counts(qs: QuerySet[Task], th: colours.Thresholds) -> dict[str, int]:
    """How many open tasks of `qs` are red, yellow and blue: the board's header, the home page."""
    qs = qs.filter(status__in=OPEN_STATUSES)
    return {c: qs.filter(colour_filter(c, th)).count() for c in (colours.Colour.RED, colours.Colour.YELLOW,
                                                                 colours.Colour.BLUE)}


def list_related(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("lead_unit", "issuing_unit", "plan")


def my_tasks(user, *, th: colours.Thresholds | None = None, limit: int = 50) -> dict:
    """What is on the person's desk, by the posts they hold: tasks their units lead (to sign for,
    report, hand in), handovers and extension requests waiting for them as the issuing unit's
    head or staff, and, for leaders, tasks linked to them."""
    th = th or current_thresholds()
    posts = _posts(user)
    unit_ids = list(posts)
    head_unit_ids = [u for u, head in posts.items() if head]
    todo = with_colour(
        list_related(Task.objects.filter(lead_unit_id__in=unit_ids, status__in=LIVE_STATUSES)), th
    ).order_by("deadline", "id")[:limit]
    to_accept = (Handover.objects.filter(to_unit_id__in=head_unit_ids, status=HandoverStatus.SUBMITTED)
                 .select_related("task", "from_unit").order_by("submitted_at")[:limit])
    issuing_ids = list(unit_ids)
    if user.has_role("hq_staff"):
        from chuangwen.org.models import Unit, UnitKind

        issuing_ids += list(Unit.objects.filter(kind=UnitKind.HQ).values_list("id", flat=True))
    extensions = (Extension.objects.filter(task__issuing_unit_id__in=issuing_ids, status=ExtensionStatus.PENDING)
                  .select_related("task", "task__lead_unit").order_by("requested_at")[:limit])
    drafts = list_related(Task.objects.filter(issuing_unit_id__in=issuing_ids, status=TaskStatus.DRAFT)
                          ).order_by("-created_at")[:limit]
    linked = with_colour(list_related(Task.objects.filter(linked_leader=user, status__in=OPEN_STATUSES)), th
                         ).order_by("deadline", "id")[:limit]
    # A working group's lead leader follows the group's tasks that are behind.
    behind = colour_filter(colours.Colour.RED, th) | colour_filter(colours.Colour.YELLOW, th)
    led_groups = list(WorkGroup.objects.filter(lead=user).values_list("id", flat=True))
    group_tasks = with_colour(list_related(Task.objects.filter(behind, work_group_id__in=led_groups)), th
                              ).order_by("deadline", "id")[:limit] if led_groups else []
    return {"todo": list(todo), "to_accept": list(to_accept), "extensions": list(extensions),
            "drafts": list(drafts), "linked": list(linked), "group_tasks": list(group_tasks), "thresholds": th}


# --- one task ------------------------------------------------------------------------------------


def latest_update(task: Task) -> ProgressUpdate | None:
    return task.updates.select_related("reported_by").first()


def completion_of(task: Task) -> float:
    """The task's completion rolled up from its subtree."""
    # A subtask's code is always its parent's code plus "-NN" (services.plans._subtask_code),
    # so the subtree is one prefix query.
    subtree = Task.objects.filter(Q(pk=task.pk) | Q(code__startswith=f"{task.code}-"))
    rows = [rollup.Row(*r) for r in subtree.values_list("id", "parent_id", "weight", "status", "progress")]
    return rollup.completions(rows).get(task.pk, 0.0)


def plan_completion(plan: Plan) -> float:
    rows = [rollup.Row(*r) for r in plan.tasks.values_list("id", "parent_id", "weight", "status", "progress")]
    return rollup.plan_completion(rows)


def task_completions(plan: Plan) -> dict[int, float]:
    rows = [rollup.Row(*r) for r in plan.tasks.values_list("id", "parent_id", "weight", "status", "progress")]
    return rollup.completions(rows)


def timeline(task: Task):
    return task.events.all()


def days_overdue(task: Task, today: date | None = None) -> int:
    """Working days past the deadline: until today while the task is open, until the handover
    once handed in (an accepted task stops counting), none for drafts and cancelled tasks."""
    today = today or timezone.localdate()
    if task.deadline is None or task.status in (TaskStatus.DRAFT, TaskStatus.CANCELLED):
        return 0
    if task.status in OPEN_STATUSES:
        end = today
    else:
        end = timezone.localtime(task.handed_in_at or task.accepted_at).date() if (
            task.handed_in_at or task.accepted_at) else today
    cal = work_calendar(start=task.deadline, end=end)
    return colours.days_overdue(cal, task.deadline, end)


def colour_of(task: Task, th: colours.Thresholds | None = None) -> str:
    if task.status not in OPEN_STATUSES:
        return colours.Colour.NONE
    th = th or current_thresholds()
    behind = task.milestones.filter(done_at__isnull=True, due__lt=th.today).exists()
    return colours.colour_of(task.deadline, behind, th)


# --- 交账台账 ------------------------------------------------------------------------------------


def handovers_visible_to(user) -> QuerySet[Handover]:
    """Handovers of the tasks the person sees (the ledger page and the API)."""
    return Handover.objects.filter(task__in=tasks_visible_to(user)).select_related("task", "from_unit", "to_unit")


def handover_ledger(user, *, unit=None, limit: int = 200) -> QuerySet[Handover]:
    """Handovers of tasks the person sees: who handed what to whom, and what became of it."""
    qs = handovers_visible_to(user)
    if unit is not None:
        qs = qs.filter(Q(from_unit__path__startswith=unit.path) | Q(to_unit__path__startswith=unit.path))
    return qs.order_by("-submitted_at", "-id")[:limit]


def owed_handovers(user, *, unit=None, limit: int = 200) -> QuerySet[Task]:
    """Tasks whose accounts are still owed: live, issued by or to units in view."""
    qs = tasks_visible_to(user).filter(status__in=(*OPEN_STATUSES, TaskStatus.HANDED_IN))
    if unit is not None:
        qs = qs.filter(Q(lead_unit__path__startswith=unit.path) | Q(issuing_unit__path__startswith=unit.path))
    return list_related(qs).order_by("deadline", "id")[:limit]


def open_handover(task: Task) -> Handover | None:
    return task.handovers.filter(status=HandoverStatus.SUBMITTED).first()


# --- attachments' owners (registered in apps.py) --------------------------------------------------


def progress_update_visible(user, owner_id: int) -> bool:
    return ProgressUpdate.objects.filter(pk=owner_id, task__in=tasks_visible_to(user)).exists()


def handover_visible(user, owner_id: int) -> bool:
    return Handover.objects.filter(pk=owner_id, task__in=tasks_visible_to(user)).exists()


def plan_visible(user, owner_id: int) -> bool:
    return plans_visible_to(user).filter(pk=owner_id).exists()


def with_files(rows, owner_kind: str) -> list:
    """Attach each row's files as `.files` (one query for all rows)."""
    from chuangwen.attachments.selectors import attachments_for

    rows = list(rows)
    found = attachments_for(owner_kind, [r.pk for r in rows])
    for r in rows:
        r.files = found.get(r.pk, [])
    return rows
