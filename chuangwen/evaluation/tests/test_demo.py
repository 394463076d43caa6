"""The evaluation demo: three full months created and finalised once, through the services."""

from datetime import date

import pytest
import time_machine

from chuangwen.audit.models import Entry
from chuangwen.evaluation import services
from chuangwen.evaluation.demo import DemoEvaluationRefused, demo_months, load_demo_evaluation
from chuangwen.evaluation.models import Period, PeriodKind, PeriodStatus, RankEntry

from .scenario import AFTER

pytestmark = pytest.mark.django_db


def test_the_three_full_months_before_today():
    assert demo_months(date(2026, 1, 15)) == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]
    assert demo_months(date(2026, 11, 30)) == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]


def test_refused_outside_the_demo_city(world):
    with pytest.raises(DemoEvaluationRefused, match="演示城市未加载"):
        load_demo_evaluation()


def test_loads_and_finalises_once(world, sept):
    with time_machine.travel(AFTER, tick=False):
        # A month HQ had already opened is reused, not duplicated.
        services.period_create(kind=PeriodKind.MONTH, start=date(2026, 8, 1), actor=world.hq)
        assert load_demo_evaluation(city_code=world.city.code) == "loaded"
        periods = list(Period.objects.order_by("start"))
        assert [p.label for p in periods] == ["2026年7月", "2026年8月", "2026年9月"]
        assert all(p.status == PeriodStatus.FINALISED for p in periods)
        assert RankEntry.objects.filter(period=periods[2]).count() == 5
        entries = Entry.objects.filter(event="evaluation.finalise").count()
        assert load_demo_evaluation(city_code=world.city.code) == "present"
    assert Entry.objects.filter(event="evaluation.finalise").count() == entries == 3
    assert Period.objects.count() == 3
