"""The site and zone pages: render for each persona, show only what is in scope, page by keyset,
stay CSP-clean; the admin site writes through the services."""

import re

import pytest

from chuangwen.audit.models import Entry
from chuangwen.places import geo, services
from chuangwen.places.models import Datum, Site

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def _assert_csp_clean(body: str) -> None:
    """No inline script or style: the CSP (script-src 'self' + nonce, style-src 'self') would
    block it."""
    assert " style=" not in body and "<style" not in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag and "nonce=" in tag, tag
    assert " onclick=" not in body and " onchange=" not in body


def test_list_and_detail_render_for_hq(client, login, world, site, other_site):
    login(world.hq)
    body = text(client.get("/places/"))
    assert site.name in body and other_site.name in body and "登记点位" in body
    _assert_csp_clean(body)
    response = client.get(f"/places/s/{site.code}/")
    body = text(response)
    assert response.status_code == 200
    assert site.name in body and "集贸市场" in body and "和平社区" in body
    assert str(site.lng) in body and "112.985000, 28.200000" in body  # WGS-84 stored, GCJ-02 shown
    assert "GCJ-02(高德、腾讯地图)" in body
    assert "https://uri.amap.com/marker?position=112.985000%2C28.200000" in body
    _assert_csp_clean(body)


def test_the_other_district_cannot_see_q01s_sites(client, login, world, site, other_site):
    login(world.e1_head)
    assert client.get(f"/places/s/{site.code}/").status_code == 404
    body = text(client.get("/places/"))
    assert site.name not in body and other_site.name in body
    # A district outside the scope is no filter at all: still only their own sites.
    assert site.name not in text(client.get(f"/places/?district={world.district.code}"))
    assert client.get(f"/places/s/{other_site.code}/").status_code == 200


def test_district_head_sees_the_district_and_community_head_its_own(client, login, world, site, site_types):
    street_site = services.site_create(name="东街背街小巷", site_type=site_types["T20"], district=world.district,
                                       responsible_unit=world.street, actor=world.hq)
    login(world.district_head)
    body = text(client.get("/places/"))
    assert site.name in body and street_site.name in body and "登记点位" not in body
    login(world.c1_head)
    assert client.get(f"/places/s/{site.code}/").status_code == 200
    assert client.get(f"/places/s/{street_site.code}/").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "auditor"])
def test_people_without_place_view_are_refused(client, login, world, site, persona):
    login(getattr(world, persona))
    assert client.get("/places/").status_code == 403
    assert client.get(f"/places/s/{site.code}/").status_code == 403
    assert client.get("/places/zones/").status_code == 403


def test_filters_by_district_type_and_text(client, login, world, site, other_site):
    login(world.hq)
    assert other_site.name not in text(client.get(f"/places/?district={world.district.code}"))
    body = text(client.get("/places/?type=T11"))
    assert other_site.name in body and site.name not in body
    body = text(client.get("/places/?q=和平路"))
    assert site.name in body and other_site.name not in body
    # Unknown filter values are ignored, not errors.
    assert client.get("/places/?district=NOPE&type=%00&q=" + "x" * 500).status_code == 200


def test_keyset_pages_without_count_and_queries_do_not_grow(client, login, world, site_types,
                                                            django_assert_max_num_queries):
    def make(n, start=0):
        Site.objects.bulk_create([
            Site(code=f"Q01-T20-{i:03d}", name=f"小巷{i:03d}", site_type=site_types["T20"],
                 district=world.district, responsible_unit=world.street)
            for i in range(start, start + n)
        ])

    login(world.hq)
    make(3)
    client.get("/places/")  # warm the session
    with django_assert_max_num_queries(10) as few:
        client.get("/places/")
    make(60, start=3)
    with django_assert_max_num_queries(len(few)):
        body = text(client.get("/places/"))
    assert "小巷049" in body and "小巷050" not in body
    assert not any("COUNT(" in q["sql"].upper() or "OFFSET" in q["sql"].upper() for q in few.captured_queries)
    body = text(client.get("/places/?after=Q01-T20-049"))
    assert "小巷050" in body and "小巷062" in body and "小巷049" not in body and "下一页" not in body


def test_detail_lists_nearby_sites_in_scope(client, login, world, site, site_types):
    gcj = geo.wgs84_to_gcj02(*site.point)
    near = geo.gcj02_to_wgs84(gcj[0] + 0.0002, gcj[1])  # about 20 m east
    services.site_create(name="市场旁公厕", site_type=site_types["T08"], district=world.district,
                         responsible_unit=world.street, lng=near[0], lat=near[1], actor=world.hq)
    login(world.hq)
    assert "市场旁公厕" in text(client.get(f"/places/s/{site.code}/"))
    login(world.c1_head)  # the toilet is the street's: not in a community head's scope
    assert "市场旁公厕" not in text(client.get(f"/places/s/{site.code}/"))


def test_zone_list_in_scope(client, login, world):
    services.zone_set(shop=world.shop, actor=world.hq, frontage="门前至路缘石", length_m="6")
    login(world.c1_head)
    body = text(client.get("/places/zones/"))
    assert "和平副食店" in body and "包环境卫生" in body and "6.0 米" in body
    _assert_csp_clean(body)
    login(world.e1_head)
    assert "和平副食店" not in text(client.get("/places/zones/"))


def test_navigation_offers_sites_to_business_roles(client, login, world):
    assert 'href="/places/"' in text(login(world.c1_head).get("/"))
    assert 'href="/places/"' not in text(login(world.outsider).get("/"))


# --- the admin site ----------------------------------------------------------------------------


def test_hq_registers_a_site_in_the_admin_with_gcj02_coordinates(client, login, world, site_types):
    login(world.hq)
    assert client.get("/manage/places/site/add/").status_code == 200
    response = client.post("/manage/places/site/add/", {
        "code": "", "name": "东街公交站", "site_type": site_types["T05"].pk, "district": world.district.pk,
        "address": "东街1号", "responsible_unit": world.street.pk,
        "entry_lng": "112.985000", "entry_lat": "28.200000", "entry_datum": Datum.GCJ02,
    })
    assert response.status_code == 302, text(response)
    site = Site.objects.get(name="东街公交站")
    assert site.code == "Q01-T05-001" and site.input_datum == Datum.GCJ02
    assert site.gcj02_point == pytest.approx((112.985, 28.2), abs=1e-6)
    assert Entry.objects.filter(event="site.create", object_id=str(site.pk), actor_id=world.hq.pk).exists()


def test_the_admin_refuses_a_street_as_district_and_a_stale_edit(client, login, world, site, site_types):
    login(world.hq)
    response = client.post("/manage/places/site/add/", {
        "name": "x", "site_type": site_types["T05"].pk, "district": world.street.pk,
        "responsible_unit": world.street.pk, "entry_datum": Datum.WGS84,
    })
    assert response.status_code == 200 and "所属县区须为县(市、区)或开发区" in text(response)
    services.site_update(site=site, expected_version=1, actor=world.hq, address="别人先改了")
    response = client.post(f"/manage/places/site/{site.pk}/change/", {
        "name": "我的修改", "site_type": site.site_type_id, "district": world.district.pk, "address": "",
        "responsible_unit": world.community.pk, "is_active": "on", "entry_datum": Datum.WGS84,
        "expected_version": "1",
    })
    assert response.status_code == 200 and "已被他人修改" in text(response)
    site.refresh_from_db()
    assert site.name == "和平农贸市场" and site.address == "别人先改了"


def test_the_admin_edit_keeps_the_point_unless_a_new_one_is_typed(client, login, world, site):
    login(world.hq)
    before = (site.lng, site.lat, site.input_datum)
    response = client.post(f"/manage/places/site/{site.pk}/change/", {
        "name": "和平市场", "site_type": site.site_type_id, "district": world.district.pk,
        "address": site.address,
        "responsible_unit": world.community.pk, "is_active": "on", "entry_datum": Datum.GCJ02,
        "expected_version": "1",
    })
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "和平市场" and (site.lng, site.lat, site.input_datum) == before and site.version == 2


def test_the_admin_is_closed_to_other_roles(client, login, world, site):
    login(world.district_head)
    assert client.get("/manage/places/site/").status_code in (302, 403)
    login(world.secadmin)
    assert client.get("/manage/places/site/").status_code == 403


def test_the_admin_pages_render_and_a_zone_is_set_through_the_service(client, login, world, site, site_types):
    login(world.hq)
    for url in ("/manage/places/", "/manage/places/sitetype/",
                f"/manage/places/sitetype/{site_types['T01'].pk}/change/", "/manage/places/site/",
                f"/manage/places/site/{site.pk}/change/", "/manage/places/shopzone/add/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/manage/places/shopzone/add/", {
        "shop": world.shop.pk, "duties_text": "", "frontage": "门前至路缘石", "length_m": "7.5",
        "responsible_person": world.c1_head.pk, "signed_on": "2026-03-01",
        "entry_lng": "112.985", "entry_lat": "28.2", "entry_datum": Datum.BD09,
    })
    assert response.status_code == 302, text(response)
    zone = world.shop.shop_zone
    assert zone.input_datum == Datum.BD09 and zone.responsible_name == "戊书记" and len(zone.duties) == 5
    assert client.get(f"/manage/places/shopzone/{zone.pk}/change/").status_code == 200
    assert Entry.objects.filter(event="zone.set", object_id=str(zone.pk)).count() == 1
