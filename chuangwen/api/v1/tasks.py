"""Plans, five-fixes tasks, progress updates and handovers (任务督办).

Each endpoint is an adapter: the verb (`task.view` to read, `task.work` to write), the object
through the scope rule (out of scope is 404, never 403), then one service, which checks the
person is the right party (403) and the move is legal now (422); a stale `version` is 409.
"""

from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status

from chuangwen.org.models import Unit
from chuangwen.org.permissions import require
from chuangwen.tasks import permissions, selectors, services
from chuangwen.tasks.models import Handover, ProgressUpdate, Task, TaskStatus
from chuangwen.tasks.transitions import TRANSITIONS

from . import tasks_schemas as schemas
from . import tasks_serializers as serializers
from .common import ERRORS, WRITE_ERRORS, Id, PageParams, Text, path_id, path_key
from .pagination import page

router = Router(tags=["任务督办"])

# What a task row shows beyond its own columns (one query for the whole page).
ROW_RELATED = ("plan", "parent", "issuing_unit", "lead_unit")
DETAIL_RELATED = (*ROW_RELATED, "work_group", "policy")


def _visible_task(user, code: str) -> Task:
    """The task `code` if `user` sees it; 404 otherwise (call after the verb check)."""
    qs = selectors.tasks_visible_to(user).select_related(*DETAIL_RELATED)
    return get_object_or_404(qs, code=path_key(code))


def _subtree_path(code: str) -> str | None:
    return Unit.objects.filter(code=code).values_list("path", flat=True).first()


def _detail(user, code: str) -> dict:
    """The task as its page shows it: the same selectors, the same figures."""
    qs = (
        selectors.tasks_visible_to(user)
        .select_related(*DETAIL_RELATED)
        .prefetch_related("milestones", "cooperating_units")
    )
    task = get_object_or_404(qs, code=path_key(code))
    th = selectors.current_thresholds()
    task.colour = selectors.colour_of(task, th)
    return serializers.task_detail(
        task,
        completion=selectors.completion_of(task),
        days_overdue=selectors.days_overdue(task, th.today),
        missing_fixes=services.missing_fixes(task, today=th.today) if task.status == TaskStatus.DRAFT else [],
        allowed_actions=[a for a in TRANSITIONS if permissions.can_act(user, task, a)],
        can_report=permissions.can_report(user, task),
        events=selectors.timeline(task),
    )


# --- plans ---------------------------------------------------------------------------------------


@router.get("/plans", response={200: schemas.PlanPage, **ERRORS}, summary="工作方案列表")
def list_plans(
    request, params: Query[PageParams], year: Annotated[int, Field(ge=2000, le=2100)] | None = None
):
    require(request.user, "task.view")
    qs = selectors.plans_visible_to(request.user).select_related("issuing_unit")
    if year is not None:
        qs = qs.filter(year=year)
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.plan)


@router.get("/plans/{id}", response={200: schemas.PlanDetail, **ERRORS}, summary="工作方案详情")
def get_plan(request, id: int):
    require(request.user, "task.view")
    plan = get_object_or_404(
        selectors.plans_visible_to(request.user).select_related("issuing_unit"), pk=path_id(id)
    )
    return serializers.plan_detail(plan, completion=selectors.plan_completion(plan))


# --- tasks ---------------------------------------------------------------------------------------


@router.get(
    "/tasks",
    response={200: schemas.TaskPage, **ERRORS},
    summary="任务列表",
    description="按任务编号排序。`lead_unit` 含该单位的全部下级单位;`colour` 为三色督办颜色(仅未办结任务)。",
)
def list_tasks(
    request,
    params: Query[PageParams],
    plan: Id | None = None,
    status: schemas.StatusValue | None = None,
    colour: schemas.ColourValue | None = None,
    lead_unit: Text | None = None,
    issuing_unit: Text | None = None,
    parent: Text | None = None,
    q: Text | None = None,
):
    require(request.user, "task.view")
    th = selectors.current_thresholds()
    qs = selectors.tasks_visible_to(request.user).select_related(*ROW_RELATED)
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if status:
        qs = qs.filter(status=status)
    if colour:
        qs = qs.filter(selectors.colour_filter(colour, th))
    if lead_unit:
        path = _subtree_path(lead_unit)
        qs = qs.filter(lead_unit__path__startswith=path) if path else qs.none()
    if issuing_unit:
        qs = qs.filter(issuing_unit__code=issuing_unit)
    if parent:
        qs = qs.filter(parent__code=parent)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__istartswith=q))
    return page(
        selectors.with_colour(qs, th),
        key="code",
        after=params.after,
        limit=params.limit,
        serialize=serializers.task_item,
    )


@router.get(
    "/tasks/{code}",
    response={200: schemas.TaskDetail, **ERRORS},
    summary="任务详情",
    description="五定、责任单位、颜色、逾期天数、完成度、节点、办理记录,以及令牌持有人现在可办理的操作。",
)
def get_task(request, code: str):
    require(request.user, "task.view")
    return _detail(request.user, code)


@router.post(
    "/tasks/{code}/actions/{action}",
    response={200: schemas.TaskDetail, **WRITE_ERRORS},
    summary="办理任务(审签、下达、签收、开始办理、撤销)",
    description="返回办理后的任务。撤销(cancel)须在 `note` 中填写理由。",
)
def task_action(request, code: str, action: schemas.ActionValue, payload: schemas.ActionIn | None = None):
    require(request.user, "task.work")
    payload = payload or schemas.ActionIn()
    task = _visible_task(request.user, code)
    kwargs = {"task": task, "actor": request.user, "expected_version": payload.version}
    if action == "sign_off":
        services.task_sign_off(**kwargs)
    elif action == "issue":
        services.task_issue(**kwargs)
    elif action == "sign_for":
        services.task_sign_for(**kwargs)
    elif action == "start":
        services.task_start(**kwargs)
    else:
        services.task_cancel(reason=payload.note, **kwargs)
    return _detail(request.user, task.code)


# --- progress updates ----------------------------------------------------------------------------


@router.get(
    "/tasks/{code}/updates",
    response={200: schemas.ProgressUpdatePage, **ERRORS},
    summary="进度报送记录",
    description="按报送先后排序(最早的在前)。",
)
def list_updates(request, code: str, params: Query[PageParams]):
    require(request.user, "task.view")
    task = _visible_task(request.user, code)
    qs = ProgressUpdate.objects.filter(task=task).select_related("reported_by")
    return page(
        qs,
        key="id",
        after=params.after,
        limit=params.limit,
        serialize=lambda u: serializers.progress_update(u, task_code=task.code),
    )


@router.post(
    "/tasks/{code}/updates",
    response={201: schemas.ProgressUpdate, **WRITE_ERRORS},
    summary="报送进度",
    description="由牵头单位的负责人或联络员报送;已签收的任务首次报送即转为办理中。",
)
def create_update(request, code: str, payload: schemas.ProgressIn):
    require(request.user, "task.work")
    task = _visible_task(request.user, code)
    update = services.progress_report(
        task=task,
        actor=request.user,
        percent=payload.percent,
        text=payload.text,
        problems=payload.problems,
        next_steps=payload.next_steps,
        milestones_done=payload.milestones_done,
        expected_version=payload.version,
    )
    return Status(201, serializers.progress_update(update, task_code=task.code))


# --- handovers (交账) ----------------------------------------------------------------------------


@router.get(
    "/tasks/{code}/handovers", response={200: schemas.HandoverPage, **ERRORS}, summary="任务的交账记录"
)
def list_task_handovers(request, code: str, params: Query[PageParams]):
    require(request.user, "task.view")
    task = _visible_task(request.user, code)
    qs = Handover.objects.filter(task=task).select_related("task", "from_unit", "to_unit")
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.handover)


@router.post(
    "/tasks/{code}/handovers",
    response={201: schemas.Handover, **WRITE_ERRORS},
    summary="交账",
    description="由牵头单位主要负责人向交办单位主要负责人交账。",
)
def create_handover(request, code: str, payload: schemas.HandoverIn):
    require(request.user, "task.work")
    task = _visible_task(request.user, code)
    handover = services.handover_submit(
        task=task, actor=request.user, summary=payload.summary, expected_version=payload.version
    )
    return Status(201, serializers.handover(handover))


@router.post(
    "/tasks/{code}/handovers/accept",
    response={200: schemas.Handover, **WRITE_ERRORS},
    summary="验收交账",
    description="由交办单位主要负责人验收。",
)
def accept_handover(request, code: str, payload: schemas.AcceptIn | None = None):
    require(request.user, "task.work")
    payload = payload or schemas.AcceptIn()
    task = _visible_task(request.user, code)
    handover = services.handover_accept(
        task=task, actor=request.user, note=payload.note, expected_version=payload.version
    )
    return serializers.handover(handover)


@router.post(
    "/tasks/{code}/handovers/return",
    response={200: schemas.Handover, **WRITE_ERRORS},
    summary="退回交账",
    description="由交办单位主要负责人退回,须填写理由;任务回到办理中。",
)
def return_handover(request, code: str, payload: schemas.ReturnIn):
    require(request.user, "task.work")
    task = _visible_task(request.user, code)
    handover = services.handover_return(
        task=task, actor=request.user, reason=payload.reason, expected_version=payload.version
    )
    return serializers.handover(handover)


@router.get(
    "/handovers",
    response={200: schemas.HandoverPage, **ERRORS},
    summary="交账台账",
    description="可见任务的交账:谁向谁交了什么账、结果如何。`unit` 匹配交账或接收单位(含下级单位)。",
)
def list_handovers(
    request,
    params: Query[PageParams],
    status: schemas.HandoverStatusValue | None = None,
    unit: Text | None = None,
    task: Text | None = None,
):
    require(request.user, "task.view")
    qs = selectors.handovers_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    if unit:
        path = _subtree_path(unit)
        qs = (
            qs.filter(Q(from_unit__path__startswith=path) | Q(to_unit__path__startswith=path))
            if path
            else qs.none()
        )
    if task:
        qs = qs.filter(task__code=task)
    return page(qs, key="id", after=params.after, limit=params.limit, serialize=serializers.handover)
