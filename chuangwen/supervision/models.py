"""督查督办: leaders' instructions (批示), meetings and their decisions (议定事项), and deputies'
visits (视察), each followed through to closure.

An instruction or a decision does not carry work itself: it is split into five-fixes tasks
(`tasks.Task`, source 领导批示 / 会议议定), and `SourceTask` links each task back to it, so a task
names its source and a source lists its tasks.  A visit's findings become problems in the
rectification loop (`problems.Problem`, source 人大政协视察); `Finding` links each problem back
to its visit.  The higher app owns both links (ARCHITECTURE.md: imports run one way).

Status: an instruction and a decision are open until HQ's closure review (办结), which is allowed
only when every task they spawned is accepted (`services.common.close_item` is the only code that
writes `status`).  A meeting and a visit have no status of their own: theirs is their decisions'
and findings' (selectors).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.places.models import Site
from chuangwen.problems.models import Problem
from chuangwen.tasks.models import Task


class ItemStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class Closable(models.Model):
    """What an instruction and a decision share: the closure review and the version check."""

    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结审核人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closing_note = models.TextField("办结意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True

    @property
    def is_closed(self) -> bool:
        return self.status == ItemStatus.CLOSED


class Instruction(Closable):
    """领导批示: a leader's written instruction on a document (来文), logged in HQ's ledger."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批示领导", on_delete=models.PROTECT,
                               related_name="+")
    leader_name = models.CharField("批示领导(快照)", max_length=100)
    date = models.DateField("批示日期")
    title = models.CharField("批示事项", max_length=200)
    text = models.TextField("批示内容")
    doc_number = models.CharField("来文文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="supervision_instruction_closed_at",
                                   violation_error_message="已办结的批示须有办结时间。"),
        ]
        # The ledger by year and status, newest first.
        indexes = [models.Index(fields=["date", "status"], name="supervision_instr_ledger")]

    def __str__(self):
        return f"{self.leader_name}批示:{self.title}"


class MeetingKind(models.TextChoices):
    STANDING = "standing", "常委会"
    TOPIC = "topic", "专题会议"
    ONSITE = "onsite", "现场办公会"
    DISPATCH = "dispatch", "调度会"


class Meeting(models.Model):
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    date = models.DateField("会议日期")
    title = models.CharField("会议名称", max_length=200)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="主持人", on_delete=models.PROTECT,
                              related_name="+")
    chair_name = models.CharField("主持人(快照)", max_length=100)
    attendees = models.TextField("参会人员", blank=True)
    place = models.CharField("会议地点", max_length=200, blank=True)
    doc_number = models.CharField("纪要文号", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-date", "-id"]
        # The ledger's per-year, per-type counts.
        indexes = [models.Index(fields=["date", "kind"], name="supervision_meeting_ledger")]

    def __str__(self):
        return f"{self.title}({self.date})"


class Decision(Closable):
    """议定事项: one item a meeting decided, followed through like an instruction."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT,
                                related_name="decisions")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("议定事项")

    class Meta:
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="supervision_decision_number",
                                    violation_error_message="议定事项序号重复。"),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="supervision_decision_closed_at",
                                   violation_error_message="已办结的议定事项须有办结时间。"),
        ]

    def __str__(self):
        return f"{self.meeting.title} 第{self.number}项"


class SourceTask(models.Model):
    """The link between a task and the instruction or decision it was split from (exactly one).
    Only the tasks HQ issued are linked; their subtasks are found through `Task.parent`."""

    task = models.OneToOneField(Task, verbose_name="任务", on_delete=models.PROTECT,
                                related_name="supervision_source")
    instruction = models.ForeignKey(Instruction, verbose_name="领导批示", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="links")
    decision = models.ForeignKey(Decision, verbose_name="议定事项", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="links")
    created_at = models.DateTimeField("分解时间", default=timezone.now)

    class Meta:
        verbose_name = "督办任务"
        verbose_name_plural = "督办任务"
        constraints = [
            models.CheckConstraint(
                condition=(Q(instruction__isnull=False, decision__isnull=True)
                           | Q(instruction__isnull=True, decision__isnull=False)),
                name="supervision_source_one",
                violation_error_message="督办任务须且只能来自一项批示或一项议定事项。",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} ← {self.instruction_id or self.decision_id}"


class VisitKind(models.TextChoices):
    NPC = "npc", "人大代表视察"
    CPPCC = "cppcc", "政协委员视察"
    JOINT = "joint", "人大政协联合视察"


class Visit(models.Model):
    """视察: deputies (人大代表) or members (政协委员) inspect the campaign at sites."""

    kind = models.CharField("视察类型", max_length=8, choices=VisitKind.choices)
    date = models.DateField("视察日期")
    title = models.CharField("视察主题", max_length=200)
    members = models.TextField("参加人员")
    # Deputies with an account see the visits they took part in (and all its findings).
    member_people = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="参加人员(账号)", blank=True,
                                           related_name="supervision_visits")
    sites = models.ManyToManyField(Site, verbose_name="视察点位", blank=True, related_name="+")
    summary = models.TextField("视察意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "视察"
        verbose_name_plural = "视察"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date", "kind"], name="supervision_visit_ledger")]

    def __str__(self):
        return f"{self.title}({self.date})"


class Finding(models.Model):
    """A problem the visit found: the problem (source 人大政协视察) carries the description, the
    site, the photos and the whole rectification loop; this row ties it to the visit."""

    visit = models.ForeignKey(Visit, verbose_name="视察", on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveSmallIntegerField("序号")
    problem = models.OneToOneField(Problem, verbose_name="问题", on_delete=models.PROTECT,
                                   related_name="visit_finding")
    raised_by = models.CharField("提出人", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "视察发现问题"
        verbose_name_plural = "视察发现问题"
        ordering = ["visit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "number"], name="supervision_finding_number",
                                    violation_error_message="发现问题序号重复。"),
        ]

    def __str__(self):
        return f"{self.visit.title} 第{self.number}个问题"
