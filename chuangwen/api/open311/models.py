"""Open311 GeoReport v2: the attributes of a service (extra questions per problem category), the
keys partner systems post with, and what each posted request added to its problem."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.org.models import Unit
from chuangwen.problems.models import Category, Problem


class Datatype(models.TextChoices):
    """GeoReport v2's attribute datatypes (the widget a client shows)."""

    STRING = "string", "单行文字"
    NUMBER = "number", "数字"
    DATETIME = "datetime", "日期时间"
    TEXT = "text", "多行文字"
    SINGLEVALUELIST = "singlevaluelist", "单选"
    MULTIVALUELIST = "multivaluelist", "多选"


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """One extra question of a category's service definition (GET /services/{code})."""

    category = models.ForeignKey(Category, verbose_name="问题类别", on_delete=models.CASCADE,
                                 related_name="open311_attributes")
    code = models.SlugField("编码", max_length=40)
    # False: the description is information shown to the reporter, not a question.
    variable = models.BooleanField("需要填写", default=True)
    datatype = models.CharField("类型", max_length=16, choices=Datatype.choices)
    required = models.BooleanField("必填", default=False)
    datatype_description = models.CharField("填写说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序")
    description = models.CharField("问题或说明", max_length=300)
    # [{"key": "broken", "name": "破损"}, ...] for the list datatypes, [] otherwise.
    values = models.JSONField("选项", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "Open311 附加信息"
        verbose_name_plural = "Open311 附加信息"
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code"),
            # The spec: order is unique within a service, 1 shown first.
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order"),
            models.CheckConstraint(condition=Q(order__gte=1), name="open311_attribute_order_positive",
                                   violation_error_message="顺序须从 1 开始。"),
            models.CheckConstraint(condition=Q(datatype__in=Datatype.values),
                                   name="open311_attribute_datatype"),
        ]

    def __str__(self):
        return f"{self.category.name}/{self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_DATATYPES

    def value_names(self) -> dict[str, str]:
        return {str(v["key"]): str(v["name"]) for v in self.values or ()}


class Open311KeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class Open311Key(models.Model):
    """A partner system's key for POST /requests (the 12345 hotline, a district's app).  Like the
    API tokens, only a SHA-256 digest of a 256-bit secret is stored; `prefix` finds the row."""

    name = models.CharField("接入方", max_length=60)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    can_post = models.BooleanField("允许上报", default=True)
    # Empty: the whole city.  Otherwise the districts (县区) this client may report into.
    districts = models.ManyToManyField(Unit, verbose_name="限定县区", blank=True, related_name="+")
    hourly_limit = models.PositiveIntegerField("每小时上报上限", default=300)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    created_by = models.CharField("签发人", max_length=150, blank=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        verbose_name = "Open311 密钥"
        verbose_name_plural = "Open311 密钥"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_limit__gte=1), name="open311_key_limit_positive",
                                   violation_error_message="每小时上报上限须大于 0。"),
        ]

    def __str__(self):
        return f"{self.name}({self.prefix}…)"

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class Open311Request(models.Model):
    """What an Open311 POST added to the problem it created: the key it came with, the answers
    to the service's attributes, and the client's own references.  The reporter's name and phone,
    when sent, are on the problem (encrypted); e-mail, device and account ids are not kept."""

    problem = models.OneToOneField(Problem, verbose_name="问题", on_delete=models.CASCADE,
                                   related_name="open311")
    key = models.ForeignKey(Open311Key, verbose_name="密钥", on_delete=models.PROTECT, related_name="requests")
    # GET /tokens/{token}: an opaque id for the request (the spec's batch services).
    token = models.CharField("令牌", max_length=32, unique=True)
    attributes = models.JSONField("附加信息", default=dict, blank=True)
    address_id = models.CharField("点位编码", max_length=32, blank=True)
    # Kept as text for staff, never fetched by the server (no requests to URLs a client names).
    media_url = models.URLField("媒体链接", max_length=1000, blank=True)
    created_at = models.DateTimeField("接收时间", default=timezone.now)

    class Meta:
        verbose_name = "Open311 上报"
        verbose_name_plural = "Open311 上报"
        indexes = [
            # The per-key hourly limit: key = ? AND created_at >= ?.
            models.Index(fields=["key", "created_at"], name="open311_request_key_recent"),
        ]

    def __str__(self):
        return f"Open311 {self.problem_id}"
