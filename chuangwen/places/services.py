"""Every change to site types, sites and shops' zones: atomic and audited.

Coordinates may be entered in any datum (a phone's GPS, 高德 or 百度 map picks); they are
stored as WGS-84 and the datum they came in is recorded, so a wrong pick can be traced.
"""

import math
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.permissions import require
from chuangwen.org.services import StaleVersion

from . import geo
from .catalogue import FIVE_DUTIES
from .models import Datum, ShopZone, Site, SiteType

__all__ = [
    "KEEP", "StaleVersion", "convert_point", "next_site_code", "site_create", "site_deactivate",
    "site_reactivate", "site_type_create", "site_type_update", "site_update", "zone_set",
]

MANAGE = "place.manage"
# zone_set's default for the point: leave the stored one as it is.
KEEP = object()
_SEVEN_PLACES = Decimal("0.0000001")
MAX_DUTIES = 10
MAX_DUTY_LENGTH = 100


# --- coordinates -----------------------------------------------------------------------------


def _number(value, label: str) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}须为数字(十进制度,如 112.9388)。") from None
    if not math.isfinite(number):
        raise ValidationError(f"{label}须为数字(十进制度,如 112.9388)。")
    return number


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert_point(lng, lat, datum: str = Datum.WGS84) -> tuple[Decimal | None, Decimal | None, str]:
    """(lng, lat, input_datum) to store for a point entered in `datum`: WGS-84 to 7 places, or
    (None, None, "") when both coordinates are blank.  Refuses half a point, text and values out
    of range, in Chinese."""
    if _blank(lng) and _blank(lat):
        return None, None, ""
    if _blank(lng) or _blank(lat):
        raise ValidationError("经度、纬度须同时填写或同时留空。")
    if datum not in Datum.values:
        raise ValidationError("请选择录入坐标系:WGS-84、GCJ-02(高德、腾讯)或 BD-09(百度)。")
    lng_f, lat_f = _number(lng, "经度"), _number(lat, "纬度")
    if abs(lat_f) > 90 and abs(lng_f) <= 90:
        raise ValidationError("纬度超出范围:经度和纬度是否填反了?")
    if not (-180 <= lng_f <= 180 and -90 <= lat_f <= 90):
        raise ValidationError("经度应在 -180 至 180 之间,纬度应在 -90 至 90 之间。")
    wgs_lng, wgs_lat = geo.to_wgs84(lng_f, lat_f, datum)
    return _decimal(wgs_lng), _decimal(wgs_lat), datum


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_SEVEN_PLACES)


def _point_changes(obj, lng, lat, datum) -> dict:
    changes = {}
    for field, value in (("lng", lng), ("lat", lat), ("input_datum", datum)):
        before = getattr(obj, field)
        if before != value:
            changes[field] = [None if before is None else str(before), None if value is None else str(value)]
        setattr(obj, field, value)
    return changes


# --- site types ------------------------------------------------------------------------------


def site_type_create(*, code: str, name: str, actor, description: str = "", sort_order: int = 0) -> SiteType:
    require(actor, MANAGE)
    with transaction.atomic():
        site_type = SiteType(code=code.strip(), name=name.strip(), description=description.strip(),
                             sort_order=sort_order or 0)
        site_type.full_clean()
        site_type.save()
        record("site_type.create", actor=actor, obj=site_type, changes={
            "code": [None, site_type.code], "name": [None, site_type.name],
        })
    return site_type


SITE_TYPE_FIELDS = ("name", "description", "sort_order")


def site_type_update(*, site_type: SiteType, actor, **fields) -> SiteType:
    """Rename or re-describe a type (its code stays: assessment rounds refer to it)."""
    require(actor, MANAGE)
    unknown = set(fields) - set(SITE_TYPE_FIELDS)
    if unknown:
        raise ValidationError(f"不能在此修改:{', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = SiteType.objects.select_for_update().get(pk=site_type.pk)
        changes = {}
        for field, value in fields.items():
            value = value.strip() if isinstance(value, str) else value
            if getattr(locked, field) != value:
                changes[field] = [getattr(locked, field), value]
                setattr(locked, field, value)
        if changes:
            locked.full_clean()
            locked.save(update_fields=list(changes))
            record("site_type.update", actor=actor, obj=locked, changes=changes)
    return locked


# --- sites -----------------------------------------------------------------------------------


def next_site_code(district: Unit, site_type: SiteType) -> str:
    """`<district>-<type>-NNN`, the next number free under that prefix (the code a site gets
    when none is given)."""
    prefix = f"{district.code}-{site_type.code}-"
    taken = Site.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix):]) for code in taken if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _unit_label(unit: Unit | None) -> str | None:
    return f"{unit.code} {unit.name}" if unit is not None else None


def site_create(
    *, name: str, site_type: SiteType, district: Unit, responsible_unit: Unit, actor, code: str = "",
    address: str = "", lng=None, lat=None, datum: str = Datum.WGS84,
) -> Site:
    """Register a site.  Without a code it gets `<district>-<type>-NNN`; coordinates in `datum`
    are stored as WGS-84."""
    require(actor, MANAGE)
    point_lng, point_lat, used = convert_point(lng, lat, datum)
    with transaction.atomic():
        now = timezone.now()
        site = Site(
            code=code.strip() or next_site_code(district, site_type), name=name.strip(), site_type=site_type,
            district=district, address=address.strip(), responsible_unit=responsible_unit,
            lng=point_lng, lat=point_lat, input_datum=used, created_at=now, updated_at=now,
        )
        site.full_clean()
        site.save()
        record("site.create", actor=actor, obj=site, changes={
            "code": [None, site.code], "name": [None, site.name], "site_type": [None, site_type.name],
            "district": [None, _unit_label(district)],
            "responsible_unit": [None, _unit_label(responsible_unit)],
            "lng": [None, str(point_lng) if point_lng is not None else None],
            "lat": [None, str(point_lat) if point_lat is not None else None],
            "input_datum": [None, used or None],
        })
    return site


SITE_FIELDS = ("name", "site_type", "district", "address", "responsible_unit")
POINT_FIELDS = ("lng", "lat", "datum")


def _lock_site(site: Site, expected_version: int | None) -> Site:
    locked = Site.objects.select_for_update(of=("self",)).select_related("site_type").get(pk=site.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion("该点位已被他人修改,请刷新后重试。")
    return locked


def site_update(*, site: Site, expected_version: int | None, actor, **fields) -> Site:
    """Edit a site.  `fields`: any of name, site_type, district, address, responsible_unit, and
    a new point as lng + lat (+ datum, default WGS-84; both None clears it).  The code stays.

    `expected_version` is the version the editor loaded: a save over someone else's is refused
    (None skips the check, for callers that just locked the row themselves)."""
    require(actor, MANAGE)
    unknown = set(fields) - set(SITE_FIELDS) - set(POINT_FIELDS)
    if unknown:
        raise ValidationError(f"不能在此修改:{', '.join(sorted(unknown))}")
    point = None
    if {"lng", "lat", "datum"} & set(fields):
        if not {"lng", "lat"} <= set(fields):
            raise ValidationError("修改坐标须同时给出经度和纬度。")
        point = convert_point(fields.pop("lng"), fields.pop("lat"), fields.pop("datum", Datum.WGS84))
    with transaction.atomic():
        locked = _lock_site(site, expected_version)
        changes = {}
        for field, value in fields.items():
            value = value.strip() if isinstance(value, str) else value
            before = getattr(locked, field)
            if before != value:
                if isinstance(value, Unit) or isinstance(before, Unit):
                    changes[field] = [_unit_label(before), _unit_label(value)]
                else:
                    changes[field] = [str(before) if before is not None else None, str(value)]
                setattr(locked, field, value)
        if point is not None:
            changes.update(_point_changes(locked, *point))
        if not changes:
            return locked
        locked.full_clean()
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        record("site.update", actor=actor, obj=locked, changes=changes)
    return locked


def _set_active(site: Site, active: bool, *, actor, expected_version: int | None, reason: str) -> Site:
    require(actor, MANAGE)
    with transaction.atomic():
        locked = _lock_site(site, expected_version)
        if locked.is_active == active:
            raise ValidationError("该点位已在用。" if active else "该点位已停用。")
        locked.is_active = active
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["is_active", "version", "updated_at"])
        record("site.reactivate" if active else "site.deactivate", actor=actor, obj=locked, changes={
            "is_active": [not active, active], "reason": [None, reason.strip() or None],
        })
    return locked


def site_deactivate(*, site: Site, actor, expected_version: int | None = None, reason: str = "") -> Site:
    """Take a site out of use (demolished, merged, no longer inspected).  Nothing is deleted:
    problems and observations keep pointing at it."""
    return _set_active(site, False, actor=actor, expected_version=expected_version, reason=reason)


def site_reactivate(*, site: Site, actor, expected_version: int | None = None, reason: str = "") -> Site:
    return _set_active(site, True, actor=actor, expected_version=expected_version, reason=reason)


# --- shops' zones (门前五包) -------------------------------------------------------------------


def _clean_duties(duties) -> list[str]:
    if duties is None:
        return list(FIVE_DUTIES)
    if isinstance(duties, str):
        duties = duties.splitlines()
    lines = [str(d).strip() for d in duties if str(d).strip()]
    if not lines:
        raise ValidationError("责任内容不能为空(每项一行)。")
    if len(lines) > MAX_DUTIES:
        raise ValidationError(f"责任内容最多 {MAX_DUTIES} 项。")
    if any(len(line) > MAX_DUTY_LENGTH for line in lines):
        raise ValidationError(f"每项责任内容不超过 {MAX_DUTY_LENGTH} 字。")
    return lines


def zone_set(
    *, shop: Unit, actor, frontage: str = "", length_m=None, duties=None, lng=KEEP, lat=KEEP,
    datum: str = Datum.WGS84, responsible_person=None, signed_on: date | None = None,
    expected_version: int | None = None,
) -> ShopZone:
    """Record a shop's responsibility zone as a whole (create or replace).

    `duties`: lines of text, default 门前五包 (catalogue.FIVE_DUTIES).  `responsible_person`:
    who signed the letter, default the shop's current head (店主); the name is kept as a
    snapshot.  The point (lng, lat in `datum`) is kept unless given; None, None clears it.
    `expected_version` guards an edit of an existing zone.
    """
    from chuangwen.org.selectors import current_head

    require(actor, MANAGE)
    if shop.kind != UnitKind.SHOP:
        raise ValidationError("门前五包责任区只能登记给沿街商户。")
    if not shop.is_active:
        raise ValidationError("该商户已撤销。")
    if (lng is KEEP) != (lat is KEEP):
        raise ValidationError("经度、纬度须同时填写或同时留空。")
    point = None if lng is KEEP else convert_point(lng, lat, datum)
    lines = _clean_duties(duties)
    if not _blank(length_m):
        length = _number(length_m, "门前长度")
        if length <= 0 or length >= 100000:
            raise ValidationError("门前长度应大于 0 米且小于 100000 米。")
        length_m = Decimal(repr(length)).quantize(Decimal("0.1"))
    else:
        length_m = None
    if responsible_person is None:
        head = current_head(shop)
        responsible_person = head.person if head else None
    with transaction.atomic():
        # Lock the shop row: two first-time saves of the same zone queue here instead of one
        # failing on the one-zone-per-shop constraint.
        Unit.objects.select_for_update().filter(pk=shop.pk).first()
        zone = ShopZone.objects.select_for_update().filter(shop=shop).first()
        creating = zone is None
        if creating:
            zone = ShopZone(shop=shop)
        elif expected_version is not None and zone.version != expected_version:
            raise StaleVersion("该责任区已被他人修改,请刷新后重试。")
        before = {
            "duties": None if creating else list(zone.duties),
            "frontage": None if creating else zone.frontage,
            "length_m": str(zone.length_m) if zone.length_m is not None else None,
            "responsible_name": None if creating else zone.responsible_name,
            "signed_on": zone.signed_on.isoformat() if zone.signed_on else None,
        }
        zone.duties = lines
        zone.frontage = frontage.strip()
        zone.length_m = length_m
        zone.responsible_person = responsible_person
        zone.responsible_name = str(responsible_person) if responsible_person is not None else ""
        zone.signed_on = signed_on
        after = {
            "duties": lines, "frontage": zone.frontage,
            "length_m": str(length_m) if length_m is not None else None,
            "responsible_name": zone.responsible_name,
            "signed_on": signed_on.isoformat() if signed_on else None,
        }
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if point is not None:
            changes.update(_point_changes(zone, *point))
        if not creating and not changes:
            return zone
        if not creating:
            zone.version += 1
        zone.updated_at = timezone.now()
        zone.full_clean()
        zone.save()
        record("zone.set", actor=actor, obj=zone, changes={"shop": [None, _unit_label(shop)], **changes})
    return zone
