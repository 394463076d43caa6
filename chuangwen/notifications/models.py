from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """One message in one person's inbox (the bell).  Written only by `services.notify`."""

    # No separate FK index: every index and the unique constraint below start with recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name="接收人", db_index=False,
    )
    kind = models.CharField("类型", max_length=50, help_text="调用方的短代码,如 task.issued")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True, help_text="站内地址,以 / 开头")
    created_at = models.DateTimeField("通知时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    dedupe_key = models.CharField(
        "去重键", max_length=200, blank=True, help_text="同一接收人同一去重键只通知一次"
    )
    digested_at = models.DateTimeField("汇总发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        constraints = [
            # Makes callers' jobs idempotent: a reminder job run twice notifies once.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                name="notification_unique_dedupe_key",
            ),
        ]
        indexes = [
            # The bell (unread count) and the 未读 list: recipient = ? AND read_at IS NULL ORDER BY id DESC.
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_unread_idx"),
            # The 全部 list, keyset-paged: recipient = ? AND id < ? ORDER BY id DESC.
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            # The daily digest: unread rows not yet digested.  Partial, so it holds only the rows
            # still waiting and stays small however many millions have been read.
            models.Index(
                fields=["recipient", "id"], name="notification_digest_idx",
                condition=Q(digested_at__isnull=True, read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Digest(models.Model):
    """One digest message to one person on one external channel on one day.  The row is
    claimed before the message is sent, so the digest job run twice (or on two machines) sends
    once: at most one message per (recipient, channel, day)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="接收人",
        db_index=False,  # the unique constraint starts with recipient
    )
    channel = models.CharField("渠道", max_length=100)
    day = models.DateField("日期")
    notification_count = models.PositiveIntegerField("通知条数", default=0)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    error = models.CharField("发送失败原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "通知汇总"
        verbose_name_plural = "通知汇总"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "day"], name="digest_once_per_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.recipient_id}"


class OutboxMessage(models.Model):
    """A message the `outbox` channel keeps in the database instead of sending it: for the
    demo and tests, and for a gateway that has no API we can call but can read a table."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="接收人"
    )
    channel = models.CharField("渠道", max_length=100)
    subject = models.CharField("主题", max_length=200)
    text = models.TextField("正文")
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "发件箱消息"
        verbose_name_plural = "发件箱消息"

    def __str__(self):
        return self.subject
