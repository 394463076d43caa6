"""Lists of tasks: my tasks, the overdue board, by unit/group/plan, and the 交账台账."""

from datetime import date

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from chuangwen.org.permissions import can, require
from chuangwen.org.selectors import groups_visible_to, units_visible_to

from .. import selectors
from ..colours import Colour
from ..models import TaskStatus

PAGE = 50


def _unit_filter(request):
    code = request.GET.get("unit", "").strip()[:40]
    if not code or "\x00" in code:
        return None
    return units_visible_to(request.user).filter(code=code).first()


def _group_filter(request):
    code = request.GET.get("group", "").strip()[:40]
    if not code or "\x00" in code:
        return None
    return groups_visible_to(request.user).filter(code=code).first()


def my_tasks(request):
    require(request.user, "task.view")
    context = selectors.my_tasks(request.user)
    context["can_manage"] = can(request.user, "task.manage")
    return render(request, "tasks/my_tasks.html", context)


def _after(request):
    raw = request.GET.get("after", "")
    day, _, pk = raw.partition("_")
    try:
        return (date.fromisoformat(day), int(pk)) if raw else None
    except ValueError:
        return None


def board(request):
    require(request.user, "task.view")
    colour = request.GET.get("colour", "")
    if colour not in (Colour.RED, Colour.YELLOW, Colour.BLUE):
        colour = ""
    unit, group = _unit_filter(request), _group_filter(request)
    data = selectors.board(request.user, colour=colour, unit=unit, group=group, after=_after(request), limit=PAGE)
    data.update(colour=colour, unit=unit, group=group, colour_labels=Colour.LABELS, red_after=selectors.red_after(),
                next_after=f"{data['next'][0].isoformat()}_{data['next'][1]}" if data["next"] else "",
                total=sum(data["counts"].values()))
    return render(request, "tasks/board.html", data)


def task_list(request):
    """Tasks by unit (its subtree), by working group, by plan or status; keyset-paged by code."""
    require(request.user, "task.view")
    qs = selectors.tasks_visible_to(request.user)
    unit, group = _unit_filter(request), _group_filter(request)
    role = request.GET.get("role", "lead")
    if unit is not None:
        field = "issuing_unit" if role == "issuer" else "lead_unit"
        qs = qs.filter(**{f"{field}__path__startswith": unit.path})
    if group is not None:
        qs = qs.filter(work_group=group)
    status = request.GET.get("status", "")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    plan_id = request.GET.get("plan", "")
    if plan_id.isdigit():
        qs = qs.filter(plan_id=int(plan_id))
    q = request.GET.get("q", "").strip()[:50].replace("\x00", "")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__startswith=q))
    after = request.GET.get("after", "")[:40].replace("\x00", "")
    if after:
        qs = qs.filter(code__gt=after)
    rows = list(selectors.with_colour(selectors.list_related(qs), selectors.current_thresholds())
                .order_by("code")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "tasks/task_list.html", {
        "tasks": rows, "next_after": rows[-1].code if more else "", "unit": unit, "group": group, "status": status,
        "q": q, "role": role, "statuses": TaskStatus.choices, "groups": groups_visible_to(request.user),
        "query": query.urlencode(),
    })


def handover_ledger(request):
    require(request.user, "task.view")
    unit = _unit_filter(request)
    return render(request, "tasks/handover_ledger.html", {
        "unit": unit, "handovers": selectors.handover_ledger(request.user, unit=unit),
        "owed": selectors.owed_handovers(request.user, unit=unit),
    })


def plan_list(request):
    require(request.user, "task.view")
    plans = selectors.plans_visible_to(request.user).select_related("issuing_unit")
    rows = [(p, selectors.plan_completion(p)) for p in plans[:50]]
    return render(request, "tasks/plan_list.html", {"rows": rows, "can_manage": can(request.user, "task.manage")})


def plan_detail(request, pk):
    require(request.user, "task.view")
    plan = get_object_or_404(selectors.plans_visible_to(request.user).select_related("issuing_unit"), pk=pk)
    visible = selectors.tasks_visible_to(request.user).filter(plan=plan)
    done = selectors.task_completions(plan)
    th = selectors.current_thresholds()
    top = list(selectors.with_colour(selectors.list_related(visible.filter(parent__isnull=True)), th)
               .annotate(n_subtasks=Count("subtasks")).select_related("work_group").order_by("code"))
    if not top:
        # People below the plan's top level see the highest tasks they can see.
        top = list(selectors.with_colour(selectors.list_related(visible), th)
                   .annotate(n_subtasks=Count("subtasks")).select_related("work_group").order_by("code")[:200])
    for t in top:
        t.completion = done.get(t.pk, 0.0)
    groups = {}
    for t in top:
        groups.setdefault(t.work_group, []).append(t)
    by_status = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    from chuangwen.attachments.selectors import attachments_for

    return render(request, "tasks/plan_detail.html", {
        "plan": plan, "plan_files": attachments_for("tasks.plan", [plan.pk]).get(plan.pk, []), "completion": selectors.plan_completion(plan), "groups": list(groups.items()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in TaskStatus.choices],
        "can_manage": can(request.user, "task.manage"),
    })

