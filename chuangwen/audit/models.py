from django.db import models


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class Entry(models.Model):
    """One audit entry.  Append-only (database triggers refuse UPDATE and DELETE) and chained:
    `mac` is an HMAC over this entry's canonical content, which includes `prev_mac`.

    Everything about the actor and the object is a snapshot, never a foreign key, so the log
    sits below every other app and outlives what it records.
    """

    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    event = models.CharField("事件", max_length=64)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=200, blank=True)
    actor_unit = models.CharField("单位", max_length=300, blank=True)
    ip = models.CharField("客户端地址", max_length=45, blank=True)
    request_id = models.CharField("请求号", max_length=64, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        indexes = [
            # The auditor's search: by event or actor within a time window.
            models.Index(fields=["event", "at"], name="audit_event_at"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.event} {self.actor_name}"

    @property
    def event_label(self) -> str:
        from .events import event_label

        return event_label(self.event)


class Head(models.Model):
    """The chain head: the newest entry's number and MAC, in one row that every writer locks.

    Kept in the same transaction as the entry, so concurrent writers queue on this row instead
    of forking the chain, and removing the newest entries is caught by comparing with it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64)
    # Where the retained chain starts: the last entry moved to an archive file by
    # `chuangwen audit archive` (0: nothing archived), its MAC, and a MAC over both with the
    # audit key, so that deleting the oldest entries and moving this marker along is caught.
    archived_seq = models.BigIntegerField(default=0)
    archived_mac = models.CharField(max_length=64, blank=True, default="")
    archive_seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计链头"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self):
        return f"head #{self.seq}"


class ArchivePermit(models.Model):
    """Lets the append-only trigger pass the DELETE of entries up to `upto`.  Only the archive
    run writes it, and removes it again within the same transaction (see triggers.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    upto = models.BigIntegerField()

    class Meta:
        db_table = "audit_archive_permit"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_permit_single_row")]
