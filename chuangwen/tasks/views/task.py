"""One task: detail with timeline and the actions the person may take; drafting and editing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.permissions import can, require

from .. import permissions, selectors, services
from ..colours import Colour
from ..forms import DecomposeForm, ExtensionForm, HandoverForm, NoteForm, PlanForm, ProgressForm, TaskForm
from ..models import ExtensionStatus, HandoverStatus, TaskStatus
from ..transitions import TRANSITIONS
from .common import back_to, form_errors, run, visible_task

# Actions offered as plain buttons on the detail page (others have their own forms).
BUTTON_ACTIONS = ("issue", "sign_for", "start")


def plan_create(request):
    require(request.user, "task.manage")
    form = PlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        hq = Unit.objects.active().filter(kind=UnitKind.HQ).order_by("path").first()
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        plan = run(request, services.plan_create, issuing_unit=hq, files=form.cleaned_data.get("files") or [], **data)
        if plan is not None:
            messages.success(request, "工作方案已创建,请添加任务。")
            return redirect("tasks:plan_detail", pk=plan.pk)
    return render(request, "tasks/plan_form.html", {"form": form})


def task_create(request, pk):
    require(request.user, "task.manage")
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    form = TaskForm(request.POST or None, initial={"weight": 1})
    if request.method == "POST" and form.is_valid():
        task = run(request, services.task_create, plan=plan, cooperating_units=form.cleaned_data["cooperating_units"],
                   milestones=form.cleaned_data["milestone_list"], **form.service_fields())
        if task is not None:
            messages.success(request, f"任务 {task.code} 已保存为草稿。")
            return back_to(task)
    return render(request, "tasks/task_form.html", {"form": form, "plan": plan})


def _initial(task) -> dict:
    return {
        "version": task.version, "title": task.title, "content": task.content, "standard": task.standard,
        "deadline": task.deadline, "lead_unit": task.lead_unit.code if task.lead_unit else "",
        "cooperating_units": "、".join(u.code for u in task.cooperating_units.all()),
        "responsible": task.responsible_person.username if task.responsible_person else "",
        "criteria": task.criteria, "points": task.points, "weight": task.weight, "policy": task.policy_id,
        "work_group": task.work_group_id,
        "milestones": "\n".join(f"{m.title}:{m.due}" for m in task.milestones.all()),
    }


def task_edit(request, code):
    task = visible_task(request, code)
    if not permissions.acts_for(request.user, task.issuing_unit) or task.status not in (
            TaskStatus.DRAFT, *services.plans.LIVE_EDITABLE_STATUSES):
        messages.error(request, "只有交办单位可以修改未办结的任务。")
        return back_to(task)
    live = task.status != TaskStatus.DRAFT
    form = TaskForm(request.POST or None, initial=_initial(task), live=live)
    if request.method == "POST" and form.is_valid():
        extra = {} if live else {"cooperating_units": form.cleaned_data["cooperating_units"],
                                 "milestones": form.cleaned_data["milestone_list"]}
        updated = run(request, services.task_update, task=task, expected_version=form.cleaned_data.get("version"),
                      **extra, **form.service_fields())
        if updated is not None:
            messages.success(request, "已保存。")
            return back_to(updated)
    elif request.method == "POST":
        form_errors(request, form)
    return render(request, "tasks/task_form.html", {"form": form, "plan": task.plan, "task": task})


def task_detail(request, code):
    task = visible_task(request, code)
    user = request.user
    th = selectors.current_thresholds()
    colour = selectors.colour_of(task, th)
    actions = [TRANSITIONS[a] for a in BUTTON_ACTIONS if permissions.can_act(user, task, a)]
    context = {
        "task": task, "colour": colour, "colour_label": Colour.LABELS[colour],
        "days_overdue": selectors.days_overdue(task, th.today), "completion": selectors.completion_of(task),
        "milestones": list(task.milestones.all()), "cooperating": list(task.cooperating_units.all()),
        "subtasks": list(selectors.with_colour(selectors.list_related(task.subtasks.all()), th).order_by("code")),
        "updates": selectors.with_files(task.updates.select_related("reported_by")[:20], "tasks.progress"),
        "handovers": selectors.with_files(task.handovers.select_related("reviewed_by")[:20], "tasks.handover"),
        "events": list(selectors.timeline(task)),
        "extensions": list(task.extensions.select_related("requested_by", "decided_by")[:10]),
        "actions": actions, "today": th.today,
        "missing": services.missing_fixes(task) if task.status == TaskStatus.DRAFT else [],
        "can_edit": permissions.acts_for(user, task.issuing_unit) and task.status in (
            TaskStatus.DRAFT, *services.plans.LIVE_EDITABLE_STATUSES),
        "can_sign_off": (task.status == TaskStatus.DRAFT and task.plan.requires_signoff and not task.signed_off_at
                         and permissions.is_head_of(user, task.issuing_unit)),
        "can_cancel": permissions.can_act(user, task, "cancel"),
        "can_report": permissions.can_report(user, task),
        "can_decompose": permissions.can_decompose(user, task),
        "can_hand_in": permissions.can_act(user, task, "hand_in"),
        "can_decide": permissions.can_act(user, task, "accept"),
        "can_review": task.status == TaskStatus.HANDED_IN and permissions.acts_for(user, task.issuing_unit),
        "can_extend": (task.status in (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS)
                       and permissions.acts_for(user, task.lead_unit)),
        "can_decide_extension": permissions.acts_for(user, task.issuing_unit),
        "can_print": colour in (Colour.YELLOW, Colour.RED),
        "pending_extension": next((e for e in task.extensions.all() if e.status == ExtensionStatus.PENDING), None),
        "open_handover": None,
        "can_manage": can(user, "task.manage"),
    }
    context["open_handover"] = next((h for h in context["handovers"] if h.status == HandoverStatus.SUBMITTED), None)
    if context["can_report"]:
        context["progress_form"] = ProgressForm(initial={**services.progress_prefill(task), "version": task.version},
                                                task=task)
    if context["can_decompose"]:
        context["decompose_form"] = DecomposeForm(task=task, initial={"deadline": task.deadline})
    if context["can_hand_in"]:
        context["handover_form"] = HandoverForm(initial={"version": task.version})
    if context["can_decide"] or context["can_cancel"] or context["can_review"]:
        context["note_form"] = NoteForm(initial={"version": task.version})
    if context["can_extend"]:
        context["extension_form"] = ExtensionForm()
    return render(request, "tasks/task_detail.html", context)
