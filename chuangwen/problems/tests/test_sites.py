"""Problems found at a registered site (点位): routed to the site's responsible unit before the
routing table, placed in the site's district, and a recurrence at the same site is a rebound."""

from datetime import timedelta

import pytest
import time_machine

from chuangwen.audit.models import Entry
from chuangwen.places.catalogue import ensure_site_types
from chuangwen.places.models import SiteType
from chuangwen.places.services import site_create
from chuangwen.problems import services
from chuangwen.problems.models import Source

from .conftest import NOW, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(world, now):
    ensure_site_types(SiteType)
    # A market in district D that community C2 answers for (the routing table says C1).
    return site_create(name="和平农贸市场", site_type=SiteType.objects.get(code="T24"), district=world.district,
                       responsible_unit=world.community2, address="和平路8号", lng="112.98", lat="28.20",
                       actor=world.hq)


def report_at(world, site, category, **kw):
    return services.problem_report(source=Source.INSPECTION, category=category, description="市场内暴露垃圾",
                                   actor=world.inspector, site=site, **kw)


def test_the_site_routes_before_the_table_and_gives_place(world, routed, market):
    p = report_at(world, market, routed)
    assert p.site == market and p.district == world.district
    # The routing table names C1 for this category in D; the site's own unit comes first.
    assert p.suggested_unit == world.community2
    assert p.address == "和平路8号" and p.lng == market.lng and p.lat == market.lat
    assigned = services.problem_assign(problem=p, actor=world.hq)
    assert assigned.responsible_unit == world.community2 and assigned.responsible_name == world.c2_head.full_name
    entry = Entry.objects.get(event="problem.report", object_id=str(p.pk))
    assert entry.changes["site"] == [None, market.code]


def test_without_a_site_the_table_then_the_desk(world, routed, now):
    p = services.problem_report(source=Source.INSPECTION, category=routed, description="路边垃圾",
                                actor=world.inspector, district=world.district, address="和平路12号")
    assert p.site is None and p.suggested_unit == world.community
    nowhere = services.problem_report(source=Source.INSPECTION, category=routed, description="不知何处",
                                      actor=world.inspector, address="某处")
    assert nowhere.suggested_unit is None


def test_an_abolished_responsible_unit_falls_back_to_the_district(world, routed, market):
    from chuangwen.org.services import unit_abolish

    unit_abolish(unit=world.community2, actor=world.hq, reason="撤并")
    market.refresh_from_db()
    assert report_at(world, market, routed).suggested_unit == world.district


def test_an_inactive_site_is_refused(world, routed, market):
    from django.core.exceptions import ValidationError

    from chuangwen.places.services import site_deactivate

    site_deactivate(site=market, actor=world.hq, expected_version=market.version, reason="市场搬迁")
    market.refresh_from_db()
    with pytest.raises(ValidationError, match="已停用"):
        report_at(world, market, routed)


def test_a_recurrence_at_the_same_site_is_a_rebound(world, routed, market):
    first = report_at(world, market, routed)
    p = services.problem_assign(problem=first, actor=world.hq)
    services.problem_accept(problem=p, actor=world.c2_head)
    p = services.problem_submit(problem=p, actor=world.c2_head, photos=[png()])
    services.problem_recheck(problem=p, actor=world.inspector, passed=True)
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        # Reported by address text that differs, without coordinates: the site alone says "same place".
        again = services.problem_report(source=Source.INSPECTION, category=routed, description="又有垃圾",
                                        actor=world.inspector, site=market, address="市场北门")
    assert again.rebound_of == first


def test_the_staff_form_takes_a_site_code(client, login, world, routed, market):
    login(world.inspector)
    page = client.get(f"/problems/new/?site={market.code}")
    assert market.code in page.content.decode()
    response = client.post("/problems/new/", {
        "source": Source.INSPECTION, "category": routed.code, "severity": "normal", "site": market.code,
        "description": "市场门口垃圾"})
    assert response.status_code == 302
    from chuangwen.problems.models import Problem

    p = Problem.objects.get(description="市场门口垃圾")
    assert p.site == market and p.suggested_unit == world.community2
    detail = client.get(response.url).content.decode()
    assert "和平农贸市场" in detail


def test_an_unknown_site_code_is_a_form_error(client, login, world, routed, market):
    login(world.inspector)
    response = client.post("/problems/new/", {
        "source": Source.INSPECTION, "category": routed.code, "severity": "normal", "site": "NOPE-1",
        "description": "某处垃圾"})
    assert response.status_code == 200
    assert "点位“NOPE-1”不存在" in response.content.decode()


def test_a_site_outside_scope_reads_as_unknown(client, login, world, routed, now):
    ensure_site_types(SiteType)
    far = site_create(name="城西公园", site_type=SiteType.objects.get(code="T01"), district=world.other_district,
                      responsible_unit=world.other_community, actor=world.hq)
    login(world.c1_liaison)
    response = client.post("/problems/new/", {
        "source": Source.INSPECTION, "category": routed.code, "severity": "normal", "site": far.code,
        "description": "公园垃圾"})
    assert "不存在" in response.content.decode()
