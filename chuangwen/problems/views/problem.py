"""One problem: the staff report form, the detail page with the actions the person may take,
the POST endpoints of those actions, and the audited unmasking of the reporter's phone."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chuangwen.accounts.permissions import has_verb
from chuangwen.attachments.selectors import photo_evidence_for
from chuangwen.org.permissions import require

from .. import selectors_pages as pages
from .. import services
from ..forms import AssignForm, NoteForm, StaffReportForm, SubmitForm
from ..permissions import can_act
from ..selectors import reportable_sites, timeline
from ..services.public import reporter_contact, reporter_phone_unmask
from ..services.staff import problem_report_with_photos, problem_submit_with_photos
from ..transitions import TRANSITIONS
from .common import back_to, form_errors, page, run, visible_problem
from .extensions import extension_context


def problem_new(request):
    require(request.user, "problem.report")
    initial = {"site": request.GET.get("site", "")[:32]}
    form = StaffReportForm(request.POST or None, request.FILES or None, initial=initial,
                           sites=reportable_sites(request.user))
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            problem = run(request, problem_report_with_photos, source=d["source"], category=d["category"],
                          severity=d["severity"], description=d["description"], district=d.get("district"),
                          address=d.get("address", ""), lng=d.get("lng") or None, lat=d.get("lat") or None,
                          photos=d.get("photos") or [], site=d.get("site"))
            if problem is not None:
                messages.success(request, f"问题已上报,编号 {problem.number}。")
                return redirect("problems:detail", number=problem.number)
    return page(request, "problems/problem_form.html", {"form": form})


# Actions offered on the page, grouped the way their forms are: plain buttons, a note (required
# or not, as the transition table says), and pairs of decisions sharing one note.
BUTTONS = ("accept",)
WITH_NOTE = ("return", "request_park", "unpark", "void")
PAIRS = (("recheck_pass", "recheck_fail"), ("approve_park", "reject_park"))


@never_cache  # the reporter's contact is on the page, masked
def problem_detail(request, number):
    problem = visible_problem(request, number)
    user = request.user
    allowed = {a for a in TRANSITIONS if can_act(user, problem, a)}
    photos = pages.photos_of(problem)
    pages.with_due([problem])
    initial = {"version": problem.version}
    context = {
        "problem": problem, "photos": photos,
        "evidence": photo_evidence_for(user, photos["before"] + photos["after"]),
        "events": list(timeline(problem)),
        "buttons": [TRANSITIONS[a] for a in BUTTONS if a in allowed],
        "with_note": [TRANSITIONS[a] for a in WITH_NOTE if a in allowed],
        "pairs": [(TRANSITIONS[a], TRANSITIONS[b]) for a, b in PAIRS if a in allowed or b in allowed],
        "contact": reporter_contact(problem),
        "can_unmask": has_verb(user, "pi.unmask"),
        "note_form": NoteForm(initial=initial),
    }
    if "assign" in allowed:
        context["assign_form"] = AssignForm(initial={
            **initial, "severity": problem.severity,
            "unit": problem.suggested_unit.code if problem.suggested_unit else ""})
    if "submit" in allowed:
        context["submit_form"] = SubmitForm(initial=initial)
    context.update(extension_context(user, problem))
    return page(request, "problems/problem_detail.html", context)


DONE = {
    "accept": "已签收,请组织整改。",
    "return": "已退回指挥部重新交办。",
    "submit": "已报告整改完成,等待复查。",
    "recheck_pass": "复查通过,问题已销号。",
    "recheck_fail": "复查未通过,已要求返工。",
    "request_park": "已申请挂账,等待指挥部审批。",
    "approve_park": "已同意挂账。",
    "reject_park": "已不同意挂账,继续整改。",
    "unpark": "已恢复整改。",
    "void": "问题已作废。",
}


def _note_call(action, note, version):
    """The core service for an action taken with a note, as (func, kwargs) for `run`."""
    return {
        "accept": (services.problem_accept, {"expected_version": version}),
        "return": (services.problem_return, {"reason": note, "expected_version": version}),
        "recheck_pass": (services.problem_recheck, {"passed": True, "note": note, "expected_version": version}),
        "recheck_fail": (services.problem_recheck, {"passed": False, "note": note, "expected_version": version}),
        "request_park": (services.problem_request_park, {"reason": note, "expected_version": version}),
        "approve_park": (services.problem_decide_park, {"approve": True, "note": note, "expected_version": version}),
        "reject_park": (services.problem_decide_park, {"approve": False, "note": note, "expected_version": version}),
        "unpark": (services.problem_unpark, {"note": note, "expected_version": version}),
        "void": (services.problem_void, {"reason": note, "expected_version": version}),
    }.get(action)


@require_POST
def problem_act(request, number, action):
    """One action on one problem; GET is refused (a link never changes a problem)."""
    problem = visible_problem(request, number)
    if action == "assign":
        form = AssignForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return back_to(problem, request)
        d = form.cleaned_data
        result = run(request, services.problem_assign, problem=problem, unit=d.get("unit"), severity=d["severity"],
                     expected_version=d.get("version"))
        if result is not None:
            messages.success(request, f"已交办至{result.responsible_unit.name}。")
        return back_to(problem, request)
    if action == "submit":
        form = SubmitForm(request.POST, request.FILES)
        if not form.is_valid():
            form_errors(request, form)
            return back_to(problem, request)
        d = form.cleaned_data
        result = run(request, problem_submit_with_photos, problem=problem, note=d.get("note", ""),
                     photos=d.get("photos") or [], expected_version=d.get("version"))
    else:
        form = NoteForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return back_to(problem, request)
        call = _note_call(action, form.cleaned_data.get("note", ""), form.cleaned_data.get("version"))
        if call is None:
            raise Http404
        func, kwargs = call
        result = run(request, func, problem=problem, **kwargs)
    if result is not None:
        messages.success(request, f"{problem.number}:{DONE[action]}")
    return back_to(problem, request)


@require_POST
@never_cache
def reporter_phone(request, number):
    """查看完整号码: the reporter's phone in full, for HQ staff (pi.unmask), audited each time.
    Shown on a page of its own that is never cached, never kept in the session."""
    problem = visible_problem(request, number)
    reason = request.POST.get("reason", "")[:200]
    phone = reporter_phone_unmask(actor=request.user, problem=problem, reason=reason)
    return page(request, "problems/reporter_phone.html", {
        "problem": problem, "phone": phone, "contact": reporter_contact(problem)})
