"""Shared bits of the staff problem views: fetching through the scope, and running a service
with its Chinese refusal turned into messages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from chuangwen.org.permissions import require

from ..models import Problem
from ..selectors import list_related, problems_visible_to

NUMBER_MAX = 20


def visible_problem(request, number: str) -> Problem:
    """The problem numbered `number` if the person may see it; 404 otherwise (the same answer
    for "no such problem" and "not yours")."""
    require(request.user, "problem.view")
    if not number.isdigit() or len(number) > NUMBER_MAX:
        raise Http404
    qs = list_related(problems_visible_to(request.user)).select_related("suggested_unit", "reported_by", "site")
    return get_object_or_404(qs, number=number)


def run(request, func, **kwargs):
    """Call a service as the person; a ValidationError becomes messages and None."""
    try:
        return func(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None


def form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


def cursor(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def back_to(problem: Problem, request=None):
    """Back to where the action was taken: the recheck queue, the desk or the problem page
    (a fixed set of names, never a URL from the request)."""
    target = request.POST.get("next", "") if request is not None else ""
    if target == "recheck":
        return redirect("problems:recheck")
    if target == "desk":
        return redirect("problems:desk")
    return redirect("problems:detail", number=problem.number)


def page(request, template: str, context: dict, **kwargs):
    """Render a staff page with what its sub-navigation offers the person."""
    from django.shortcuts import render

    from chuangwen.org.permissions import can

    user = request.user
    context["pnav"] = {verb: can(user, f"problem.{verb}") for verb in ("dispatch", "recheck", "report")}
    return render(request, template, context, **kwargs)
