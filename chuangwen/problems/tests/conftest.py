from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chuangwen.problems import services
from chuangwen.problems.catalogue import ensure_catalogue
from chuangwen.problems.models import Category, RoutingRule, Source, TimeLimit

TZ = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-09-16, 10:00 in Shanghai.
NOW = datetime(2026, 9, 16, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def rubbish(db):
    """暴露垃圾: 1 working day normal, 4 working hours serious, 2 working hours urgent."""
    ensure_catalogue(Category, TimeLimit)  # a transactional test's flush takes the migration's rows
    return Category.objects.get(code="SJ0101")


@pytest.fixture
def routed(world, rubbish):
    RoutingRule.objects.create(category=rubbish, district=world.district, unit=world.community)
    return rubbish


@pytest.fixture
def reported(world, routed, now):
    return services.problem_report(source=Source.INSPECTION, category=routed, description="绿地内暴露垃圾",
                                   actor=world.inspector, district=world.district, address="和平路12号")


def png():
    from chuangwen.attachments.tests.samples import png_bytes, upload

    return upload("整改后.png", png_bytes(), "image/png")
