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


class IdempotencyRecord(models.Model):
    """A POST sent with an `Idempotency-Key` and the answer it got, replayed to its retries for
    24 hours (chuangwen/api/idempotency.py).  The row is inserted in the same transaction as the
    write it guards, so the two commit or roll back together."""

    # Whose key: "token:<ApiToken id>" for the JSON API, "apikey:<id>" for Open311.
    scope = models.CharField("调用方", max_length=64)
    key = models.CharField("幂等键", max_length=200)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("路径", max_length=300)  # shown to people; truncated, not compared
    # SHA-256 of the method, the path with its query, the content type and the body: a retry must
    # send the same request, byte for byte.
    request_sha256 = models.CharField("请求摘要", max_length=64)
    # Null only inside the first request's own transaction, which no other connection can see.
    status_code = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    content_type = models.CharField("内容类型", max_length=200, blank=True)
    body = models.BinaryField("响应内容", default=b"")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            # One first answer per caller and key; a concurrent retry waits on this index.
            models.UniqueConstraint(fields=["scope", "key"], name="api_idempotency_once_per_scope"),
            # Only successes are kept (docs/api.md, "Idempotent retries").
            models.CheckConstraint(
                condition=models.Q(status_code__isnull=True)
                | models.Q(status_code__gte=200, status_code__lt=300),
                name="api_idempotency_keeps_successes",
            ),
        ]
        # The expiry job: DELETE ... WHERE created_at < now - 24 h.
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self):
        return f"{self.scope} {self.key}"
