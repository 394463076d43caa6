from django.conf import settings
from django.db import models
from django.utils import timezone

from .validation import KINDS


class Attachment(models.Model):
    """One uploaded file attached to one record of an owning app.

    The owner is named by a kind code the owning app registers (`access.register`) and the
    record's id, not by a foreign key: this app sits below its owners.  The row is written by
    the owner's service inside its own transaction, so there are no unbound uploads.
    Identical files share one blob (`blob` is derived from `sha256`).
    """

    owner_kind = models.CharField("所属类型", max_length=40)
    owner_id = models.PositiveBigIntegerField("所属记录")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    blob = models.CharField("存储路径", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [
            # attachments_for(): the files of many records of one kind, in one query.
            models.Index(fields=["owner_kind", "owner_id"], name="attachment_owner"),
            # Deleting a file and the orphan sweep: is this blob still referenced?
            models.Index(fields=["sha256"], name="attachment_sha256"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(owner_id__gt=0), name="attachment_owner_bound"),
            models.CheckConstraint(condition=~models.Q(owner_kind=""), name="attachment_owner_kind_set"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def kind(self):
        return next((k for k in KINDS.values() if k.content_type == self.content_type), None)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def get_absolute_url(self) -> str:
        from .selectors import attachment_url

        return attachment_url(self)
