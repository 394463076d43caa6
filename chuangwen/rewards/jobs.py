"""Background entry point for rewards (`chuangwen reward_proposals`, or the `run_jobs` loop):
after a period is finalised its ranking rules run once, and the task rules run every pass.

Both only propose; proposals are keyed (`Proposal.dedupe_key`), so a second pass, or a pass
overlapping this one on another machine, proposes nothing twice.  A finalised period counts as
done once any run of its rules is recorded (by this job or by HQ from the period's page), so a
rule HQ edits later does not reach back into old periods unless HQ runs it there by hand.
When a pass proposed something, the HQ staff who confirm are told once, in their inbox.
"""

import logging
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.evaluation.models import Period, PeriodStatus

from .models import RuleRun
from .services import propose_for_period, propose_for_tasks

logger = logging.getLogger("chuangwen.rewards")

__all__ = ["propose"]


def propose(today: date | None = None) -> dict[str, int]:
    """Run what is due; returns how many periods were run and how many proposals were made."""
    counts = {"periods": 0, "period_proposals": 0, "task_proposals": 0}
    pending = (Period.objects.filter(status=PeriodStatus.FINALISED)
               .filter(~Exists(RuleRun.objects.filter(period=OuterRef("pk")))).order_by("end", "kind"))
    for period in pending:
        result = propose_for_period(period=period, actor=None)
        counts["periods"] += 1
        counts["period_proposals"] += len(result.proposals)
    counts["task_proposals"] = len(propose_for_tasks(actor=None, today=today).proposals)
    total = counts["period_proposals"] + counts["task_proposals"]
    if total:
        _tell_confirmers(total)
    return counts


def _tell_confirmers(total: int) -> None:
    from chuangwen.notifications.services import notify

    run = RuleRun.objects.order_by("-id").values_list("pk", flat=True).first()
    confirmers = User.objects.with_role(Role.HQ_STAFF).filter(is_active=True)
    transaction.on_commit(lambda: notify(
        list(confirmers), kind="reward.proposed", title=f"新增 {total} 条奖惩建议待确认",
        body="奖惩规则已按考评排名和任务完成情况提出建议,请确认或不予采纳。", url=reverse("rewards:proposals"),
        dedupe_key=f"reward.proposed:{run}"))
