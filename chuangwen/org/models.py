from django.conf import settings
from django.db import models
from django.utils import timezone


class UnitKind(models.TextChoices):
    HQ = "hq", "指挥部"
    LEADERSHIP = "leadership", "四套班子"
    CITY_DEPT = "city_dept", "市直部门"
    STATIONED = "stationed", "中省驻市单位"
    COUNTY = "county", "县(市、区)"
    DEV_ZONE = "dev_zone", "开发区"
    STREET = "street", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    SUBORDINATE = "subordinate", "所辖单位"
    SHOP = "shop", "沿街商户"
    CITY = "city", "市"


# Path segments are fixed-width ids, so prefix matching finds exactly a subtree and ordering
# by path lists the tree depth-first.
PATH_SEGMENT_WIDTH = 8


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(abolished_at__isnull=True)

    def subtree_of(self, unit, *, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class Unit(models.Model):
    """A unit of the campaign: from the city's leadership bodies down to a street-front shop.

    `path` and `depth` are a materialised path kept by the services only (never edited by hand):
    `/00000001/00000007/` for unit 7 under unit 1.
    """

    code = models.CharField("单位编码", max_length=32, unique=True,
                            error_messages={"unique": "单位编码已存在。"})
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类别", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    full_name = models.CharField("全称路径", max_length=500, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    address = models.CharField("地址", max_length=200, blank=True)
    abolished_at = models.DateTimeField("撤销时间", null=True, blank=True, editable=False)
    merged_into = models.ForeignKey("self", verbose_name="并入单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_from",
                                    editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        indexes = [
            # Search by name within the tree page.
            models.Index(fields=["name"], name="org_unit_name"),
            models.Index(fields=["kind", "path"], name="org_unit_kind_path"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(code=""), name="org_unit_code_not_blank"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.abolished_at is None

    def ancestor_paths(self) -> list[str]:
        segs = [s for s in self.path.split("/") if s]
        return ["/" + "/".join(segs[:i]) + "/" for i in range(1, len(segs))]


class UnitEventKind(models.TextChoices):
    CREATE = "create", "设立"
    RENAME = "rename", "更名"
    MOVE = "move", "调整隶属"
    MERGE = "merge", "合并"
    ABOLISH = "abolish", "撤销"
    UPDATE = "update", "修改"


class UnitEvent(models.Model):
    """The unit's own history (shown on its page); the audit log keeps the security record."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=UnitEventKind.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "单位沿革"
        verbose_name_plural = "单位沿革"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()}"


class PeriodQuerySet(models.QuerySet):
    """Rows with a validity period (valid_from, valid_to inclusive; open-ended when null)."""

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on)
        )


class Post(models.Model):
    """A person holding a post in a unit for a time.  "Who was the head on that day" is a query."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员",
                               on_delete=models.PROTECT, related_name="posts")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("职务", max_length=60)
    is_head = models.BooleanField("一把手", default=False)
    is_liaison = models.BooleanField("联络员", default=False)
    valid_from = models.DateField("任职起", default=timezone.localdate)
    valid_to = models.DateField("任职止", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["unit__path", "-is_head", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="org_post_period_ordered",
                violation_error_message="任职止日期不能早于任职起日期。",
            ),
            # One open head post per unit: 一把手 is one person.
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(is_head=True, valid_to__isnull=True),
                name="org_post_one_open_head",
                violation_error_message="该单位已有在任一把手。",
            ),
        ]
        indexes = [models.Index(fields=["person", "valid_to"], name="org_post_person")]

    def __str__(self):
        return f"{self.unit} {self.title} {self.person}"


class LinkageLevel(models.IntegerChoices):
    LEADER_DEPT = 1, "一级:市领导挂钩市级部门"
    DEPT_UNIT = 2, "二级:部门领导挂钩所辖单位"
    DISTRICT_COMMUNITY = 3, "三级:城区挂钩社区"




class Linkage(models.Model):
    """三级挂钩.  Levels 1 and 2 link a person to a unit; level 3 links a unit to a unit."""

    level = models.PositiveSmallIntegerField("层级", choices=LinkageLevel.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="挂钩领导", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="linkages")
    from_unit = models.ForeignKey(Unit, verbose_name="挂钩单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="linkages_out")
    unit = models.ForeignKey(Unit, verbose_name="被挂钩单位", on_delete=models.PROTECT,
                             related_name="linkages_in")
    valid_from = models.DateField("起", default=timezone.localdate)
    valid_to = models.DateField("止", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "挂钩关系"
        verbose_name_plural = "挂钩关系"
        ordering = ["level", "unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level__in=[1, 2], person__isnull=False, from_unit__isnull=True)
                    | models.Q(level=3, person__isnull=True, from_unit__isnull=False)
                ),
                name="org_linkage_source_matches_level",
                violation_error_message="一、二级挂钩须由人员挂钩单位,三级挂钩须由单位挂钩单位。",
            ),
            models.UniqueConstraint(
                fields=["level", "person", "unit"], condition=models.Q(valid_to__isnull=True, level__in=[1, 2]),
                name="org_linkage_unique_person_open",
            ),
            models.UniqueConstraint(
                fields=["level", "from_unit", "unit"], condition=models.Q(valid_to__isnull=True, level=3),
                name="org_linkage_unique_unit_open",
            ),
        ]

    def __str__(self):
        source = self.person if self.person_id else self.from_unit
        return f"{source} → {self.unit}"

    @property
    def source_label(self) -> str:
        return str(self.person if self.person_id else self.from_unit)


class WorkGroup(models.Model):
    """A working group of the HQ (优美环境组 ...), led by a city leader, with member units."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="牵头领导", on_delete=models.PROTECT,
                             related_name="led_groups")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="工作组成员", blank=True,
                                   related_name="served_groups")
    duties = models.TextField("职责", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    units = models.ManyToManyField(Unit, through="WorkGroupMember", related_name="work_groups")

    class Meta:
        verbose_name = "指挥部工作组"
        verbose_name_plural = "指挥部工作组"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class WorkGroupMember(models.Model):
    group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(Unit, verbose_name="成员单位", on_delete=models.PROTECT,
                             related_name="group_memberships")
    is_lead_unit = models.BooleanField("牵头单位", default=False)
    duties = models.CharField("分工", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作组成员单位"
        verbose_name_plural = "工作组成员单位"
        constraints = [models.UniqueConstraint(fields=["group", "unit"], name="org_group_member_unique")]

    def __str__(self):
        return f"{self.group} · {self.unit}"
