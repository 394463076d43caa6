from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, person__is_active=True)


class ApiToken(models.Model):
    """An API token for one person.  Only a SHA-256 digest of the secret is stored: tokens are
    256-bit random values, so a fast hash is enough and lookups stay cheap; `prefix` finds the row."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="所属人员", on_delete=models.PROTECT,
                               related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    created_by = models.CharField("签发人", max_length=150, blank=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}({self.prefix}…)"

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
