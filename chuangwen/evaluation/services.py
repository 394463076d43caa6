"""Every change to evaluation data: creating a period, finalising it (定榜: the frozen ranking
snapshot), and HQ's edits of the weights and rules.  Each is atomic, checks `evaluation.manage`
and writes an audit entry; the configuration edits carry a version check.

A finalised period is never reopened: the snapshot is what rewards, notices and reports were
based on (docs/decisions/0011-evaluation-scores.md).
"""

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.org.services import StaleVersion

from . import engine
from .config import DEFAULT_RULES, DEFAULT_WEIGHTS
from .models import GroupWeights, Period, PeriodKind, PeriodStatus, RankEntry, RankGroup, Rule, RuleCode

__all__ = ["StaleVersion", "period_bounds", "period_create", "period_finalise", "rule_update",
           "weights_update"]

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
WEIGHT_FIELDS = ("w_tasks", "w_problem_on_time", "w_rework", "w_handover", "w_mock")


def period_bounds(kind: str, start: date) -> tuple[date, str]:
    """(end, label) of the period of `kind` starting on `start`; ValidationError when `start`
    is not the first day of such a period."""
    if kind == PeriodKind.MONTH:
        if start.day != 1:
            raise ValidationError("月度考评周期应从当月1日开始。")
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return end, f"{start.year}年{start.month}月"
    if kind == PeriodKind.QUARTER:
        if start.day != 1 or start.month not in (1, 4, 7, 10):
            raise ValidationError("季度考评周期应从1月、4月、7月或10月的1日开始。")
        last = start.month + 2
        end = start.replace(month=last, day=calendar.monthrange(start.year, last)[1])
        return end, f"{start.year}年第{QUARTER_NAMES[(start.month - 1) // 3 + 1]}季度"
    if kind == PeriodKind.YEAR:
        if (start.month, start.day) != (1, 1):
            raise ValidationError("年度考评周期应从1月1日开始。")
        return start.replace(month=12, day=31), f"{start.year}年度"
    raise ValidationError("请选择考评周期类型(月度、季度或年度)。")


def period_create(*, kind: str, start: date, actor, today: date | None = None) -> Period:
    require_verb(actor, "evaluation.manage")
    today = today or timezone.localdate()
    if not isinstance(start, date):
        raise ValidationError("请填写开始日期。")
    end, label = period_bounds(kind, start)
    if start > today:
        raise ValidationError("该考评周期尚未开始,不能创建。")
    with transaction.atomic():
        if Period.objects.filter(kind=kind, start=start).exists():
            raise ValidationError(f"考评周期“{label}”已存在。")
        period = Period(kind=kind, start=start, end=end, label=label, created_by=actor)
        period.full_clean()
        try:
            with transaction.atomic():
                period.save()
        except IntegrityError:
            raise ValidationError(f"考评周期“{label}”已存在。") from None
        record("evaluation.period_create", actor=actor, obj=period,
               changes={"kind": [None, kind], "start": [None, start], "end": [None, end]})
    return period


def period_finalise(*, period: Period, actor, expected_version: int | None = None,
                    today: date | None = None) -> Period:
    """定榜: score every ranked unit and freeze the result as RankEntry rows.  The computation
    (reads only) runs before the write transaction, so writers elsewhere wait only for the
    bulk insert."""
    require_verb(actor, "evaluation.manage")
    today = today or timezone.localdate()
    if period.status == PeriodStatus.FINALISED:
        raise ValidationError("该考评周期已定榜,不能重复定榜。")
    if period.end >= today:
        raise ValidationError("考评周期尚未结束,结束后才能定榜。")
    result = engine.compute(period.start, period.end)
    with transaction.atomic():
        locked = Period.objects.select_for_update().get(pk=period.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion("该考评周期已被他人修改,请刷新后重试。")
        if locked.status == PeriodStatus.FINALISED:
            raise ValidationError("该考评周期已定榜,不能重复定榜。")
        entries = result.entries(locked)
        RankEntry.objects.bulk_create(entries, batch_size=500)
        locked.status = PeriodStatus.FINALISED
        locked.finalised_at = timezone.now()
        locked.finalised_by = actor
        locked.version += 1
        locked.save(update_fields=["status", "finalised_at", "finalised_by", "version"])
        sizes = {g: len(cards) for g, cards in result.cards.items()}
        record("evaluation.finalise", actor=actor, obj=locked, changes={
            "status": [PeriodStatus.OPEN, PeriodStatus.FINALISED],
            "entries": [None, sizes],
            "weights": [None, {g: {**w.weights(), "component_share": w.component_share,
                                   "include_subtree": w.include_subtree} for g, w in result.weights.items()}],
            "rules": [None, {k: str(v) for k, v in vars(result.rules).items()}],
        })
    return locked


def _int_0_100(value, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label}应为 0–100 的整数。") from None
    if not 0 <= number <= 100:
        raise ValidationError(f"{label}应为 0–100 的整数。")
    return number


def weights_update(*, group: str, actor, expected_version: int, component_share, include_subtree: bool,
                   **weights) -> GroupWeights:
    """Set one group's weights (sum 100) and component share.  `expected_version` is the version
    the form was loaded with; 0 when the group still used the defaults."""
    require_verb(actor, "evaluation.manage")
    if group not in RankGroup.values:
        raise ValidationError("请选择排名组。")
    if set(weights) != set(WEIGHT_FIELDS):
        raise ValueError(f"weights must be exactly {WEIGHT_FIELDS}")
    values = {f: _int_0_100(weights[f], GroupWeights._meta.get_field(f).verbose_name) for f in WEIGHT_FIELDS}
    if sum(values.values()) != 100:
        raise ValidationError(f"各项权重之和应为 100,现为 {sum(values.values())}。")
    values["component_share"] = _int_0_100(component_share, "指标得分占比")
    values["include_subtree"] = bool(include_subtree)
    with transaction.atomic():
        row = GroupWeights.objects.select_for_update().filter(group=group).first()
        current = row.version if row else 0
        if expected_version != current:
            raise StaleVersion("该组权重已被他人修改,请刷新后重试。")
        before = ({f: getattr(row, f) for f in values} if row
                  else {f: DEFAULT_WEIGHTS[group][f] for f in values})
        if row is None:
            row = GroupWeights(group=group)
        for f, v in values.items():
            setattr(row, f, v)
        row.version = current + 1
        row.updated_at, row.updated_by = timezone.now(), actor
        row.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise StaleVersion("该组权重已被他人修改,请刷新后重试。") from None
        record("evaluation.weights_update", actor=actor, obj=row,
               changes={f: [before[f], v] for f, v in values.items() if before[f] != v})
    return row


def _points(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字。") from None
    if not number.is_finite() or abs(number) > 1000 or number != number.quantize(Decimal("0.01")):
        raise ValidationError(f"{label}应为 -1000 至 1000 之间、最多两位小数的数字。")
    return number


def rule_update(*, code: str, actor, expected_version: int, points, on_spot_points=None,
                is_active: bool = True) -> Rule:
    """Set one rule's points.  Deductions (problem rules) are ≤ 0 and the on-the-spot figure
    lies between the full deduction and 0; the base and the clean-site bonus are ≥ 0."""
    require_verb(actor, "evaluation.manage")
    if code not in RuleCode.values:
        raise ValidationError("未知的积分规则。")
    label = RuleCode(code).label
    value = _points(points, f"“{label}”的分值")
    if value is None:
        raise ValidationError(f"请填写“{label}”的分值。")
    spot = _points(on_spot_points, f"“{label}”的当场整改分值")
    if code in (RuleCode.CITY_PROBLEM, RuleCode.DISTRICT_PROBLEM):
        if value > 0:
            raise ValidationError(f"“{label}”是扣分项,分值应小于或等于 0。")
        if spot is None:
            raise ValidationError(f"请填写“{label}”的当场整改分值。")
        if not value <= spot <= 0:
            raise ValidationError(f"“{label}”的当场整改分值应在 {value} 与 0 之间。")
    else:
        if value < 0:
            raise ValidationError(f"“{label}”的分值应大于或等于 0。")
        spot = None
    if code == RuleCode.BASE:
        is_active = True  # the base always counts
    with transaction.atomic():
        row = Rule.objects.select_for_update().filter(code=code).first()
        current = row.version if row else 0
        if expected_version != current:
            raise StaleVersion("该规则已被他人修改,请刷新后重试。")
        defaults = DEFAULT_RULES[code]
        before = ({"points": row.points, "on_spot_points": row.on_spot_points, "is_active": row.is_active}
                  if row else {**defaults, "is_active": True})
        row = row or Rule(code=code)
        row.points, row.on_spot_points, row.is_active = value, spot, bool(is_active)
        row.version = current + 1
        row.updated_at, row.updated_by = timezone.now(), actor
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise StaleVersion("该规则已被他人修改,请刷新后重试。") from None
        after = {"points": value, "on_spot_points": spot, "is_active": row.is_active}
        record("evaluation.rule_update", actor=actor, obj=row,
               changes={k: [str(before[k]) if before[k] is not None else None,
                            str(v) if v is not None else None] for k, v in after.items() if before[k] != v})
    return row
