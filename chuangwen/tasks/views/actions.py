"""POST endpoints of the task page: each parses a form, calls one service, and goes back to
the task with a message.  GET is refused: a link must never change a task."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from chuangwen.org.permissions import require

from .. import selectors, services
from ..forms import DecomposeForm, ExtensionForm, HandoverForm, NoteForm, ProgressForm
from ..models import Extension
from .common import back_to, form_errors, run, version_of, visible_task

SIMPLE = {
    "issue": (services.task_issue, "任务已下达。"),
    "sign_for": (services.task_sign_for, "已签收。"),
    "start": (services.task_start, "已开始办理。"),
    "sign_off": (services.task_sign_off, "已审签。"),
}
WITH_NOTE = {
    "accept": (lambda note, **kw: services.handover_accept(note=note, **kw), "已验收。"),
    "return": (lambda note, **kw: services.handover_return(reason=note, **kw), "已退回。"),
    "cancel": (lambda note, **kw: services.task_cancel(reason=note, **kw), "任务已撤销。"),
}


@require_POST
def task_act(request, code, action):
    task = visible_task(request, code)
    version = version_of(request)
    if action in SIMPLE:
        func, done = SIMPLE[action]
        result = run(request, func, task=task, expected_version=version)
    elif action in WITH_NOTE:
        func, done = WITH_NOTE[action]
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        result = run(request, func, note=note, task=task, expected_version=version)
    else:
        raise Http404
    if result is not None:
        messages.success(request, done)
    return back_to(task)


@require_POST
def progress(request, code):
    task = visible_task(request, code)
    form = ProgressForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(task)
    d = form.cleaned_data
    files = d.get("files") or []
    update = run(request, services.progress_report, task=task, percent=d["percent"], text=d["text"],
                 problems=d.get("problems", ""), next_steps=d.get("next_steps", ""),
                 milestones_done=d.get("milestones_done") or [], files=files, expected_version=d.get("version"))
    if update is not None:
        messages.success(request, f"已报送进度 {update.percent}%。")
    return back_to(task)


@require_POST
def decompose(request, code):
    task = visible_task(request, code)
    form = DecomposeForm(request.POST, task=task)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(task)
    d = form.cleaned_data
    subs = run(request, services.task_decompose, task=task, units=d["unit_list"], deadline=d.get("deadline"),
               title=d.get("title", ""), content=d.get("content", ""))
    if subs:
        messages.success(request, f"已分解下达 {len(subs)} 项下级任务。")
    return back_to(task)


@require_POST
def handover(request, code):
    task = visible_task(request, code)
    form = HandoverForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(task)
    result = run(request, services.handover_submit, task=task, summary=form.cleaned_data["summary"],
                 files=form.cleaned_data.get("files") or [], expected_version=form.cleaned_data.get("version"))
    if result is not None:
        messages.success(request, f"已交账,等待{result.to_name or result.to_unit}验收。")
    return back_to(task)


@require_POST
def review(request, code):
    task = visible_task(request, code)
    h = selectors.open_handover(task)
    if h is None:
        messages.error(request, "该任务没有待验收的交账。")
        return back_to(task)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if run(request, services.handover_review, handover=h, note=note) is not None:
        messages.success(request, "已填写初审意见。")
    return back_to(task)


@require_POST
def extension(request, code):
    task = visible_task(request, code)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(task)
    if run(request, services.extension_request, task=task, new_deadline=form.cleaned_data["new_deadline"],
           reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, "延期申请已提交,等待交办单位审批。")
    return back_to(task)


@require_POST
def extension_decide(request, pk):
    require(request.user, "task.view")
    ext = get_object_or_404(Extension.objects.filter(task__in=selectors.tasks_visible_to(request.user))
                            .select_related("task", "task__issuing_unit", "task__lead_unit"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if run(request, services.extension_decide, extension=ext, approve=approve, note=note) is not None:
        messages.success(request, "已同意延期。" if approve else "已不同意延期。")
    return redirect("tasks:task_detail", code=ext.task.code)


@require_POST
def milestone_done(request, code, pk):
    task = visible_task(request, code)
    milestone = get_object_or_404(task.milestones.all(), pk=pk)
    if run(request, services.milestone_tick, milestone=milestone) is not None:
        messages.success(request, f"节点“{milestone.title}”已完成。")
    return back_to(task)
