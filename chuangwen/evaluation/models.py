"""考评: evaluation periods, and the frozen ranking snapshot written when a period is finalised.

Interface other apps build on (the `rewards` app reads it; keep it stable):

- `Period` — one evaluation period: `kind` (`PeriodKind`: month 月度 / quarter 季度 / year 年度),
  `start` and `end` (dates, both inclusive), `label` ("2026年10月"), `status` (`PeriodStatus`:
  open 考评中 / finalised 已定榜), `finalised_at`, `finalised_by`, `version`; unique per
  (kind, start).  Status moves open → finalised once (`services.period_finalise`); it never moves
  back (see docs/decisions/0011-evaluation-scores.md).
- `RankEntry` — one unit's frozen result in a finalised period (`period.entries`): `unit`,
  `unit_name` (the unit's full name at finalisation), `group` (`RankGroup`), `score` (the final
  score, 2 decimals), `rank` (competition ranking 1, 2, 2, 4 within period + group, ties in
  unit-tree order), `weighted_score` (the weighted component score, 0–100), `rule_points` and
  `components` (JSON, below).  A unit without data in any component is not ranked and has no
  entry.  Written once, in bulk, by `services.period_finalise`; never updated, so later changes
  to weights, rules or records do not move a finalised ranking.
- `selectors.ranking(period, group, user=None)` returns the entries of one group ordered by rank,
  then unit path: the frozen `RankEntry` rows when the period is finalised, else unsaved
  `RankEntry` objects computed live, in the same shape (`pk` None).

`components` is a dict keyed by component code (`scoring.COMPONENT_CODES`: tasks,
problem_on_time, rework, handover, mock), each value `{"label", "numerator", "denominator",
"numerator_label", "denominator_label", "rate" (the metric as named, 0–1, null without data),
"value" (the score rate: rate, or 1 − rate for rework), "inverse", "weight" (configured),
"weight_used" (0–1 after renormalisation; 0 when left out), "points" (its part of the weighted
score), "left_out", "note"}`; plus `"_rules"`: a list of `{"code", "label", "count", "on_spot",
"points", "no_data", "full", "spot"}` (points per finding, and per finding fixed on the spot) and
`"_formula"`: `{"share", "base", "include_subtree", "left_out", "renormalised"}`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.org.models import Unit


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "考评中"
    FINALISED = "finalised", "已定榜"


class RankGroup(models.TextChoices):
    """The populations ranked separately (DOMAIN-NOTES §4.4: districts, city departments and
    central/provincial units stationed in the city; streets and communities below them)."""

    DISTRICT = "district", "县区"
    DEPARTMENT = "department", "市直部门"
    STATIONED = "stationed", "中省驻市单位"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"


class Period(models.Model):
    """考评周期: a month, quarter or year whose units are scored and ranked."""

    kind = models.CharField("周期类型", max_length=10, choices=PeriodKind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", help_text="含当日。")
    label = models.CharField("名称", max_length=40)
    status = models.CharField("状态", max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    finalised_at = models.DateTimeField("定榜时间", null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="定榜人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "考评周期"
        verbose_name_plural = "考评周期"
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="evaluation_period_kind_start",
                                    violation_error_message="该周期已存在。"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="evaluation_period_end_after_start",
                                   violation_error_message="结束日期不能早于开始日期。"),
        ]

    def __str__(self):
        return self.label

    @property
    def is_finalised(self):
        return self.status == PeriodStatus.FINALISED


class RankEntry(models.Model):
    """One unit's frozen score and rank in a finalised period (the 定榜 snapshot)."""

    period = models.ForeignKey(Period, verbose_name="考评周期", on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="rank_entries")
    unit_name = models.CharField("单位名称", max_length=500, blank=True)
    group = models.CharField("排名组", max_length=12, choices=RankGroup.choices)
    score = models.DecimalField("综合得分", max_digits=7, decimal_places=2)
    weighted_score = models.DecimalField("指标得分", max_digits=7, decimal_places=2, null=True, blank=True)
    rule_points = models.DecimalField("规则积分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    components = models.JSONField("得分构成", default=dict, blank=True)

    class Meta:
        verbose_name = "排名"
        verbose_name_plural = "排名"
        ordering = ["period", "group", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="evaluation_rankentry_period_unit"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="evaluation_rankentry_rank_positive"),
        ]
        indexes = [
            # ranking(period, group): one group's rows in rank order.
            models.Index(fields=["period", "group", "rank"], name="evaluation_rank_group"),
            # A unit's trend over the last periods.
            models.Index(fields=["unit", "period"], name="evaluation_rank_unit"),
        ]

    def __str__(self):
        return f"{self.period} {self.unit_name or self.unit_id} 第{self.rank}名"


class GroupWeights(models.Model):
    """考评权重: how one rank group's components are weighted, and how the weighted score and the
    rule points make the final score.  A group without a row uses `config.DEFAULT_WEIGHTS`."""

    group = models.CharField("排名组", max_length=12, choices=RankGroup.choices, unique=True)
    w_tasks = models.PositiveSmallIntegerField("任务按期完成率权重", default=0)
    w_problem_on_time = models.PositiveSmallIntegerField("问题按期结案率权重", default=0)
    w_rework = models.PositiveSmallIntegerField("问题返工率权重", default=0)
    w_handover = models.PositiveSmallIntegerField("交账一次验收通过率权重", default=0)
    w_mock = models.PositiveSmallIntegerField("模拟测评得分率权重", default=0)
    component_share = models.PositiveSmallIntegerField(
        "指标得分占比(%)", default=70, help_text="综合得分 = 指标得分 × 占比 + 规则积分 × (1 − 占比)。")
    include_subtree = models.BooleanField("含下级单位", default=False,
                                          help_text="开启后,下级单位的任务、问题和交账计入本单位。")
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "考评权重"
        verbose_name_plural = "考评权重"
        ordering = ["group"]
        constraints = [
            models.CheckConstraint(condition=Q(component_share__lte=100),
                                   name="evaluation_weights_share_percent",
                                   violation_error_message="指标得分占比应在 0–100 之间。"),
        ]

    def __str__(self):
        return f"{self.get_group_display()}权重"

    def weights(self) -> dict:
        return {"tasks": self.w_tasks, "problem_on_time": self.w_problem_on_time, "rework": self.w_rework,
                "handover": self.w_handover, "mock": self.w_mock}


class RuleCode(models.TextChoices):
    BASE = "base", "基础分"
    CITY_PROBLEM = "city_problem", "市级督查发现问题"
    DISTRICT_PROBLEM = "district_problem", "区级督查发现问题"
    CLEAN_SITE = "clean_site", "市级检查无问题点位"


class Rule(models.Model):
    """积分规则: the base and the points per finding (DOMAIN-NOTES §4.4).  Problem rules have a
    second figure for a problem fixed on the spot (当场整改).  A code without a row uses
    `config.DEFAULT_RULES`."""

    code = models.CharField("规则", max_length=20, choices=RuleCode.choices, unique=True)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    on_spot_points = models.DecimalField("当场整改分值", max_digits=6, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()
