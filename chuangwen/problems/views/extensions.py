"""延期 (request on the problem page, decision by HQ on the page or the pending list) and 公开答复."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.permissions import require

from ..forms import ExtensionRequestForm, NoteForm, ReplyForm
from ..models import OPEN_STATUSES, ExtensionStatus, ProblemExtension
from ..permissions import VERB_OF_PARTY, acts_for
from ..selectors import list_related, problems_visible_to
from ..services.extensions import problem_extension_decide, problem_extension_request, problem_reply
from ..transitions import Party
from .common import back_to, form_errors, page, run, visible_problem


def extension_context(user, problem) -> dict:
    """What the problem page shows and offers about extensions and the public reply."""
    extensions = list(problem.extensions.select_related("requested_by", "decided_by").order_by("-requested_at"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    may_ask = (pending is None and problem.status in OPEN_STATUSES and problem.deadline is not None
               and problem.deadline > timezone.now() and has_verb(user, VERB_OF_PARTY[Party.UNIT])
               and acts_for(user, problem.responsible_unit))
    dispatcher = has_verb(user, VERB_OF_PARTY[Party.DISPATCH])
    initial = {"version": problem.version}
    return {
        "extensions": extensions,
        "pending_extension": pending,
        "extension_form": ExtensionRequestForm(initial=initial) if may_ask else None,
        "can_decide_extension": dispatcher and pending is not None,
        "reply_form": ReplyForm(initial={**initial, "text": problem.public_reply}) if dispatcher else None,
    }


@require_POST
def extension_request(request, number):
    problem = visible_problem(request, number)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(problem)
    result = run(request, problem_extension_request, problem=problem, new_deadline=form.new_deadline(),
                 reason=form.cleaned_data["reason"], expected_version=form.cleaned_data.get("version"))
    if result is not None:
        messages.success(request, f"{problem.number}:已申请延期,等待指挥部审批。")
    return back_to(problem)


@require_POST
def extension_decide(request, number, pk, decision):
    problem = visible_problem(request, number)
    if decision not in ("approve", "reject"):
        raise Http404
    extension = get_object_or_404(ProblemExtension, pk=pk, problem=problem)
    form = NoteForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(problem, request)
    result = run(request, problem_extension_decide, extension=extension, approve=decision == "approve",
                 note=form.cleaned_data.get("note", ""))
    if result is not None:
        messages.success(request, f"{problem.number}:" + ("已同意延期。" if decision == "approve" else "已不同意延期。"))
    if request.POST.get("next") == "extensions":
        return redirect("problems:extensions")
    return back_to(problem, request)


@require_POST
def reply(request, number):
    problem = visible_problem(request, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back_to(problem)
    result = run(request, problem_reply, problem=problem, text=form.cleaned_data["text"],
                 expected_version=form.cleaned_data.get("version"))
    if result is not None:
        messages.success(request, f"{problem.number}:已发布公开答复。")
    return back_to(problem)


def pending_extensions(request):
    """待审批延期: HQ's list, oldest request first (it has waited longest)."""
    require(request.user, "problem.dispatch")
    visible = problems_visible_to(request.user).values("id")
    rows = list(ProblemExtension.objects.filter(status=ExtensionStatus.PENDING, problem_id__in=visible)
                .select_related("requested_by").order_by("requested_at", "id")[:200])
    problems = {p.pk: p for p in list_related(problems_visible_to(request.user))
                .filter(pk__in=[e.problem_id for e in rows])}
    for e in rows:
        e.shown_problem = problems.get(e.problem_id)
    return page(request, "problems/extensions.html", {"rows": rows, "note_form": NoteForm()})
