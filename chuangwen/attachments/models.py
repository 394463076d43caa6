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


class PhotoEvidence(models.Model):
    """When, where and with what a staff photo was taken, as its EXIF said before the stored
    copy was stripped: evidence against false closures.  Personal data (the photographer's
    whereabouts): read only through `selectors.photo_evidence`, which checks the verb
    "photo.evidence" and the attachment's owner scope.  No reverse accessor on Attachment, so
    a template cannot reach it by accident; citizens' photos never get a row."""

    attachment = models.OneToOneField(
        Attachment, verbose_name="照片", on_delete=models.CASCADE, primary_key=True, related_name="+",
    )
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    # Decimal degrees in the device's datum (WGS-84 for phones), not converted to GCJ-02.
    gps_lat = models.DecimalField("拍摄纬度", max_digits=10, decimal_places=7, null=True, blank=True)
    gps_lng = models.DecimalField("拍摄经度", max_digits=10, decimal_places=7, null=True, blank=True)
    device = models.CharField("拍摄设备", max_length=100, blank=True)
    extracted_at = models.DateTimeField("提取时间", default=timezone.now)

    class Meta:
        verbose_name = "照片拍摄信息"
        verbose_name_plural = "照片拍摄信息"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gps_lat__isnull=True, gps_lng__isnull=True)
                | models.Q(  # "IS NOT NULL" spelled out: a comparison with NULL would pass the CHECK
                    gps_lat__isnull=False, gps_lng__isnull=False,
                    gps_lat__gte=-90, gps_lat__lte=90, gps_lng__gte=-180, gps_lng__lte=180,
                ),
                name="photoevidence_gps_pair_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(taken_at__isnull=False) | models.Q(gps_lat__isnull=False)
                | ~models.Q(device=""),
                name="photoevidence_not_empty",
            ),
        ]

    def __str__(self):
        return f"照片#{self.attachment_id}的拍摄信息"
