"""Shared bits of the task views: fetching through the scope, and running a service with its
Chinese refusal turned into a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from chuangwen.org.permissions import require

from .. import selectors
from ..models import Task


def visible_task(request, code: str) -> Task:
    require(request.user, "task.view")
    if "\x00" in code or len(code) > 40:
        from django.http import Http404

        raise Http404
    qs = selectors.tasks_visible_to(request.user).select_related(
        "plan", "parent", "issuing_unit", "lead_unit", "work_group", "policy", "responsible_person", "linked_leader")
    return get_object_or_404(qs, code=code)


def run(request, func, **kwargs):
    """Call a service as the person; a ValidationError becomes messages and None."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None


def version_of(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def back_to(task: Task):
    return redirect("tasks:task_detail", code=task.code)


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)
