from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangwen.org.models import Unit, UnitKind

from . import geo
from .catalogue import FIVE_DUTIES


class Datum(models.TextChoices):
    """The datum a client entered coordinates in.  Stored coordinates are always WGS-84."""

    WGS84 = geo.WGS84, "WGS-84(GPS、天地图)"
    GCJ02 = geo.GCJ02, "GCJ-02(高德、腾讯地图)"
    BD09 = geo.BD09, "BD-09(百度地图)"


# A site's district: a county-level unit (县、市、区) or a development zone, which cities rank
# alongside the districts.
DISTRICT_KINDS = (UnitKind.COUNTY, UnitKind.DEV_ZONE)


class Located(models.Model):
    """A WGS-84 point, or none when only an address is known, and the datum it was entered in.

    Seven decimal places are about a centimetre; a point is stored whole or not at all.
    """

    lng = models.DecimalField("经度(WGS-84)", max_digits=10, decimal_places=7, null=True, blank=True)
    lat = models.DecimalField("纬度(WGS-84)", max_digits=10, decimal_places=7, null=True, blank=True)
    input_datum = models.CharField("录入坐标系", max_length=8, choices=Datum.choices, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(lng__isnull=True, lat__isnull=True, input_datum="")
                | (Q(lng__isnull=False, lat__isnull=False) & ~Q(input_datum="")),
                name="%(app_label)s_%(class)s_point_whole",
                violation_error_message="经度、纬度须同时填写(并注明录入坐标系)或同时留空。",
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180, lat__gte=-90, lat__lte=90),
                name="%(app_label)s_%(class)s_point_range",
                violation_error_message="经度应在 -180 至 180 之间,纬度应在 -90 至 90 之间。",
            ),
        ]

    @property
    def point(self) -> geo.Point | None:
        """(lng, lat) in WGS-84 as floats, or None."""
        if self.lng is None or self.lat is None:
            return None
        return float(self.lng), float(self.lat)

    @property
    def gcj02_point(self) -> geo.Point | None:
        """The point as Chinese map apps (高德, 腾讯) expect it."""
        point = self.point
        return geo.wgs84_to_gcj02(*point) if point else None


class SiteType(models.Model):
    """A kind of field-inspection site (点位类型): 政务大厅, 背街小巷, 集贸市场 ..."""

    code = models.CharField("类型编码", max_length=16, unique=True,
                            error_messages={"unique": "点位类型编码已存在。"})
    name = models.CharField("名称", max_length=40, unique=True,
                            error_messages={"unique": "点位类型名称已存在。"})
    description = models.CharField("考察内容", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "点位类型"
        verbose_name_plural = "点位类型"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code="") & ~Q(name=""), name="places_sitetype_named"),
        ]

    def __str__(self):
        return self.name


class Site(Located):
    """A field-inspection site (点位): where inspectors go and problems are found, with the unit
    that answers for it (包保单位), to which problems found there are routed."""

    code = models.CharField("点位编码", max_length=32, unique=True,
                            error_messages={"unique": "点位编码已存在。"})
    name = models.CharField("点位名称", max_length=100)
    site_type = models.ForeignKey(SiteType, verbose_name="点位类型", on_delete=models.PROTECT,
                                  related_name="sites")
    # The kind is checked in clean() (a limit_choices_to would add Django's own "not a valid
    # choice" beside the Chinese reason).
    district = models.ForeignKey(Unit, verbose_name="所属县区", on_delete=models.PROTECT,
                                 related_name="district_sites")
    address = models.CharField("地址", max_length=200, blank=True)
    responsible_unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT,
                                         related_name="responsible_sites")
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "点位"
        verbose_name_plural = "点位"
        ordering = ["code"]
        constraints = [
            *Located.Meta.constraints,
            models.CheckConstraint(condition=~Q(code="") & ~Q(name=""), name="places_site_named"),
        ]
        indexes = [
            # The site list filtered by district, keyset-paged by code: district = ? AND code > ?.
            models.Index(fields=["district", "code"], name="places_site_district"),
            # The same by site type (and the per-type counts of an assessment round).
            models.Index(fields=["site_type", "code"], name="places_site_type"),
            # sites_near: lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? (a range on lat, lng
            # checked from the index entry).
            models.Index(fields=["lat", "lng"], name="places_site_latlng"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        district = self.district if self.district_id else None
        if district is not None:
            if district.kind not in DISTRICT_KINDS:
                errors["district"] = "所属县区须为县(市、区)或开发区。"
            elif not district.is_active:
                errors["district"] = "所属县区已撤销。"
        if self.responsible_unit_id and not self.responsible_unit.is_active:
            errors["responsible_unit"] = "责任单位已撤销。"
        if errors:
            raise ValidationError(errors)


def default_duties() -> list[str]:
    return list(FIVE_DUTIES)


class ShopZone(Located):
    """A street-front shop's responsibility zone (门前五包 责任区): one per shop, with the duties
    of its responsibility letter (责任书) and whom it was signed with."""

    shop = models.OneToOneField(Unit, verbose_name="商户", on_delete=models.PROTECT, related_name="shop_zone")
    duties = models.JSONField("责任内容", default=default_duties,
                              help_text="每项一行,默认为门前五包:环境卫生、秩序、绿化、照明、设施。")
    frontage = models.CharField("责任区范围", max_length=300, blank=True,
                                help_text="如:门前至路缘石,左右至与相邻商户分界线。")
    length_m = models.DecimalField("门前长度(米)", max_digits=6, decimal_places=1, null=True, blank=True)
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")
    # The snapshot outlives a change of shopkeeper: the letter was signed by this person.
    responsible_name = models.CharField("责任人(快照)", max_length=100, blank=True)
    signed_on = models.DateField("责任书签订日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "门前五包责任区"
        verbose_name_plural = "门前五包责任区"
        ordering = ["shop__path"]
        constraints = [
            *Located.Meta.constraints,
            models.CheckConstraint(condition=Q(length_m__isnull=True) | Q(length_m__gt=0),
                                   name="places_shopzone_length_positive",
                                   violation_error_message="门前长度应大于 0。"),
        ]

    def __str__(self):
        return f"{self.shop} 门前五包"

    def clean(self):
        super().clean()
        if self.shop_id and self.shop.kind != UnitKind.SHOP:
            raise ValidationError({"shop": "门前五包责任区只能登记给沿街商户。"})
