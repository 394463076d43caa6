"""The demo sites and zones (chuangwen.places.demo) on the demo city: every site type, each
district a county-level unit, the datums a city really meets, once only, all or nothing.

Like the demo city's own tests (org/tests/test_demo.py) these are transactional and start from
a flushed database: the demo city loads only into an empty one.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from chuangwen.audit import triggers
from chuangwen.audit.models import Entry
from chuangwen.dashboard.management.commands import load_demo as command
from chuangwen.org.demo import load
from chuangwen.org.models import Unit, UnitKind
from chuangwen.places import demo, geo, selectors
from chuangwen.places.catalogue import ensure_site_types
from chuangwen.places.models import DISTRICT_KINDS, Datum, ShopZone, Site, SiteType
from chuangwen.tasks.demo import DemoPlanRefused


@pytest.fixture
def empty_db(transactional_db, core_demo_only, settings, tmp_path):
    """A flushed database; the accounts file in a temporary var/; a fast hasher."""
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # SQLite flushes with DELETE, which the audit log's append-only triggers refuse.
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    return settings


def _counts():
    places_entries = Entry.objects.filter(event__regex=r"^(site|site_type|zone)\.")
    return Site.objects.count(), ShopZone.objects.count(), SiteType.objects.count(), places_entries.count()


def test_demo_sites_load_once_over_the_demo_city(empty_db, monkeypatch):
    with pytest.raises(demo.DemoSitesRefused, match="演示城市未加载"):
        demo.load_demo_sites()
    load()
    assert demo.load_demo_sites() == "loaded"

    sites = list(Site.objects.select_related("site_type", "district", "responsible_unit"))
    assert len(sites) == len(demo.SITES) == 41
    assert {s.site_type.code for s in sites} == set(SiteType.objects.values_list("code", flat=True))
    assert SiteType.objects.count() == 26
    assert all(s.district.kind in DISTRICT_KINDS for s in sites)
    assert len({s.district_id for s in sites}) >= 6
    assert {s.input_datum for s in sites} == {Datum.GCJ02, Datum.BD09, Datum.WGS84, ""}
    located = [s for s in sites if s.point]
    assert len(located) == 38
    # Whatever they were entered in, they sit where the data put them on the (GCJ-02) map.
    centre = demo.CENTRES["Q01"]
    market = next(s for s in sites if s.name == "南街农贸市场")
    assert geo.haversine_m(market.gcj02_point, demo._shift(centre, -200, -1100)) < 0.5
    assert all(geo.in_china(*s.point) for s in located)
    assert all(selectors.site_for_routing(s) == s.responsible_unit for s in sites)
    # The bus stop at the crossing is within 50 m of the crossing itself.
    crossing = next(s for s in sites if s.name == "东关大街—人民路口")
    assert [s.name for s in selectors.sites_near(*crossing.point, 50, exclude=crossing)] == ["东关大街人民路口公交站"]

    shops = Unit.objects.filter(kind=UnitKind.SHOP).count()
    zones = list(ShopZone.objects.all())
    assert shops == len(zones) == 50
    assert all(z.responsible_name and len(z.duties) == 5 and z.input_datum == Datum.GCJ02 for z in zones)
    assert sum(demo.SAFETY_DUTY in z.duties for z in zones) == 5
    assert Entry.objects.filter(event="site.create").count() == 41
    assert Entry.objects.filter(event="zone.set").count() == 50

    # Again: nothing is done, from the function or from the command.
    counts = _counts()
    assert demo.load_demo_sites() == "present"

    def no_plan():
        raise DemoPlanRefused("本测试不加载工作方案。")

    monkeypatch.setattr(command, "load_demo_plan", no_plan)
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    assert "演示点位已加载(41 个点位),未做改动。" in out.getvalue()
    assert _counts() == counts


def test_a_failed_load_leaves_no_site_behind_and_other_sites_are_not_mixed_in(empty_db, monkeypatch):
    load()

    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo.services, "zone_set", fail)
    with pytest.raises(RuntimeError):
        demo.load_demo_sites()
    assert not Site.objects.exists() and not Entry.objects.filter(event="site.create").exists()
    monkeypatch.undo()

    ensure_site_types(SiteType)  # the flush took them; the failed load's were rolled back
    Site.objects.create(code="X-1", name="别的点位", site_type=SiteType.objects.first(),
                        district=Unit.objects.get(code="Q03"), responsible_unit=Unit.objects.get(code="Q03"))
    with pytest.raises(demo.DemoSitesRefused, match="已有其他点位"):
        demo.load_demo_sites()
