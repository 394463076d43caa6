"""Plans, five-fixes tasks and their milestones, progress updates, extensions and handovers (交账).

五定到位 as fields: 定任务 = title/content/standard, 定进度 = deadline + milestones, 定责任 = lead unit,
cooperating units, responsible person and linked leader (names kept as snapshots), 定考评 =
criteria/points/weight, 定奖惩 = a policy from the catalogue.  Status moves only through
`transitions.TRANSITIONS` (services._transition); colour and overdue are derived on read
(`colours.py`), never stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.org.models import Unit, WorkGroup


class RewardKind(models.TextChoices):
    """The kinds of reward and penalty (奖惩) the evaluation engine issues."""

    COMMENDATION = "commendation", "表彰"
    PRAISE = "praise", "通报表扬"
    RED_FLAG = "red_flag", "流动红旗"
    CRITICISM = "criticism", "通报批评"
    TALK = "talk", "约谈"
    ADMONITION = "admonition", "诫勉"
    ACCOUNTABILITY = "accountability", "问责"


class RewardPolicy(models.Model):
    """定奖惩: a rule from the catalogue, e.g. 提前完成通报表扬; 逾期未完成通报批评; 连续逾期约谈.
    The evaluation engine applies it when a task is accepted or goes overdue."""

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    on_early = models.CharField("提前完成", max_length=20, choices=RewardKind.choices, blank=True)
    on_time = models.CharField("按期完成", max_length=20, choices=RewardKind.choices, blank=True)
    on_overdue = models.CharField("逾期未完成", max_length=20, choices=RewardKind.choices, blank=True)
    on_repeat_overdue = models.CharField("连续逾期", max_length=20, choices=RewardKind.choices, blank=True)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("可选用", default=True)

    class Meta:
        verbose_name = "奖惩规则"
        verbose_name_plural = "奖惩规则"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Plan(models.Model):
    """工作方案: the annual plan whose tasks are decomposed down the unit tree."""

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("方案名称", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    goals = models.TextField("目标要求", blank=True)
    issuing_unit = models.ForeignKey(Unit, verbose_name="印发单位", on_delete=models.PROTECT, related_name="+")
    requires_signoff = models.BooleanField("下达前需审签", default=False,
                                           help_text="开启后,任务须经指挥部办公室主任审签才能下达。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "工作方案"
        verbose_name_plural = "工作方案"
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.year}年 {self.title}"


class TaskStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    ISSUED = "issued", "已下达"
    SIGNED = "signed", "已签收"
    IN_PROGRESS = "in_progress", "办理中"
    HANDED_IN = "handed_in", "已交账"
    ACCEPTED = "accepted", "已验收"
    CANCELLED = "cancelled", "已撤销"


# Statuses in which the lead unit owes work: colour, overdue and reminders apply.
OPEN_STATUSES = (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS)
# Statuses after issue that are not finished: the task still counts as "on the books".
LIVE_STATUSES = (*OPEN_STATUSES, TaskStatus.HANDED_IN)


class TaskSource(models.TextChoices):
    PLAN = "plan", "工作方案"
    INSTRUCTION = "instruction", "领导批示"
    MEETING = "meeting", "会议议定"
    OTHER = "other", "其他"


class Task(models.Model):
    code = models.CharField("任务编号", max_length=40, unique=True)
    plan = models.ForeignKey(Plan, verbose_name="工作方案", on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey("self", verbose_name="上级任务", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="subtasks")
    work_group = models.ForeignKey(WorkGroup, verbose_name="工作组", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="tasks")
    source = models.CharField("来源", max_length=20, choices=TaskSource.choices, default=TaskSource.PLAN)
    source_ref = models.CharField("来源文号", max_length=100, blank=True)
    # 定任务
    title = models.CharField("任务名称", max_length=200)
    content = models.TextField("任务内容", blank=True)
    standard = models.TextField("对应测评标准", blank=True)
    # 定进度
    deadline = models.DateField("完成时限", null=True, blank=True)
    original_deadline = models.DateField("原定时限", null=True, blank=True,
                                         help_text="延期不改变原定时限,考评以此为准。")
    # 定责任
    issuing_unit = models.ForeignKey(Unit, verbose_name="交办单位", on_delete=models.PROTECT, related_name="+")
    lead_unit = models.ForeignKey(Unit, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="lead_tasks")
    cooperating_units = models.ManyToManyField(Unit, verbose_name="配合单位", blank=True, related_name="cooperating_tasks")
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="responsible_tasks")
    responsible_name = models.CharField("责任人(快照)", max_length=100, blank=True)
    linked_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="挂钩领导", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="linked_tasks")
    linked_leader_name = models.CharField("挂钩领导(快照)", max_length=100, blank=True)
    # 定考评
    criteria = models.TextField("考评标准", blank=True)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=1,
                                 help_text="完成度按权重汇总到上级任务和方案。")
    # 定奖惩
    policy = models.ForeignKey(RewardPolicy, verbose_name="奖惩规则", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="tasks")
    # Lifecycle (status written only by services._transition).
    status = models.CharField("状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    progress = models.PositiveSmallIntegerField("完成进度(%)", default=0)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审签人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField("审签时间", null=True, blank=True)
    issued_at = models.DateTimeField("下达时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    handed_in_at = models.DateTimeField("交账时间", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    last_update_at = models.DateTimeField("最近报送", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="tasks_task_progress_percent",
                                   violation_error_message="完成进度应在 0–100 之间。"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="tasks_task_weight_positive",
                                   violation_error_message="权重应大于 0。"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(deadline__isnull=False, lead_unit__isnull=False),
                name="tasks_task_issued_has_fixes",
                violation_error_message="已下达的任务必须有完成时限和牵头单位。",
            ),
        ]
        indexes = [
            # "My tasks" and the unit's list: open tasks of a lead unit by deadline.
            models.Index(fields=["lead_unit", "status", "deadline"], name="tasks_task_lead"),
            # The overdue board: open tasks by deadline.
            models.Index(fields=["status", "deadline"], name="tasks_task_board"),
            # The board's page: open tasks in deadline order, read in index order (no sort).
            models.Index(fields=["deadline", "id"], condition=Q(status__in=["issued", "signed", "in_progress"]),
                         name="tasks_task_open_due"),
            # The 交账 ledger and "tasks I gave": by issuing unit.
            models.Index(fields=["issuing_unit", "status"], name="tasks_task_issuer"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Milestone(models.Model):
    """节点: a dated step of 定进度; an undone milestone past its date turns the task blue."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due = models.DateField("节点时限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["due", "id"]
        # The colour query: undone milestones past their date.
        indexes = [models.Index(fields=["task", "done_at", "due"], name="tasks_milestone_open")]

    def __str__(self):
        return f"{self.title}({self.due})"


class ProgressUpdate(models.Model):
    """进度报送 by the lead unit's liaison or head."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField("完成进度(%)")
    text = models.TextField("进展情况")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = "进度报送"
        verbose_name_plural = "进度报送"
        ordering = ["-reported_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="tasks_update_percent",
                                              violation_error_message="完成进度应在 0–100 之间。")]
        indexes = [models.Index(fields=["task", "-reported_at"], name="tasks_update_latest")]

    def __str__(self):
        return f"{self.task.code} {self.percent}%"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "不同意"


class Extension(models.Model):
    """延期申请, decided by the issuing unit.  Approval moves `Task.deadline`, never
    `original_deadline`."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField("延期理由")
    old_deadline = models.DateField("原时限")
    new_deadline = models.DateField("申请时限")
    status = models.CharField("状态", max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            # One open request per task: a second would race the first.
            models.UniqueConstraint(fields=["task"], condition=Q(status="pending"), name="tasks_extension_one_pending",
                                    violation_error_message="该任务已有待审批的延期申请。"),
        ]


class HandoverStatus(models.TextChoices):
    SUBMITTED = "submitted", "待验收"
    ACCEPTED = "accepted", "已验收"
    RETURNED = "returned", "已退回"


class Handover(models.Model):
    """交账: the head of the lead unit hands in the accounts to the head of the issuing unit.
    Names are snapshots: the ledger shows who owed whom on the day."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="handovers")
    from_unit = models.ForeignKey(Unit, verbose_name="交账单位", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, verbose_name="接收单位", on_delete=models.PROTECT, related_name="+")
    from_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交账人", on_delete=models.PROTECT,
                                    related_name="+")
    from_name = models.CharField("交账人(快照)", max_length=100)
    to_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_name = models.CharField("接收人(快照)", max_length=100, blank=True)
    summary = models.TextField("交账内容")
    status = models.CharField("状态", max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.SUBMITTED)
    submitted_at = models.DateTimeField("交账时间", default=timezone.now)
    review_note = models.TextField("初审意见", blank=True, help_text="指挥部工作人员为办公室主任准备的审核意见。")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="初审人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="验收人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("验收/退回时间", null=True, blank=True)
    decision_note = models.TextField("验收意见/退回理由", blank=True)

    class Meta:
        verbose_name = "交账"
        verbose_name_plural = "交账"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task"], condition=Q(status="submitted"), name="tasks_handover_one_open",
                                    violation_error_message="该任务已交账,正在等待验收。"),
        ]
        indexes = [
            models.Index(fields=["from_unit", "-submitted_at"], name="tasks_handover_from"),
            models.Index(fields=["to_unit", "status"], name="tasks_handover_to"),
        ]


class TaskEventKind(models.TextChoices):
    CREATE = "create", "创建"
    UPDATE = "update", "修改"
    SIGN_OFF = "sign_off", "审签"
    ISSUE = "issue", "下达"
    SIGN_FOR = "sign_for", "签收"
    START = "start", "开始办理"
    PROGRESS = "progress", "报送进度"
    MILESTONE = "milestone", "完成节点"
    DECOMPOSE = "decompose", "分解下达"
    EXTENSION_REQUEST = "extension_request", "申请延期"
    EXTENSION_DECIDE = "extension_decide", "延期审批"
    HAND_IN = "hand_in", "交账"
    REVIEW = "review", "初审"
    ACCEPT = "accept", "验收"
    RETURN = "return", "退回"
    CANCEL = "cancel", "撤销"
    COLOUR = "colour", "督办提醒"


class TaskEvent(models.Model):
    """The task's timeline: who did what when, shown to everyone who sees the task."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=30, choices=TaskEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("办理人(快照)", max_length=100, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "任务记录"
        verbose_name_plural = "任务记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="tasks_event_timeline")]

    def __str__(self):
        return f"{self.task_id} {self.get_kind_display()}"


class Reminder(models.Model):
    """A reminder the escalation job has sent (蓝/黄/红 督办, milestone near).  The unique key
    makes the job idempotent: running it twice sends once.  The key holds the deadline, so an
    approved extension starts the colours afresh."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField("提醒", max_length=80)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "督办提醒"
        verbose_name_plural = "督办提醒"
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="tasks_reminder_once")]
