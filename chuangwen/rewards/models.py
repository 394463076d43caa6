"""奖惩: rules that propose, the person who confirms, and the register of what was issued.

A `Rule` (HQ edits it) only ever writes a `Proposal`; a person holding `reward.confirm` confirms
it (and only then a `Record` exists) or dismisses it with a reason.  Every proposal carries a
`dedupe_key` naming the rule and the fact it answers (a period and unit, a task and deadline), so
running the rules again proposes nothing twice, and a dismissed proposal stays dismissed.

The escalation ladder (`Ladder`, one row) turns a unit's repeated penalty into the next rung
(通报批评 → 约谈 → 诫勉 → 问责) within a window of months; the proposal's reason says so.
The kinds are the task catalogue's (`tasks.models.RewardKind`), so a task's 定奖惩 and the
register speak the same words.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.evaluation.models import Period, PeriodKind, RankGroup
from chuangwen.org.models import Unit
from chuangwen.tasks.models import RewardKind, Task

# Positive kinds go on the 红榜 of a period's published list; the two public negative kinds on
# the 黑榜.  诫勉 and 问责 are disciplinary measures about a person (组织处理): they stay in the
# register and are never published on the public page.
RED_KINDS = (RewardKind.COMMENDATION, RewardKind.PRAISE, RewardKind.RED_FLAG)
BLACK_KINDS = (RewardKind.CRITICISM, RewardKind.TALK)
PENALTY_KINDS = (RewardKind.CRITICISM, RewardKind.TALK, RewardKind.ADMONITION, RewardKind.ACCOUNTABILITY)
# Kinds addressed to the unit's head in person (the proposal names them; the public page shows
# the name for a confirmed 约谈 only).
PERSONAL_KINDS = (RewardKind.TALK, RewardKind.ADMONITION, RewardKind.ACCOUNTABILITY)


def display_name(full_name: str) -> str:
    """A unit's name as a 通报 prints it: the path below the city, run together
    ("上川市/城东区/东街街道/和平社区" → "城东区东街街道和平社区")."""
    parts = [p for p in (full_name or "").split("/") if p]
    return "".join(parts[1:] if len(parts) > 1 else parts)


# What a proposal asks for, as the desk says it ("建议" + this).
ACTIONS = {
    RewardKind.COMMENDATION: "予以表彰",
    RewardKind.PRAISE: "予以通报表扬",
    RewardKind.RED_FLAG: "授予流动红旗",
    RewardKind.CRITICISM: "予以通报批评",
    RewardKind.TALK: "约谈单位主要负责人",
    RewardKind.ADMONITION: "对单位主要负责人予以诫勉",
    RewardKind.ACCOUNTABILITY: "对单位主要负责人启动问责",
}


class Trigger(models.TextChoices):
    RANK_TOP = "rank_top", "排名前列"
    RANK_BOTTOM = "rank_bottom", "连续排名末位"
    TASK_OVERDUE = "task_overdue", "任务严重逾期"
    TASK_POLICY = "task_policy", "任务定奖惩规则"


RANK_TRIGGERS = (Trigger.RANK_TOP, Trigger.RANK_BOTTOM)
TASK_TRIGGERS = (Trigger.TASK_OVERDUE, Trigger.TASK_POLICY)


class Rule(models.Model):
    """A rule that proposes rewards or penalties.  What `n`, `consecutive` and `days` mean
    depends on the trigger (see the help texts); the rule never issues anything itself."""

    code = models.CharField("编号", max_length=20, unique=True, error_messages={"unique": "规则编号已存在。"})
    name = models.CharField("名称", max_length=100)
    trigger = models.CharField("触发条件", max_length=20, choices=Trigger.choices)
    kind = models.CharField("奖惩方式", max_length=20, choices=RewardKind.choices, blank=True,
                            help_text="任务定奖惩规则按每项任务自带的奖惩规则,此处留空。")
    group = models.CharField("排名组", max_length=12, choices=RankGroup.choices, blank=True,
                             help_text="留空为所有排名组。")
    period_kind = models.CharField("考评周期", max_length=10, choices=PeriodKind.choices, blank=True,
                                   help_text="留空为所有周期类型。")
    n = models.PositiveSmallIntegerField("名次数", default=0,
                                         help_text="排名前 N 名或后 N 名;组内单位较少时,红榜、黑榜各不超过该组单位数的一半。")
    consecutive = models.PositiveSmallIntegerField("连续期数", default=1,
                                                   help_text="连续排名末位:须连续这么多个同类周期都在后 N 名。")
    days = models.PositiveSmallIntegerField("工作日数", default=0,
                                            help_text="任务严重逾期:逾期达到的工作日数;任务定奖惩规则:提前这么多个工作日完成算提前完成。")
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "奖惩建议规则"
        verbose_name_plural = "奖惩建议规则"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(trigger="task_policy") | ~Q(kind=""),
                                   name="rewards_rule_has_kind", violation_error_message="请选择奖惩方式。"),
            models.CheckConstraint(condition=~Q(trigger__in=["rank_top", "rank_bottom"]) | Q(n__gte=1),
                                   name="rewards_rule_rank_n", violation_error_message="名次数至少为 1。"),
            models.CheckConstraint(condition=Q(consecutive__gte=1) & Q(consecutive__lte=12),
                                   name="rewards_rule_consecutive",
                                   violation_error_message="连续期数应在 1–12 之间。"),
            models.CheckConstraint(condition=~Q(trigger="task_overdue") | Q(days__gte=1),
                                   name="rewards_rule_days", violation_error_message="逾期工作日数至少为 1。"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Ladder(models.Model):
    """The escalation ladder (逐级升级), one row: a unit's penalty proposal becomes the rung
    above the highest penalty it already had (proposed or confirmed) in the last `window_months`."""

    rungs = models.JSONField("升级阶梯", default=list,
                             help_text="由轻到重的处理方式,如 通报批评 → 约谈 → 诫勉 → 问责。")
    window_months = models.PositiveSmallIntegerField("统计期(月)", default=12)
    is_active = models.BooleanField("启用", default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "逐级升级规则"
        verbose_name_plural = "逐级升级规则"
        constraints = [
            models.CheckConstraint(condition=Q(window_months__gte=1) & Q(window_months__lte=60),
                                   name="rewards_ladder_window", violation_error_message="统计期应在 1–60 个月之间。"),
        ]

    def __str__(self):
        return "逐级升级规则"


class _Labelled:
    """What a proposal and a record show the same way: the kind, whom it concerns, which list."""

    def __str__(self):
        return f"{self.get_kind_display()} {display_name(self.unit_name) or self.person_name}"

    @property
    def unit_label(self) -> str:
        return display_name(self.unit_name)

    @property
    def is_red(self) -> bool:
        return self.kind in RED_KINDS


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "不予采纳"


class Proposal(_Labelled, models.Model):
    """What a rule proposes.  Names are snapshots: the register shows the unit and head as they
    were when the fact happened."""

    rule = models.ForeignKey(Rule, verbose_name="规则", on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField("奖惩方式", max_length=20, choices=RewardKind.choices)
    base_kind = models.CharField("规则原定方式", max_length=20, choices=RewardKind.choices,
                                 help_text="逐级升级之前规则给出的方式。")
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="reward_proposals")
    unit_name = models.CharField("单位名称(快照)", max_length=500, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="reward_proposals")
    person_name = models.CharField("人员(快照)", max_length=100, blank=True)
    period = models.ForeignKey(Period, verbose_name="考评周期", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reward_proposals")
    task = models.ForeignKey(Task, verbose_name="任务", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="reward_proposals")
    occurred_on = models.DateField("发生日期", help_text="周期的结束日期,或任务逾期、交账的日期;逐级升级按它计算。")
    reason = models.TextField("事由")
    evidence = models.JSONField("依据", default=list, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    status = models.CharField("状态", max_length=12, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="运行规则人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_note = models.TextField("不予采纳理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "奖惩建议"
        verbose_name_plural = "奖惩建议"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(person__isnull=False),
                                   name="rewards_proposal_has_subject",
                                   violation_error_message="奖惩建议须指向单位或人员。"),
            models.CheckConstraint(condition=~Q(status="dismissed") | ~Q(decision_note=""),
                                   name="rewards_proposal_dismiss_reason",
                                   violation_error_message="请填写不予采纳的理由。"),
        ]
        indexes = [
            # The confirmation queue: open proposals, oldest first.
            models.Index(fields=["status", "proposed_at"], name="rewards_proposal_queue"),
            # The ladder: a unit's penalties within the window.
            models.Index(fields=["unit", "occurred_on"], name="rewards_proposal_unit"),
        ]

    @property
    def escalated(self) -> bool:
        return self.kind != self.base_kind

    @property
    def suggestion(self) -> str:
        return f"建议{ACTIONS[self.kind]}"

    @property
    def head_missing(self) -> bool:
        """A 约谈/诫勉/问责 for a unit without a head today: the confirmer checks whom it is for."""
        return self.kind in PERSONAL_KINDS and self.person_id is None


class Record(_Labelled, models.Model):
    """奖惩台账: a reward or penalty issued, created only by confirming a proposal."""

    proposal = models.OneToOneField(Proposal, verbose_name="建议", on_delete=models.PROTECT,
                                    related_name="record")
    kind = models.CharField("奖惩方式", max_length=20, choices=RewardKind.choices)
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="reward_records")
    unit_name = models.CharField("单位名称(快照)", max_length=500, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="reward_records")
    person_name = models.CharField("人员(快照)", max_length=100, blank=True)
    period = models.ForeignKey(Period, verbose_name="考评周期", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reward_records")
    task = models.ForeignKey(Task, verbose_name="任务", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="reward_records")
    occurred_on = models.DateField("发生日期")
    reason = models.TextField("事由")
    doc_number = models.CharField("发文字号", max_length=60, blank=True)
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = "奖惩记录"
        verbose_name_plural = "奖惩记录"
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(person__isnull=False),
                                   name="rewards_record_has_subject",
                                   violation_error_message="奖惩记录须指向单位或人员。"),
        ]
        indexes = [
            # The published list of a period, and the register filtered by period.
            models.Index(fields=["period", "kind"], name="rewards_record_period"),
            # Task records on a period's list (no period of their own): by date.
            models.Index(fields=["occurred_on"], name="rewards_record_day"),
            # A unit's history.
            models.Index(fields=["unit", "-confirmed_at"], name="rewards_record_unit"),
        ]

    @property
    def is_black(self) -> bool:
        return self.kind in BLACK_KINDS


class RuleRun(models.Model):
    """One run of the rules: for a period (by HQ from the period's page, or by the job after the
    period is finalised; the job runs each finalised period once) or over the tasks."""

    period = models.ForeignKey(Period, verbose_name="考评周期", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reward_runs")
    ran_at = models.DateTimeField("运行时间", default=timezone.now)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="运行人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    proposed = models.PositiveIntegerField("新增建议", default=0)
    summary = models.JSONField("按规则统计", default=dict, blank=True)

    class Meta:
        verbose_name = "规则运行记录"
        verbose_name_plural = "规则运行记录"
        ordering = ["-ran_at", "-id"]
        indexes = [models.Index(fields=["period", "-ran_at"], name="rewards_run_period")]

    def __str__(self):
        return f"{self.period or '任务'} {self.ran_at:%Y-%m-%d %H:%M}"
