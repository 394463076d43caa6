"""Writing sites, site types and zones: conversion to WGS-84 with the datum recorded, the
version check, Chinese refusals, audit entries, and who may write."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.events import EVENT_LABELS
from chuangwen.audit.models import Entry
from chuangwen.org import services as org
from chuangwen.places import geo, services
from chuangwen.places.catalogue import FIVE_DUTIES, SITE_TYPES
from chuangwen.places.models import Datum, ShopZone, Site, SiteType

from .conftest import GCJ_POINT

pytestmark = pytest.mark.django_db


def _entries(event, obj):
    return Entry.objects.filter(event=event, object_id=str(obj.pk))


# --- site types ------------------------------------------------------------------------------


def test_the_migration_seeds_the_26_site_types_in_the_manuals_order():
    names = list(SiteType.objects.values_list("name", flat=True))
    assert len(names) == 26 == len(SITE_TYPES)
    assert names[0] == "新时代文明实践中心" and names[-1] == "乡镇"
    assert {"政务大厅", "背街小巷", "集贸市场", "主要交通路口", "城乡接合部"} <= set(names)


def test_hq_adds_and_renames_a_site_type_audited(world, site_types):
    added = services.site_type_create(code="T27", name="高等院校", actor=world.hq, sort_order=270)
    services.site_type_update(site_type=added, name="高等院校(大学)", actor=world.hq)
    added.refresh_from_db()
    assert added.name == "高等院校(大学)" and added.code == "T27"
    assert _entries("site_type.create", added).count() == 1
    assert _entries("site_type.update", added).get().changes == {"name": ["高等院校", "高等院校(大学)"]}
    with pytest.raises(ValidationError, match="点位类型名称已存在"):
        services.site_type_create(code="T28", name="公园", actor=world.hq)


# --- creating sites ---------------------------------------------------------------------------


def test_gcj02_input_is_stored_as_wgs84_with_the_datum_recorded_and_audited(world, site):
    expected = geo.gcj02_to_wgs84(float(GCJ_POINT[0]), float(GCJ_POINT[1]))
    assert site.input_datum == Datum.GCJ02
    assert abs(float(site.lng) - expected[0]) < 1e-7 and abs(float(site.lat) - expected[1]) < 1e-7
    # The stored point is a few hundred metres from the numbers typed in.
    assert 300 < geo.haversine_m(site.point, (float(GCJ_POINT[0]), float(GCJ_POINT[1]))) < 800
    assert site.gcj02_point == pytest.approx((112.985, 28.2), abs=1e-6)
    entry = _entries("site.create", site).get()
    assert entry.actor_id == world.hq.pk
    assert entry.changes["input_datum"] == [None, "gcj02"]
    assert entry.changes["lng"] == [None, str(site.lng)] and entry.changes["district"] == [None, "Q01 城东区"]


def test_bd09_and_wgs84_inputs(world, site_types):
    bd = geo.gcj02_to_bd09(112.985, 28.2)
    baidu = services.site_create(name="百度拾取", site_type=site_types["T05"], district=world.district,
                                 responsible_unit=world.street, lng=bd[0], lat=bd[1], datum=Datum.BD09,
                                 actor=world.hq)
    gps = services.site_create(name="手机定位", site_type=site_types["T05"], district=world.district,
                               responsible_unit=world.street, lng="112.9794", lat="28.2031", actor=world.hq)
    assert baidu.input_datum == Datum.BD09
    assert geo.haversine_m(baidu.gcj02_point, (112.985, 28.2)) < 0.05
    assert (gps.lng, gps.lat, gps.input_datum) == (Decimal("112.9794000"), Decimal("28.2031000"), Datum.WGS84)


def test_a_site_without_a_code_is_numbered_within_its_district_and_type(world, site_types, site):
    assert site.code == "Q01-T24-001"
    second = services.site_create(name="东街菜市场", site_type=site_types["T24"], district=world.district,
                                  responsible_unit=world.street, actor=world.hq)
    assert second.code == "Q01-T24-002"
    # Only an address: no point, no datum.
    assert (second.lng, second.lat, second.input_datum, second.point) == (None, None, "", None)


@pytest.mark.parametrize("lng, lat, message", [
    ("112.98", "", "须同时填写"),
    ("28.2", "112.98", "填反"),
    ("东经112度", "28.2", "经度须为数字"),
    ("200", "28.2", "经度应在 -180 至 180 之间"),
    ("nan", "28.2", "经度须为数字"),
])
def test_bad_coordinates_are_refused_in_chinese(world, site_types, lng, lat, message):
    with pytest.raises(ValidationError, match=message):
        services.site_create(name="x", site_type=site_types["T05"], district=world.district,
                             responsible_unit=world.street, lng=lng, lat=lat, datum=Datum.GCJ02,
                             actor=world.hq)
    assert not Site.objects.exists()


def test_a_site_belongs_to_a_county_level_district(world, site_types):
    with pytest.raises(ValidationError) as caught:
        services.site_create(name="x", site_type=site_types["T05"], district=world.street,
                             responsible_unit=world.street, actor=world.hq)
    assert caught.value.message_dict["district"] == ["所属县区须为县(市、区)或开发区。"]
    assert not Entry.objects.filter(event="site.create").exists()


def test_a_duplicate_code_is_refused(world, site_types, site):
    with pytest.raises(ValidationError, match="点位编码已存在"):
        services.site_create(code=site.code, name="x", site_type=site_types["T05"], district=world.district,
                             responsible_unit=world.street, actor=world.hq)


# --- updating and deactivating ---------------------------------------------------------------


def test_update_converts_a_new_point_and_bumps_the_version(world, site_types, site):
    bd = geo.gcj02_to_bd09(112.99, 28.21)
    updated = services.site_update(site=site, expected_version=1, actor=world.hq, name="和平综合市场",
                                   responsible_unit=world.street, lng=f"{bd[0]:.6f}", lat=f"{bd[1]:.6f}",
                                   datum=Datum.BD09)
    assert updated.version == 2 and updated.name == "和平综合市场" and updated.input_datum == Datum.BD09
    assert geo.haversine_m(updated.gcj02_point, (112.99, 28.21)) < 0.2
    changes = _entries("site.update", site).get().changes
    assert changes["name"] == ["和平农贸市场", "和平综合市场"]
    assert changes["responsible_unit"] == ["Q01-J01-S01 和平社区", "Q01-J01 东街街道"]
    assert changes["input_datum"] == ["gcj02", "bd09"]


def test_a_stale_version_is_refused_in_chinese_and_changes_nothing(world, site):
    services.site_update(site=site, expected_version=1, actor=world.hq, address="和平路10号")
    with pytest.raises(services.StaleVersion, match="该点位已被他人修改,请刷新后重试。"):
        services.site_update(site=site, expected_version=1, actor=world.hq, name="我的修改")
    site.refresh_from_db()
    assert (site.name, site.address, site.version) == ("和平农贸市场", "和平路10号", 2)
    assert _entries("site.update", site).count() == 1


def test_an_update_that_changes_nothing_writes_nothing(world, site):
    same = services.site_update(site=site, expected_version=1, actor=world.hq, name="和平农贸市场",
                                lng=GCJ_POINT[0], lat=GCJ_POINT[1], datum=Datum.GCJ02)
    assert same.version == 1 and not _entries("site.update", site).exists()


def test_clearing_the_point_and_refusing_half_a_point(world, site):
    with pytest.raises(ValidationError, match="同时给出经度和纬度"):
        services.site_update(site=site, expected_version=1, actor=world.hq, lng="112.9")
    cleared = services.site_update(site=site, expected_version=1, actor=world.hq, lng=None, lat=None)
    assert (cleared.lng, cleared.lat, cleared.input_datum) == (None, None, "")


def test_the_code_and_unknown_fields_stay(world, site):
    with pytest.raises(ValidationError, match="不能在此修改:code"):
        services.site_update(site=site, expected_version=1, actor=world.hq, code="X")


def test_deactivate_and_reactivate_are_audited_and_not_repeated(world, site):
    off = services.site_deactivate(site=site, actor=world.hq, expected_version=1, reason="已拆除")
    assert not off.is_active and off.version == 2
    assert _entries("site.deactivate", site).get().changes == {
        "is_active": [True, False], "reason": [None, "已拆除"],
    }
    with pytest.raises(ValidationError, match="该点位已停用。"):
        services.site_deactivate(site=site, actor=world.hq)
    with pytest.raises(services.StaleVersion):
        services.site_reactivate(site=site, actor=world.hq, expected_version=1)
    assert services.site_reactivate(site=site, actor=world.hq).is_active


@pytest.mark.parametrize("persona", ["district_head", "c1_head", "inspector", "outsider", "sysadmin",
                                     "secadmin"])
def test_only_hq_staff_write_sites(world, site_types, site, persona):
    person = getattr(world, persona)
    with pytest.raises(PermissionDenied, match="维护点位与门前五包"):
        services.site_create(name="x", site_type=site_types["T05"], district=world.district,
                             responsible_unit=world.street, actor=person)
    with pytest.raises(PermissionDenied):
        services.site_update(site=site, expected_version=1, actor=person, name="x")
    with pytest.raises(PermissionDenied):
        services.site_deactivate(site=site, actor=person)
    with pytest.raises(PermissionDenied):
        services.zone_set(shop=world.shop, actor=person)
    assert Site.objects.count() == 1 and not ShopZone.objects.exists()
    assert Entry.objects.filter(event="permission.denied", actor_id=person.pk).count() == 4


# --- zones (门前五包) -------------------------------------------------------------------------


def test_a_zone_gets_the_five_duties_and_the_shopkeepers_name(world):
    org.post_appoint(person=world.c2_head, unit=world.shop, title="店主", is_head=True)
    zone = services.zone_set(shop=world.shop, actor=world.hq, frontage="门前至路缘石", length_m="8.5",
                             lng=GCJ_POINT[0], lat=GCJ_POINT[1], datum=Datum.GCJ02)
    assert zone.duties == FIVE_DUTIES and len(zone.duties) == 5
    assert (zone.responsible_person, zone.responsible_name) == (world.c2_head, "庚书记")
    assert zone.length_m == Decimal("8.5") and zone.input_datum == Datum.GCJ02
    assert zone.version == 1
    entry = _entries("zone.set", zone).get()
    assert entry.changes["shop"] == [None, "Q01-J01-S01-P01 和平副食店"]


def test_setting_a_zone_again_replaces_it_keeps_the_point_and_checks_the_version(world):
    zone = services.zone_set(shop=world.shop, actor=world.hq, lng="112.98", lat="28.2", datum=Datum.WGS84,
                             responsible_person=world.c1_head)
    again = services.zone_set(shop=world.shop, actor=world.hq, expected_version=1, duties="包卫生\n\n包秩序\n包绿化",
                              responsible_person=world.c1_head)
    assert again.pk == zone.pk and again.version == 2
    assert again.duties == ["包卫生", "包秩序", "包绿化"]
    assert (again.lng, again.input_datum) == (Decimal("112.9800000"), Datum.WGS84)
    assert again.responsible_name == "戊书记"
    with pytest.raises(services.StaleVersion, match="该责任区已被他人修改"):
        services.zone_set(shop=world.shop, actor=world.hq, expected_version=1, frontage="x")
    cleared = services.zone_set(shop=world.shop, actor=world.hq, lng=None, lat=None,
                                responsible_person=world.c1_head, duties="包卫生\n包秩序\n包绿化")
    assert cleared.point is None and cleared.version == 3
    assert ShopZone.objects.count() == 1 and Entry.objects.filter(event="zone.set").count() == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"length_m": "-3"}, "门前长度应大于 0"),
    ({"duties": " \n "}, "责任内容不能为空"),
    ({"duties": ["包" * 101]}, "不超过 100 字"),
    ({"lng": "112.9"}, "同时填写"),
])
def test_bad_zones_are_refused_in_chinese(world, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        services.zone_set(shop=world.shop, actor=world.hq, **kwargs)
    assert not ShopZone.objects.exists()


def test_only_a_shop_has_a_zone(world):
    with pytest.raises(ValidationError, match="门前五包责任区只能登记给沿街商户"):
        services.zone_set(shop=world.community, actor=world.hq)


def test_every_new_audit_event_has_a_chinese_label():
    for code in ("site_type.create", "site_type.update", "site.create", "site.update", "site.deactivate",
                 "site.reactivate", "zone.set"):
        assert EVENT_LABELS[code] and EVENT_LABELS[code] != code


def test_setting_the_same_zone_again_writes_nothing(world):
    services.zone_set(shop=world.shop, actor=world.hq, frontage="门前至路缘石")
    again = services.zone_set(shop=world.shop, actor=world.hq, frontage="门前至路缘石", expected_version=1)
    assert again.version == 1 and again.responsible_name == ""
    assert Entry.objects.filter(event="zone.set").count() == 1
