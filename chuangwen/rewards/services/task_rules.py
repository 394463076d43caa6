"""The task rules: a task's own 定奖惩 policy (tasks.RewardPolicy) applied when it is accepted
(early or on time) or goes overdue, and the general rule for red tasks long overdue.

* Overdue: an open task past its deadline, or an accepted one handed in after it, proposes the
  policy's `on_overdue`; overdue again at a later (extended) deadline after an earlier overdue
  proposal was not dismissed is 连续逾期 (`on_repeat_overdue`).  One proposal per task and
  deadline.
* Accepted: handed in on or before the original deadline (延期不改变原定时限,考评以此为准) is on
  time; `rule.days` working days or more before it is early (`on_early`, else `on_time`).
  Tasks accepted more than LOOKBACK_DAYS ago are left alone: a 通报 months later helps no one.
* Long overdue (trigger task_overdue): an open task red and at least `rule.days` working days
  overdue; skipped when the task's own policy already answers its lateness (the task's 定奖惩
  comes first, the general rule is the fallback), so one lapse is not punished twice.

Working days overdue are counted as `tasks.selectors.days_overdue` counts them (until today
while open, until the handover once handed in), on one calendar read for the whole run.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.tasks import colours
from chuangwen.tasks.models import OPEN_STATUSES, Task, TaskStatus
from chuangwen.tasks.selectors import red_after
from chuangwen.workdays.selectors import work_calendar

from ..models import Proposal, ProposalStatus, Rule, RuleRun, Trigger
from .common import Draft, RunResult, current_ladder, propose, require_confirmer

LOOKBACK_DAYS = 180


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _task_ref(task: Task) -> str:
    return f"任务“{task.title}”({task.code})"


def _task_evidence(task: Task, **extra) -> dict:
    return {"type": "task", "code": task.code, "title": task.title,
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "original_deadline": task.original_deadline.isoformat() if task.original_deadline else None,
            **extra}


def _policy_evidence(policy) -> dict:
    return {"type": "policy", "code": policy.code, "name": policy.name}


def _handed_on(task: Task) -> date:
    return timezone.localtime(task.handed_in_at or task.accepted_at).date()


def _overdue_key(task: Task) -> str:
    return f"policy:task:{task.pk}:overdue:{task.deadline.isoformat()}"


def _policy_overdue(rule: Rule, task: Task, days: int, today: date, *,
                    late_hand_in: date | None) -> Draft | None:
    policy = task.policy
    earlier = Proposal.objects.filter(task=task, dedupe_key__startswith=f"policy:task:{task.pk}:overdue:") \
        .exclude(status=ProposalStatus.DISMISSED).exists()
    kind = (policy.on_repeat_overdue if earlier else "") or policy.on_overdue
    if not kind:
        return None
    again = "(延期后再次逾期)" if earlier else ""
    if late_hand_in is not None:
        facts = (f"{_task_ref(task)}完成时限为{_cn(task.deadline)},逾期{days}个工作日后于{_cn(late_hand_in)}"
                 f"才交账{again},按任务奖惩规则“{policy.name}”处理。")
        occurred = late_hand_in
    else:
        facts = (f"{_task_ref(task)}完成时限为{_cn(task.deadline)},已逾期{days}个工作日仍未完成{again},"
                 f"按任务奖惩规则“{policy.name}”处理。")
        occurred = today
    return Draft(rule=rule, kind=kind, unit=task.lead_unit, occurred_on=occurred, facts=facts,
                 key=_overdue_key(task), task=task,
                 evidence=[_task_evidence(task, days_overdue=days, repeat=earlier), _policy_evidence(policy)])


def _policy_done(rule: Rule, task: Task, cal) -> Draft | None:
    policy = task.policy
    handed = _handed_on(task)
    due = task.original_deadline or task.deadline
    if handed > due:
        return None  # finished within an approved extension: neither praised nor blamed
    ahead = cal.workdays_between(handed, due)
    early = ahead >= rule.days if rule.days else handed < due
    kind = (policy.on_early if early else "") or policy.on_time
    if not kind:
        return None
    how = f"提前{ahead}个工作日完成" if early else "按期完成"
    facts = (f"{_task_ref(task)}完成时限为{_cn(due)},于{_cn(handed)}交账,{how}并通过验收,"
             f"按任务奖惩规则“{policy.name}”处理。")
    return Draft(rule=rule, kind=kind, unit=task.lead_unit, occurred_on=handed, facts=facts,
                 key=f"policy:task:{task.pk}:done", task=task,
                 evidence=[_task_evidence(task, handed_in=handed.isoformat(),
                                          early_days=ahead if early else 0), _policy_evidence(policy)])


def _has_overdue_policy() -> Q:
    return Q(policy__isnull=False) & (~Q(policy__on_overdue="") | ~Q(policy__on_repeat_overdue=""))


def _policy_drafts(rule: Rule, today: date, cal) -> list[Draft]:
    drafts = []
    taken = set(Proposal.objects.filter(dedupe_key__startswith="policy:task:", task__status__in=(
        *OPEN_STATUSES, TaskStatus.ACCEPTED)).values_list("dedupe_key", flat=True))
    overdue = (Task.objects.filter(_has_overdue_policy(), status__in=OPEN_STATUSES, deadline__lt=today)
               .select_related("lead_unit", "policy").order_by("deadline", "id"))
    for task in overdue:
        if _overdue_key(task) in taken:
            continue
        days = colours.days_overdue(cal, task.deadline, today)
        if days >= 1:
            draft = _policy_overdue(rule, task, days, today, late_hand_in=None)
            if draft:
                drafts.append(draft)
    since = timezone.now() - timedelta(days=LOOKBACK_DAYS)
    accepted = (Task.objects.filter(status=TaskStatus.ACCEPTED, accepted_at__gte=since, policy__isnull=False)
                .filter(~Q(policy__on_early="") | ~Q(policy__on_time="") | ~Q(policy__on_overdue=""))
                .select_related("lead_unit", "policy").order_by("accepted_at", "id"))
    for task in accepted:
        if task.deadline is None or f"policy:task:{task.pk}:done" in taken:
            continue
        handed = _handed_on(task)
        if handed > task.deadline:
            if _overdue_key(task) in taken:
                continue
            days = colours.days_overdue(cal, task.deadline, handed)
            draft = _policy_overdue(rule, task, days, today, late_hand_in=handed)
        else:
            draft = _policy_done(rule, task, cal)
        if draft:
            drafts.append(draft)
    return drafts


def _long_overdue_drafts(rule: Rule, today: date, cal, *, policies_apply: bool) -> list[Draft]:
    need = max(rule.days, red_after() + 1)  # red first: past the red threshold
    # Working days never outnumber calendar days: a cheap SQL bound before counting exactly.
    qs = Task.objects.filter(status__in=OPEN_STATUSES, deadline__lte=today - timedelta(days=need))
    if policies_apply:
        qs = qs.exclude(_has_overdue_policy())
    taken = set(Proposal.objects.filter(rule=rule).values_list("dedupe_key", flat=True))
    drafts = []
    for task in qs.select_related("lead_unit").order_by("deadline", "id"):
        key = f"rule:{rule.pk}:task:{task.pk}:{task.deadline.isoformat()}"
        if key in taken:
            continue
        days = colours.days_overdue(cal, task.deadline, today)
        if days < need:
            continue
        facts = f"{_task_ref(task)}完成时限为{_cn(task.deadline)},已逾期{days}个工作日仍未办结(红色督办)。"
        drafts.append(Draft(rule=rule, kind=rule.kind, unit=task.lead_unit, occurred_on=today, facts=facts,
                            key=key, task=task, evidence=[_task_evidence(task, days_overdue=days)]))
    return drafts


def task_rules():
    return (Rule.objects.filter(is_active=True, trigger__in=(Trigger.TASK_POLICY, Trigger.TASK_OVERDUE))
            .order_by("code"))


def propose_for_tasks(*, actor, today: date | None = None) -> RunResult:
    """Run the task rules over every task: proposals only, each once however often this runs.
    `actor` None is the background job, which leaves a run record only when it proposed
    something."""
    require_confirmer(actor)
    today = today or timezone.localdate()
    rules = list(task_rules())
    result = RunResult()
    if not rules:
        return result
    oldest = Task.objects.filter(status__in=(*OPEN_STATUSES, TaskStatus.ACCEPTED), deadline__isnull=False) \
        .order_by("deadline").values_list("deadline", flat=True).first() or today
    cal = work_calendar(start=min(oldest, today - timedelta(days=LOOKBACK_DAYS)),
                        end=today + timedelta(days=1))
    ladder = current_ladder()
    policy_rules = [r for r in rules if r.trigger == Trigger.TASK_POLICY]
    for rule in rules:
        if rule.trigger == Trigger.TASK_POLICY:
            if rule is not policy_rules[0]:
                continue  # one policy pass: a second policy rule would answer the same facts
            drafts = _policy_drafts(rule, today, cal)
        else:
            drafts = _long_overdue_drafts(rule, today, cal, policies_apply=bool(policy_rules))
        for draft in drafts:
            proposal = propose(draft, actor=actor, ladder=ladder)
            if proposal is not None:
                result.add(proposal)
    if actor is not None or result.proposals:
        with transaction.atomic():
            result.run = RuleRun.objects.create(ran_by=actor if getattr(actor, "pk", None) else None,
                                                proposed=len(result.proposals), summary=result.by_rule)
            record("reward.run", actor=actor, obj=result.run, actor_name="" if actor else "奖惩规则",
                   changes={"period": [None, "任务"], "proposed": [None, len(result.proposals)]})
    return result
