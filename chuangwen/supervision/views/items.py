"""What the instruction and decision pages share: the split form with the proposed five fixes,
and the POST handlers of splitting and closing (each calls one service)."""

from django.contrib import messages
from django.shortcuts import redirect

from chuangwen.org.permissions import require

from .. import selectors, services
from ..forms import CloseForm, SplitForm
from .common import form_errors, run


def split_initial(fixes, item) -> dict:
    policy = services.default_policy()
    return {"version": item.version, "title": fixes.title, "content": fixes.content,
            "standard": fixes.standard, "criteria": services.DEFAULT_CRITERIA,
            "points": services.DEFAULT_POINTS, "policy": policy.pk if policy else None, "issue": True}


def item_context(request, item, *, default_fixes, can_manage: bool) -> dict:
    """Tasks, stage and (for HQ) the split and closure forms of an instruction or a decision."""
    state = selectors.item_stage(request.user, item)
    context = {"item": item, "tasks": state["tasks"], "stage": state["stage"]}
    if can_manage and not item.is_closed:
        context["split_form"] = SplitForm(initial=split_initial(default_fixes(item), item))
        if state["stage"] == selectors.Stage.READY:
            context["close_form"] = CloseForm(initial={"version": item.version})
    return context


def handle_split(request, item, service, field: str, back):
    require(request.user, "supervision.manage")
    form = SplitForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(back)
    d = form.cleaned_data
    fixes = services.Fixes(deadline=d["deadline"], title=d["title"], content=d["content"],
                           standard=d["standard"], criteria=d["criteria"], points=d["points"],
                           policy=d["policy"], work_group=d.get("work_group"),
                           milestones=d.get("milestone_list") or [])
    created = run(request, service, **{field: item}, units=d["units"], fixes=fixes,
                  issue=d.get("issue", False), expected_version=d.get("version"))
    if created:
        verb = "下达" if d.get("issue") else "拟定(草稿)"
        messages.success(request, f"已分解{verb} {len(created)} 项任务:" + "、".join(t.code for t in created))
    return redirect(back)


def handle_close(request, item, service, field: str, back):
    require(request.user, "supervision.manage")
    form = CloseForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(back)
    closed = run(request, service, **{field: item}, note=form.cleaned_data["note"],
                 expected_version=form.cleaned_data.get("version"))
    if closed is not None:
        messages.success(request, "已办结。")
    return redirect(back)
