"""The demo city's rewards and penalties: after the evaluation demo has finalised its months,
the rules run on each (oldest first) and on the tasks, as HQ would run them, and HQ's director
decides a sensible part of what they proposed, leaving the rest on the desk:

* every month but the latest: the 流动红旗 and the 约谈 are confirmed, under one document number
  per month (上创文指〔year〕N号);
* the latest month: the 流动红旗 are confirmed, its 约谈 wait for a decision;
* tasks: praise for early or on-time work is confirmed, the first criticism is confirmed, one
  is dismissed (the unit's lateness came from an approved change of plan), the rest wait.

Everything goes through the services (audited, as hq_director).  Idempotent: once any rule has
run, it does nothing and answers "present".  Loaded by `load_demo` (dashboard) after the
evaluation demo.
"""

from django.conf import settings
from django.db import transaction

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.evaluation.models import Period, PeriodKind, PeriodStatus
from chuangwen.tasks.models import RewardKind

from .models import RED_KINDS, Proposal, ProposalStatus, RuleRun
from .services import proposal_confirm, proposal_dismiss, propose_for_period, propose_for_tasks

__all__ = ["DemoRewardsRefused", "load_demo_rewards"]

DIRECTOR = "hq_director"
DISMISS_REASON = "该任务逾期系市级统一调整实施方案所致,经指挥部办公室研究,本次不予通报。"


class DemoRewardsRefused(Exception):
    """Nothing to run the rules on: the evaluation demo has not finalised a month."""


def _director():
    person = User.objects.filter(username=DIRECTOR, is_active=True).first()
    return person or User.objects.with_role(Role.HQ_STAFF).filter(is_active=True).order_by("id").first()


def _doc(year: int, n: int) -> str:
    return f"{settings.CITY_NAME[0]}创文指〔{year}〕{n}号"


def load_demo_rewards() -> str:
    """"loaded", or "present" when the rules have run before (nothing is done)."""
    if RuleRun.objects.exists() or Proposal.objects.exists():
        return "present"
    months = list(Period.objects.filter(kind=PeriodKind.MONTH, status=PeriodStatus.FINALISED)
                  .order_by("start"))
    if not months:
        raise DemoRewardsRefused("演示考评周期尚未定榜。")
    director = _director()
    if director is None:
        raise DemoRewardsRefused("没有指挥部办公室工作人员账号。")
    with transaction.atomic():
        number = 20
        for i, period in enumerate(months):
            propose_for_period(period=period, actor=director)
            latest = i == len(months) - 1
            number += 1
            doc = _doc(period.end.year, number)
            for p in Proposal.objects.filter(period=period).order_by("id"):
                if p.kind in RED_KINDS or not latest:
                    proposal_confirm(proposal=p, actor=director, doc_number=doc)
        propose_for_tasks(actor=director)
        number += 1
        doc = _doc(months[-1].end.year, number)
        penalties = list(Proposal.objects.filter(task__isnull=False, status=ProposalStatus.PROPOSED)
                         .exclude(kind__in=RED_KINDS).order_by("occurred_on", "id"))
        for p in Proposal.objects.filter(task__isnull=False, kind__in=RED_KINDS).order_by("id"):
            proposal_confirm(proposal=p, actor=director, doc_number=doc)
        first = next((p for p in penalties if p.kind == RewardKind.CRITICISM), None)
        if first is not None:
            proposal_confirm(proposal=first, actor=director, doc_number=doc)
        rest = [p for p in penalties if p is not first]
        if rest:
            proposal_dismiss(proposal=rest[0], actor=director, reason=DISMISS_REASON)
    return "loaded"
