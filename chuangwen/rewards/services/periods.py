"""The ranking rules of a finalised period: top N → 红榜 (流动红旗), bottom N in `consecutive`
adjacent periods of the same kind → 黑榜 (约谈).  They read the frozen ranking through
`evaluation.selectors.ranking`, the same rows the period's pages and the published list show."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from chuangwen.audit.log import record
from chuangwen.evaluation.models import Period, PeriodStatus, RankGroup
from chuangwen.evaluation.selectors import ranking

from .. import lists
from ..models import Rule, RuleRun, Trigger
from .common import Draft, RunResult, current_ladder, propose, require_confirmer


def _chain(period: Period, length: int) -> list[Period] | None:
    """`period` and the `length - 1` finalised periods of its kind right before it, oldest
    first; None when one is missing (not created, not finalised, or a gap between them)."""
    chain = [period]
    while len(chain) < length:
        previous = Period.objects.filter(kind=period.kind, status=PeriodStatus.FINALISED,
                                         end=chain[0].start - timedelta(days=1)).first()
        if previous is None:
            return None
        chain.insert(0, previous)
    return chain


def _groups(rule: Rule) -> list[str]:
    return [rule.group] if rule.group else list(RankGroup.values)


def _evidence(period: Period, group: str, entry, count: int) -> dict:
    return {"type": "rank", "period_id": period.pk, "period": period.label, "group": group,
            "rank": entry.rank, "count": count, "score": str(entry.score)}


def _top_drafts(rule: Rule, period: Period) -> list[Draft]:
    drafts = []
    for group in _groups(rule):
        entries = ranking(period, group)
        label = RankGroup(group).label
        for e in lists.top(entries, rule.n):
            facts = (f"在{period.label}{label}考评中得分{e.score},排名第{e.rank}名(共{len(entries)}个单位),"
                     f"位列前{rule.n}名,列入红榜。")
            drafts.append(Draft(rule=rule, kind=rule.kind, unit=e.unit, occurred_on=period.end, facts=facts,
                                key=f"rule:{rule.pk}:period:{period.pk}:unit:{e.unit_id}", period=period,
                                evidence=[_evidence(period, group, e, len(entries))]))
    return drafts


def _bottom_drafts(rule: Rule, period: Period) -> list[Draft]:
    chain = _chain(period, rule.consecutive)
    if chain is None:
        return []
    drafts = []
    for group in _groups(rule):
        label = RankGroup(group).label
        # unit id -> [(period, entry, count)] over the chain, oldest first.
        found: dict[int, list] = {}
        for i, p in enumerate(chain):
            entries = ranking(p, group)
            chosen = {e.unit_id: e for e in lists.bottom(entries, rule.n)}
            if i == 0:
                found = {uid: [(p, e, len(entries))] for uid, e in chosen.items()}
            else:
                found = {uid: [*rows, (p, chosen[uid], len(entries))]
                         for uid, rows in found.items() if uid in chosen}
        for uid, rows in found.items():
            places = "、".join(f"{p.label}第{e.rank}名(共{n}个)" for p, e, n in rows)
            if len(rows) == 1:
                facts = f"在{period.label}{label}考评中排名{places},位列后{rule.n}名,列入黑榜。"
            else:
                facts = f"在{label}考评中连续{len(rows)}期排名后{rule.n}名({places}),列入黑榜。"
            current = rows[-1][1]
            drafts.append(Draft(rule=rule, kind=rule.kind, unit=current.unit, occurred_on=period.end,
                                facts=facts, key=f"rule:{rule.pk}:period:{period.pk}:unit:{uid}",
                                period=period, evidence=[_evidence(p, group, e, n) for p, e, n in rows]))
    return drafts


def period_rules(period: Period):
    return (Rule.objects.filter(is_active=True, trigger__in=(Trigger.RANK_TOP, Trigger.RANK_BOTTOM))
            .filter(Q(period_kind="") | Q(period_kind=period.kind)).order_by("code"))


def propose_for_period(*, period: Period, actor) -> RunResult:
    """Run the ranking rules on a finalised period: proposals only, each once however often
    this runs.  `actor` None is the background job."""
    require_confirmer(actor)
    period = Period.objects.get(pk=period.pk)
    if period.status != PeriodStatus.FINALISED:
        raise ValidationError(f"考评周期“{period.label}”尚未定榜,不能按排名提出奖惩建议。")
    ladder = current_ladder()
    result = RunResult()
    for rule in period_rules(period):
        find = _top_drafts if rule.trigger == Trigger.RANK_TOP else _bottom_drafts
        drafts = find(rule, period)
        for draft in drafts:
            proposal = propose(draft, actor=actor, ladder=ladder)
            if proposal is not None:
                result.add(proposal)
    with transaction.atomic():
        ran_by = actor if getattr(actor, "pk", None) else None
        result.run = RuleRun.objects.create(period=period, ran_by=ran_by, proposed=len(result.proposals),
                                            summary=result.by_rule)
        record("reward.run", actor=actor, obj=result.run, actor_name="" if actor else "奖惩规则",
               changes={"period": [None, period.label], "proposed": [None, len(result.proposals)]})
    return result
