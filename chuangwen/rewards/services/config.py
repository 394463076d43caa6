"""HQ's configuration: the rules and the escalation ladder.  Rules are never deleted (proposals
point at them): switch one off.  A rule's trigger is fixed once created (its proposals' keys
and reasons are written for that trigger); make a new rule for another."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.tasks.models import RewardKind

from ..catalogue import LADDER_RUNGS, LADDER_WINDOW_MONTHS
from ..models import PENALTY_KINDS, Ladder, Rule, Trigger
from .common import StaleVersion

RULE_FIELDS = ("name", "kind", "group", "period_kind", "n", "consecutive", "days", "description", "is_active")
LABELS = dict(RewardKind.choices)


def _normalise(rule: Rule) -> None:
    """Fields a trigger does not use are cleared, so the page never shows a stale setting."""
    if rule.trigger == Trigger.TASK_POLICY:
        rule.kind = ""
    if rule.trigger not in (Trigger.RANK_TOP, Trigger.RANK_BOTTOM):
        rule.group, rule.period_kind, rule.n, rule.consecutive = "", "", 0, 1
    if rule.trigger == Trigger.RANK_TOP:
        rule.consecutive = 1
    if rule.trigger in (Trigger.RANK_TOP, Trigger.RANK_BOTTOM):
        rule.days = 0


def rule_create(*, code: str, name: str, trigger: str, actor, **fields) -> Rule:
    require_verb(actor, "reward.confirm")
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown rule fields {unknown}")
    if trigger not in Trigger.values:
        raise ValidationError("请选择触发条件。")
    with transaction.atomic():
        rule = Rule(code=(code or "").strip(), name=(name or "").strip(), trigger=trigger, updated_by=actor,
                    **fields)
        _normalise(rule)
        rule.full_clean()
        rule.save()
        record("reward.rule_create", actor=actor, obj=rule, changes={
            "code": [None, rule.code], "trigger": [None, rule.trigger], "kind": [None, rule.kind]})
    return rule


def rule_update(*, rule: Rule, actor, expected_version: int | None = None, **fields) -> Rule:
    require_verb(actor, "reward.confirm")
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown rule fields {unknown}")
    with transaction.atomic():
        locked = Rule.objects.select_for_update().get(pk=rule.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion("该规则已被他人修改,请刷新后重试。")
        before = {k: getattr(locked, k) for k in RULE_FIELDS}
        for k, v in fields.items():
            setattr(locked, k, v.strip() if isinstance(v, str) and k == "name" else v)
        _normalise(locked)
        locked.full_clean()
        changes = {k: [before[k], getattr(locked, k)] for k in RULE_FIELDS if before[k] != getattr(locked, k)}
        if changes:
            locked.version += 1
            locked.updated_by, locked.updated_at = actor, timezone.now()
            locked.save()
            record("reward.rule_update", actor=actor, obj=locked, changes=changes)
    return locked


def ladder_update(*, actor, rungs: list[str], window_months: int, is_active: bool = True,
                  expected_version: int | None = None) -> Ladder:
    require_verb(actor, "reward.confirm")
    rungs = list(rungs or [])
    if len(rungs) < 2:
        raise ValidationError("升级阶梯至少需要两级。")
    if len(set(rungs)) != len(rungs):
        raise ValidationError("升级阶梯中的处理方式不能重复。")
    wrong = [k for k in rungs if k not in PENALTY_KINDS]
    if wrong:
        raise ValidationError(f"升级阶梯只能由通报批评、约谈、诫勉、问责组成:{'、'.join(LABELS.get(k, str(k)) for k in wrong)}不可用。")
    with transaction.atomic():
        ladder, _ = Ladder.objects.select_for_update().get_or_create(
            pk=1, defaults={"rungs": list(LADDER_RUNGS), "window_months": LADDER_WINDOW_MONTHS})
        if expected_version is not None and ladder.version != expected_version:
            raise StaleVersion("逐级升级规则已被他人修改,请刷新后重试。")
        before = {"rungs": ladder.rungs, "window_months": ladder.window_months, "is_active": ladder.is_active}
        ladder.rungs, ladder.window_months, ladder.is_active = rungs, window_months, is_active
        ladder.full_clean()
        changes = {k: [v, getattr(ladder, k)] for k, v in before.items() if v != getattr(ladder, k)}
        if changes:
            ladder.version += 1
            ladder.updated_by, ladder.updated_at = actor, timezone.now()
            ladder.save()
            record("reward.ladder_update", actor=actor, obj=ladder, changes=changes)
    return ladder
