"""Reading sites: the scope rule, the spatial look-up and routing."""

import math

import pytest

from chuangwen.org import services as org
from chuangwen.places import geo, selectors, services
from chuangwen.places.models import Datum, Site

pytestmark = pytest.mark.django_db

CENTRE = (112.9, 28.2)  # WGS-84


def _at(centre, east_m: float, north_m: float = 0.0) -> tuple[str, str]:
    lng, lat = centre
    d_lat = math.degrees(north_m / geo.EARTH_RADIUS_M)
    d_lng = math.degrees(east_m / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return f"{lng + d_lng:.7f}", f"{lat + d_lat:.7f}"


def _site(world, site_types, name, *, east=0.0, north=0.0, type_code="T05", district=None, unit=None):
    lng, lat = _at(CENTRE, east, north)
    return services.site_create(name=name, site_type=site_types[type_code], district=district or world.district,
                                responsible_unit=unit or world.street, lng=lng, lat=lat,
                                datum=Datum.WGS84, actor=world.hq)


def _names(qs):
    return set(qs.values_list("name", flat=True))


# --- scope -----------------------------------------------------------------------------------


def test_a_site_is_seen_through_its_district_or_its_responsible_unit(world, site_types, site, other_site):
    bureau = services.site_create(name="住建局工地", site_type=site_types["T13"], district=world.district,
                                  responsible_unit=world.dept_sub, actor=world.hq)
    all_three = {site.name, other_site.name, bureau.name}
    assert _names(selectors.sites_visible_to(world.hq)) == all_three
    assert _names(selectors.sites_visible_to(world.mayor)) == all_three
    # The district head sees every site of the district, whoever answers for it.
    assert _names(selectors.sites_visible_to(world.district_head)) == {site.name, bureau.name}
    # A community head sees the sites the community answers for, not the rest of the district.
    assert _names(selectors.sites_visible_to(world.c1_head)) == {site.name}
    # A bureau sees the sites it answers for, in any district.
    assert _names(selectors.sites_visible_to(world.dept_head)) == {bureau.name}
    # The other district sees its own only.
    assert _names(selectors.sites_visible_to(world.e1_head)) == {other_site.name}
    for persona in ("outsider", "auditor", "sysadmin"):
        assert not selectors.sites_visible_to(getattr(world, persona)).exists()


def test_zones_are_seen_through_the_shop(world):
    services.zone_set(shop=world.shop, actor=world.hq)
    assert selectors.zones_visible_to(world.c1_head).count() == 1
    assert selectors.zones_visible_to(world.hq).count() == 1
    assert not selectors.zones_visible_to(world.e1_head).exists()
    assert not selectors.zones_visible_to(world.outsider).exists()


def test_the_district_filter_offers_the_districts_in_scope(world):
    assert list(selectors.districts_visible_to(world.hq)) == [world.district, world.other_district]
    assert list(selectors.districts_visible_to(world.district_head)) == [world.district]
    assert not selectors.districts_visible_to(world.c1_head).exists()


def test_site_page_filters_and_continues_by_code(world, site_types, site, other_site):
    for i in range(5):
        _site(world, site_types, f"站点{i}", east=1000 * i)
    rows, after = selectors.site_page(world.hq, site_type=site_types["T05"], limit=3)
    assert [r.name for r in rows] == ["站点0", "站点1", "站点2"] and after == rows[-1].code
    rows, after = selectors.site_page(world.hq, site_type=site_types["T05"], limit=3, after=after)
    assert [r.name for r in rows] == ["站点3", "站点4"] and after == ""
    assert [r.name for r in selectors.site_page(world.hq, district=world.other_district)[0]] == ["西湖公园"]
    assert [r.name for r in selectors.site_page(world.hq, q="和平路")[0]] == ["和平农贸市场"]
    services.site_deactivate(site=site, actor=world.hq)
    assert site.name not in {r.name for r in selectors.site_page(world.hq)[0]}
    assert site.name in {r.name for r in selectors.site_page(world.hq, include_inactive=True)[0]}


# --- near ------------------------------------------------------------------------------------


def test_sites_near_narrows_by_box_and_decides_by_distance(world, site_types, django_assert_num_queries):
    here = _site(world, site_types, "此处")
    for name, east, north in (("三十米", 30, 0), ("四十九米", 0, -49), ("东北三十四米", 34, 34),
                              ("六十米", 60, 0), ("一公里", 1000, 0)):
        _site(world, site_types, name, east=east, north=north)
    with django_assert_num_queries(1):
        found = selectors.sites_near(*here.point, 50, exclude=here)
    assert [s.name for s in found] == ["三十米", "东北三十四米", "四十九米"]
    assert [round(s.distance_m) for s in found] == [30, 48, 49]
    # Towards the box's corner (34 m east and north, ~48 m away) the distance decides.
    assert [s.name for s in selectors.sites_near(*here.point, 45, exclude=here)] == ["三十米"]


def test_sites_near_by_type_scope_and_activity(world, site_types):
    here = _site(world, site_types, "公交站")
    toilet = _site(world, site_types, "公厕", east=20, type_code="T08")
    far_side = _site(world, site_types, "城西站", east=25, district=world.other_district,
                     unit=world.other_community)
    assert [s.name for s in selectors.sites_near(*here.point, 50, site_type=site_types["T08"])] == ["公厕"]
    visible = selectors.sites_visible_to(world.e1_head)
    assert [s.name for s in selectors.sites_near(*here.point, 50, within=visible)] == [far_side.name]
    services.site_deactivate(site=toilet, actor=world.hq)
    assert "公厕" not in {s.name for s in selectors.sites_near(*here.point, 50)}
    assert "公厕" in {s.name for s in selectors.sites_near(*here.point, 50, active_only=False)}
    # Sites known by address only are never near anything.
    services.site_create(name="无坐标", site_type=site_types["T05"], district=world.district,
                         responsible_unit=world.street, actor=world.hq)
    assert "无坐标" not in {s.name for s in selectors.sites_near(*here.point, 10_000)}


# --- routing ---------------------------------------------------------------------------------


def test_routing_goes_to_the_responsible_unit(world, site):
    assert selectors.site_for_routing(site) == world.community


def test_routing_follows_a_merger_and_falls_back_to_the_district(world, site_types):
    merged = services.site_create(name="友谊广场", site_type=site_types["T09"], district=world.district,
                                  responsible_unit=world.community2, actor=world.hq)
    abolished = services.site_create(name="设施处管的公厕", site_type=site_types["T08"], district=world.district,
                                     responsible_unit=world.dept_sub, actor=world.hq)
    org.unit_merge(unit=world.community2, into=world.community, actor=world.hq)
    org.unit_abolish(unit=world.dept_sub, actor=world.hq)
    assert selectors.site_for_routing(Site.objects.get(pk=merged.pk)) == world.community
    assert selectors.site_for_routing(Site.objects.get(pk=abolished.pk)) == world.district
