"""Meetings: the ledger, recording one with its decisions, its page, and each decision's page
(split into tasks, closure)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chuangwen.attachments.selectors import attachments_for
from chuangwen.org.permissions import require

from .. import selectors, services
from ..forms import DecisionForm, MeetingForm
from ..models import MeetingKind
from ..services.meetings import default_fixes
from .common import base_context, form_errors, int_param, run, text_param, year_param
from .items import handle_close, handle_split, item_context


def meeting_list(request):
    require(request.user, "supervision.view")
    year, q = year_param(request), text_param(request, "q")
    kind = text_param(request, "kind", 12)
    kind = kind if kind in MeetingKind.values else ""
    data = selectors.meeting_page(request.user, year=year, kind=kind, q=q,
                                  before=int_param(request, "before"))
    return render(request, "supervision/meeting_list.html", {
        **base_context(request, "meetings"), **data, "year": year, "kind": kind, "q": q,
        "kinds": MeetingKind.choices})


def meeting_new(request):
    require(request.user, "supervision.manage")
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        meeting = run(request, services.meeting_create, **form.cleaned_data)
        if meeting is not None:
            messages.success(request, "会议已登记。")
            return redirect("supervision:meeting_detail", pk=meeting.pk)
    context = {**base_context(request, "meetings"), "form": form}
    return render(request, "supervision/meeting_form.html", context)


def _meeting(request, pk):
    require(request.user, "supervision.view")
    return get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)


def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    context = base_context(request, "meetings")
    context.update(meeting=meeting, decisions=selectors.meeting_decisions(request.user, meeting),
                   files=attachments_for(services.MINUTES_FILES, [meeting.pk]).get(meeting.pk, []))
    if context["can_manage"]:
        context["decision_form"] = DecisionForm()
    return render(request, "supervision/meeting_detail.html", context)


@require_POST
def decision_add(request, pk):
    meeting = _meeting(request, pk)
    require(request.user, "supervision.manage")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif (decision := run(request, services.decision_add, meeting=meeting, text=form.cleaned_data["text"])):
        messages.success(request, f"已添加第{decision.number}项议定事项。")
        return redirect("supervision:decision_detail", pk=decision.pk)
    return redirect("supervision:meeting_detail", pk=meeting.pk)


def _decision(request, pk):
    require(request.user, "supervision.view")
    return get_object_or_404(selectors.decisions_visible_to(request.user).select_related("meeting"), pk=pk)


def decision_url(decision) -> str:
    return reverse("supervision:decision_detail", args=[decision.pk])


def decision_detail(request, pk):
    decision = _decision(request, pk)
    context = base_context(request, "meetings")
    context.update(item_context(request, decision, default_fixes=default_fixes,
                                can_manage=context["can_manage"]))
    context["meeting"] = decision.meeting
    return render(request, "supervision/decision_detail.html", context)


@require_POST
def decision_split(request, pk):
    decision = _decision(request, pk)
    return handle_split(request, decision, services.decision_split, "decision", decision_url(decision))


@require_POST
def decision_close(request, pk):
    decision = _decision(request, pk)
    return handle_close(request, decision, services.decision_close, "decision", decision_url(decision))
