"""Problems and their rectification loop: 交办 → 整改 → 复查 → 销号.

A problem (问题, one 交办单) has one number for life (一件一号), a category from the configurable
部件/事件 classes, a severity, and a deadline computed when it is assigned from the time-limit
table (working hours or working days on the working-day calendar).  Status moves only through
`transitions.TRANSITIONS`; every move is a `ProblemEvent` and an audit entry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.org.models import Unit
from chuangwen.places.models import Site


class CategoryKind(models.TextChoices):
    COMPONENT = "component", "部件"
    EVENT = "event", "事件"


class Category(models.Model):
    """A class of problem (CJ/T 214 and local extensions): 部件 or 事件, grouped by 大类."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=CategoryKind.choices)
    group = models.CharField("大类", max_length=30)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["kind", "sort_order", "code"]

    def __str__(self):
        return f"{self.group}/{self.name}"


class Severity(models.TextChoices):
    NORMAL = "normal", "一般"
    SERIOUS = "serious", "较重"
    URGENT = "urgent", "紧急"


class LimitUnit(models.TextChoices):
    HOURS = "hours", "工作小时"
    DAYS = "days", "工作日"


class TimeLimit(models.Model):
    """处置时限 by category × severity, in working hours or working days."""

    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.CASCADE, related_name="limits")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=8, choices=LimitUnit.choices)

    class Meta:
        verbose_name = "处置时限"
        verbose_name_plural = "处置时限"
        constraints = [
            models.UniqueConstraint(fields=["category", "severity"], name="problems_limit_one"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="problems_limit_positive",
                                   violation_error_message="时限应大于 0。"),
        ]

    def __str__(self):
        return f"{self.category} {self.get_severity_display()} {self.amount}{self.get_unit_display()}"


class RoutingRule(models.Model):
    """Who answers for a category in a district, when the site names no responsible unit."""

    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.CASCADE, related_name="routes")
    district = models.ForeignKey(Unit, verbose_name="区县", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "派遣规则"
        verbose_name_plural = "派遣规则"
        constraints = [models.UniqueConstraint(fields=["category", "district"], name="problems_route_one")]

    def __str__(self):
        return f"{self.district} · {self.category.name} → {self.unit}"


class Source(models.TextChoices):
    INSPECTION = "inspection", "督查"
    MOCK = "mock", "模拟测评"
    CITIZEN = "citizen", "随手拍"
    DEPUTY = "deputy", "人大政协视察"
    INSTRUCTION = "instruction", "领导批示"
    MEDIA = "media", "媒体曝光"
    HOTLINE = "hotline", "12345"


class ProblemStatus(models.TextChoices):
    REPORTED = "reported", "待交办"
    ASSIGNED = "assigned", "已交办"
    RECTIFYING = "rectifying", "整改中"
    AWAITING_RECHECK = "awaiting_recheck", "待复查"
    REWORK = "rework", "返工"
    CLOSED = "closed", "已销号"
    RETURNED = "returned", "已退回"
    PARK_REQUESTED = "park_requested", "申请挂账"
    PARKED = "parked", "已挂账"
    VOIDED = "voided", "已作废"


# Statuses in which the responsible unit owes work: colour and reminders apply.
OPEN_STATUSES = (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING, ProblemStatus.REWORK)
# Waiting for dispatch (HQ's desk).
DISPATCH_STATUSES = (ProblemStatus.REPORTED, ProblemStatus.RETURNED)
FINAL_STATUSES = (ProblemStatus.CLOSED, ProblemStatus.VOIDED)


class Problem(models.Model):
    number = models.CharField("编号", max_length=20, unique=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="problems")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    description = models.TextField("问题描述")
    district = models.ForeignKey(Unit, verbose_name="所在区县", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # Where it was found: a registered site (点位) routes to the site's responsible unit and lets a
    # recurrence at the same site count as a rebound; otherwise an address and coordinates.
    site = models.ForeignKey(Site, verbose_name="点位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="problems")
    address = models.CharField("地点", max_length=200, blank=True)
    lng = models.DecimalField("经度(WGS-84)", max_digits=10, decimal_places=7, null=True, blank=True)
    lat = models.DecimalField("纬度(WGS-84)", max_digits=10, decimal_places=7, null=True, blank=True)
    # The routing table's suggestion, shown on the dispatch desk (HQ decides).
    suggested_unit = models.ForeignKey(Unit, verbose_name="建议责任单位", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    # Responsibility, kept as snapshots: the 交办单 shows who answered on the day.
    responsible_unit = models.ForeignKey(Unit, verbose_name="责任单位", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="problems")
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    responsible_name = models.CharField("责任人(快照)", max_length=100, blank=True)
    linked_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="挂钩领导", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    linked_leader_name = models.CharField("挂钩领导(快照)", max_length=100, blank=True)
    deadline = models.DateTimeField("整改时限", null=True, blank=True)
    original_deadline = models.DateTimeField("原定时限", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.REPORTED)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发现人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("发现时间", default=timezone.now)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    submitted_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)
    rebound_of = models.ForeignKey("self", verbose_name="反弹自", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="rebounds")
    merged_into = models.ForeignKey("self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged")
    # A citizen's contact (随手拍, 12345): ciphertext only (chuangwen.lib PI encryption), masked for
    # staff, unmasked by a permitted role with an audit entry.  The index finds repeat reporters
    # without decrypting.
    reporter_name_enc = models.TextField("举报人姓名(密文)", blank=True)
    reporter_phone_enc = models.TextField("举报人电话(密文)", blank=True)
    reporter_phone_index = models.CharField("举报人电话索引", max_length=64, blank=True, db_index=True)
    # What the public tracking page shows (随手拍): a code, not the number, so numbers cannot be walked.
    tracking_code = models.CharField("查询码", max_length=16, unique=True, null=True, blank=True)
    public_reply = models.TextField("公开答复", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["-id"]
        indexes = [
            # The dispatch desk: what waits for HQ, newest first.
            models.Index(fields=["status", "-id"], name="problems_desk"),
            # One unit's list.
            models.Index(fields=["responsible_unit", "status", "-id"], name="problems_unit"),
            # Overdue and colour: open problems by deadline.
            models.Index(fields=["status", "deadline"], name="problems_due"),
            # Duplicates and rebounds: same category nearby, recent.
            models.Index(fields=["category", "reported_at"], name="problems_recent"),
            # ...narrowed to the place (bench/problems_submit.py): at a million problems a rebound
            # check walked a year of its category under the write lock.  Each leads with what
            # SQLite, without statistics, ranks above problems_recent (two equalities, or an
            # equality and a bounded range).
            models.Index(fields=["category", "address", "reported_at"], name="problems_same_address"),
            models.Index(fields=["category", "lng", "lat"], name="problems_same_point"),
            models.Index(fields=["site", "category", "reported_at"], name="problems_same_site"),
            # The desk filtered by category or district: its few rows, not the filter's history.
            models.Index(fields=["category", "status", "-id"], name="problems_desk_category"),
            models.Index(fields=["district", "status", "-id"], name="problems_desk_district"),
        ]

    def __str__(self):
        return f"{self.number} {self.category.name}"


class ProblemEventKind(models.TextChoices):
    REPORT = "report", "上报"
    ASSIGN = "assign", "交办"
    ACCEPT = "accept", "签收整改"
    RETURN = "return", "退回"
    SUBMIT = "submit", "整改完成"
    RECHECK_PASS = "recheck_pass", "复查通过,销号"
    RECHECK_FAIL = "recheck_fail", "复查未通过,返工"
    REQUEST_PARK = "request_park", "申请挂账"
    APPROVE_PARK = "approve_park", "同意挂账"
    REJECT_PARK = "reject_park", "不同意挂账"
    UNPARK = "unpark", "恢复整改"
    VOID = "void", "作废"
    EXTENSION_REQUEST = "extension_request", "申请延期"
    EXTENSION_DECIDE = "extension_decide", "延期审批"
    MERGE = "merge", "合并重复问题"
    REMIND = "remind", "催办"
    ESCALATE = "escalate", "督办"
    REPLY = "reply", "公开答复"


class ProblemEvent(models.Model):
    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=ProblemEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("办理人(快照)", max_length=100, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    # Shown on the citizen's tracking page (status changes and replies; never names of staff).
    is_public = models.BooleanField("公开", default=False)

    class Meta:
        verbose_name = "问题记录"
        verbose_name_plural = "问题记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["problem", "at"], name="problems_event_timeline")]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "不同意"


class ProblemExtension(models.Model):
    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField("延期理由")
    old_deadline = models.DateTimeField("原时限")
    new_deadline = models.DateTimeField("申请时限")
    status = models.CharField("状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "问题延期"
        verbose_name_plural = "问题延期"
        constraints = [models.UniqueConstraint(fields=["problem"], condition=Q(status="pending"),
                                               name="problems_extension_one_pending",
                                               violation_error_message="该问题已有待审批的延期申请。")]


class NumberCounter(models.Model):
    """The last number given in a year: 一件一号 without gaps from retries or races."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


from .summary import *  # noqa: E402,F403
