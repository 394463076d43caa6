"""Sites built through the services on top of the shared test world."""

import pytest

from chuangwen.places import services
from chuangwen.places.catalogue import ensure_site_types
from chuangwen.places.models import Datum, SiteType

# A point in 城东区 as 高德 shows it (GCJ-02): the demo city's centre, near 112.94°E, 28.23°N.
GCJ_POINT = ("112.985000", "28.200000")


@pytest.fixture
def site_types(db):
    ensure_site_types(SiteType)  # a transactional test's flush takes the migration's rows
    return {t.code: t for t in SiteType.objects.all()}


@pytest.fixture
def site(world, site_types):
    """A market in 城东区 (Q01) that 和平社区 answers for, picked on 高德."""
    return services.site_create(
        name="和平农贸市场", site_type=site_types["T24"], district=world.district, responsible_unit=world.community,
        address="和平路8号", lng=GCJ_POINT[0], lat=GCJ_POINT[1], datum=Datum.GCJ02, actor=world.hq,
    )


@pytest.fixture
def other_site(world, site_types):
    """A park in 城西区 (Q02), the other district's own."""
    return services.site_create(
        name="西湖公园", site_type=site_types["T11"], district=world.other_district,
        responsible_unit=world.other_community, lng="112.930000", lat="28.235000", datum=Datum.GCJ02,
        actor=world.hq,
    )
