"""The confirmation desk: proposals waiting for a decision (confirm, with the reason edited and
the document number, or dismiss with a reason), running the rules by hand, and the periods."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from chuangwen.evaluation.models import Period, PeriodStatus
from chuangwen.org.permissions import can, require
from chuangwen.tasks.models import RewardKind

from .. import selectors, services
from ..forms import ConfirmForm, DismissForm
from ..models import ProposalStatus, Rule
from .common import form_errors, is_id, run

PAGE = 100


def _proposal(request, pk):
    require(request.user, "reward.confirm")
    qs = selectors.proposals_visible_to(request.user).select_related("rule", "period", "task", "decided_by")
    return get_object_or_404(qs, pk=pk)


@require_GET
def proposal_list(request):
    require(request.user, "reward.confirm")
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    if status not in ProposalStatus.values:
        status = ProposalStatus.PROPOSED
    kind = request.GET.get("kind", "")
    kind = kind if kind in RewardKind.values else ""
    raw = request.GET.get("rule", "")
    rule = Rule.objects.filter(pk=int(raw)).first() if is_id(raw) else None
    qs = selectors.proposal_queue(request.user, status=status, rule=rule, kind=kind)
    # What waits is a queue (oldest first, as the desk works through it); decisions newest first.
    queue = status == ProposalStatus.PROPOSED
    after = request.GET.get("after", "")
    if is_id(after):
        qs = qs.filter(pk__gt=int(after)) if queue else qs.filter(pk__lt=int(after))
    rows = list(qs.order_by("id" if queue else "-id")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    # order_by(): the model's default ordering would split the GROUP BY.
    counts = dict(selectors.proposals_visible_to(request.user).order_by().values_list("status")
                  .annotate(n=Count("id")))
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "rewards/proposals.html", {
        "proposals": rows, "next_after": rows[-1].pk if more else "", "status": status, "kind": kind,
        "rule": rule,
        "statuses": ProposalStatus.choices, "kinds": RewardKind.choices, "rules": Rule.objects.all(),
        "counts": counts, "query": query.urlencode(), "sub": "proposals", "can_confirm": True,
    })


@require_GET
def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    record = getattr(proposal, "record", None) if proposal.status == ProposalStatus.CONFIRMED else None
    return render(request, "rewards/proposal_detail.html", {
        "proposal": proposal, "record": record, "sub": "proposals", "can_confirm": True,
        "confirm_form": ConfirmForm(initial={"version": proposal.version, "reason": proposal.reason}),
        "dismiss_form": DismissForm(initial={"version": proposal.version}),
    })


@require_POST
def confirm(request, pk):
    proposal = _proposal(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("rewards:proposal", pk=proposal.pk)
    d = form.cleaned_data
    rec = run(request, services.proposal_confirm, proposal=proposal, reason=d["reason"],
              doc_number=d["doc_number"], expected_version=d.get("version"))
    if rec is None:
        return redirect("rewards:proposal", pk=proposal.pk)
    messages.success(request, f"已确认:{rec}。")
    return _next_proposal(request)


@require_POST
def dismiss(request, pk):
    proposal = _proposal(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("rewards:proposal", pk=proposal.pk)
    d = form.cleaned_data
    done = run(request, services.proposal_dismiss, proposal=proposal, reason=d["note"],
               expected_version=d.get("version"))
    if done is None:
        return redirect("rewards:proposal", pk=proposal.pk)
    messages.success(request, "已决定不予采纳。")
    return _next_proposal(request)


def _next_proposal(request):
    """After a decision, the next one waiting (the desk is worked through in order)."""
    following = selectors.proposal_queue(request.user).order_by("proposed_at", "id").first()
    if following is not None:
        return redirect("rewards:proposal", pk=following.pk)
    return redirect("rewards:proposals")


@require_POST
def run_tasks(request):
    require(request.user, "reward.confirm")
    result = run(request, services.propose_for_tasks)
    if result is not None:
        messages.success(request, f"已按任务规则运行,新增 {len(result.proposals)} 条奖惩建议。")
    return redirect("rewards:proposals")


# --- periods --------------------------------------------------------------------------------------


@require_GET
def period_list(request):
    require(request.user, "reward.view")
    periods = list(Period.objects.filter(status=PeriodStatus.FINALISED).order_by("-end", "kind")[:60])
    # Counted through the scope: a unit sees how many of its own records a period holds.
    records = _per_period(selectors.records_visible_to(request.user), periods)
    waiting = _per_period(selectors.proposals_visible_to(request.user).filter(status=ProposalStatus.PROPOSED),
                          periods)
    for p in periods:
        p.n_records, p.n_open = records.get(p.pk, 0), waiting.get(p.pk, 0)
    return render(request, "rewards/periods.html", {
        "periods": periods, "can_confirm": can(request.user, "reward.confirm"), "sub": "periods"})


def _per_period(qs, periods) -> dict[int, int]:
    # order_by(): the model's default ordering would split the GROUP BY.
    return dict(qs.filter(period__in=periods).order_by().values_list("period").annotate(n=Count("id")))


@require_GET
def period_detail(request, pk):
    require(request.user, "reward.view")
    period = get_object_or_404(Period, pk=pk)
    can_confirm = can(request.user, "reward.confirm")
    context = {
        "period": period, "can_confirm": can_confirm, "sub": "periods",
        "records": list(selectors.register(request.user, period=period).order_by("kind", "unit_name")[:500]),
        "runs": selectors.runs_of(period) if can_confirm else [],
        "proposals": list(selectors.proposal_queue(request.user, status="", period=period)
                          .order_by("status", "kind", "unit_name")[:500]) if can_confirm else [],
        "published": period.status == PeriodStatus.FINALISED,
    }
    return render(request, "rewards/period_detail.html", context)


@require_POST
def run_period(request, pk):
    require(request.user, "reward.confirm")
    period = get_object_or_404(Period, pk=pk)
    result = run(request, services.propose_for_period, period=period)
    if result is not None:
        messages.success(request, f"已按排名规则运行,新增 {len(result.proposals)} 条奖惩建议。")
    return redirect("rewards:period", pk=period.pk)
