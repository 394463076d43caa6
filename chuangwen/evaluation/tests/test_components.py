"""Each figure of the score card equals the same figure recomputed from the raw records
(independent.py: plain loops, not the app's queries), on September 2026 built through the real
services (scenario.py); the records behind each figure add up to it."""

import re
from decimal import Decimal

import pytest
import time_machine

from chuangwen.evaluation import services
from chuangwen.evaluation.models import PeriodKind

from .independent import WEIGHTS, expected, round2
from .pages import card_figures, pct
from .scenario import AFTER, END, START

pytestmark = pytest.mark.django_db

COMPONENTS = ("tasks", "problem_on_time", "rework", "handover")


@pytest.fixture
def period(world, sept):
    with time_machine.travel(AFTER, tick=False):
        yield services.period_create(kind=PeriodKind.MONTH, start=START, actor=world.hq)


def card(client, person, period, code):
    client.force_login(person)
    response = client.get(f"/evaluation/periods/{period.pk}/units/{code}/")
    assert response.status_code == 200
    return card_figures(response.content.decode())


def assert_card_matches(figures, exp, weights):
    for code in COMPONENTS:
        num, den = exp.counts[code]
        part = figures["parts"][code]
        assert part["counts"] == (num, den), code
        if den:
            rate = pct(num, den)
            assert part["rate"] == rate, code
        else:
            assert part["rate"] == "无数据" and part["points"] == "—", code
    assert figures["weighted"] == round2(exp.weighted(weights))
    assert figures["rule_points"] == round2(exp.rules())
    assert figures["score"] == exp.score(weights)
    city, district = figures["rules"]["city_problem"], figures["rules"]["district_problem"]
    assert (int(city[0]), int(city[1])) == (exp.city, exp.city_spot)
    assert (int(district[0]), int(district[1])) == (exp.district, exp.district_spot)


def test_a_communitys_card_equals_its_raw_records(world, period, client):
    exp = expected(world.community, START, END)
    # What scenario.py sets up, spelled out: the independent recomputation must say the same.
    assert exp.counts == {"tasks": (1, 3), "problem_on_time": (1, 4), "rework": (1, 3), "handover": (2, 3)}
    assert (exp.city, exp.city_spot, exp.district, exp.district_spot) == (2, 1, 1, 0)
    with time_machine.travel(AFTER, tick=False):
        figures = card(client, world.hq, period, world.community.code)
    assert_card_matches(figures, exp, WEIGHTS["community"])
    assert figures["rules"]["city_problem"][2] == "-3.00" and figures["rules"]["district_problem"][2] == "-1.00"
    assert figures["score"] == Decimal("56.25") and figures["rank"] == 2


@pytest.mark.parametrize(("attr", "group", "subtree"), [
    ("community2", "community", False), ("other_community", "community", False),
    ("district", "district", True), ("other_district", "district", True),
])
def test_other_units_cards_equal_their_raw_records(world, period, client, attr, group, subtree):
    unit = getattr(world, attr)
    exp = expected(unit, START, END, subtree=subtree)
    with time_machine.travel(AFTER, tick=False):
        figures = card(client, world.hq, period, unit.code)
    assert_card_matches(figures, exp, WEIGHTS[group])


def test_a_district_counts_its_whole_subtree(world, period):
    own = expected(world.district, START, END)
    whole = expected(world.district, START, END, subtree=True)
    # Its own task t6 is due (late); the communities' records come on top.
    assert own.counts["tasks"] == (0, 1) and whole.counts["tasks"] == (2, 5)
    assert whole.counts["handover"] == (3, 4)


def test_a_component_without_data_is_left_out_and_the_card_says_so(world, period, client):
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.hq)
        html = client.get(f"/evaluation/periods/{period.pk}/units/{world.other_community.code}/").content.decode()
    figures = card_figures(html)
    # 西湖社区: only a problem due (open); no task, no recheck, no handover, no mock test.
    assert figures["parts"]["problem_on_time"]["counts"] == (0, 1)
    for code in ("tasks", "rework", "handover", "mock"):
        assert figures["parts"][code]["rate"] == "无数据"
    note = re.search(r'id="renormalised">(.*?)</div>', html, re.S).group(1)
    assert "“任务按期完成率”" in note and "“模拟测评得分率”" in note and "按比例放大" in note
    # The one component left carries the whole weight.
    assert re.search(r'data-component="problem_on_time".*?100.00%', html, re.S)
    assert figures["weighted"] == Decimal("0.00") and figures["score"] == Decimal("29.40")


def test_a_unit_without_any_data_is_not_ranked(world, period, client):
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.hq)
        html = client.get(f"/evaluation/periods/{period.pk}/units/{world.street.code}/").content.decode()
    assert 'id="no-data"' in html and "card-score" not in html


@pytest.mark.parametrize("kind", [*COMPONENTS, "rules"])
def test_the_records_behind_each_figure_add_up_to_it(world, period, client, kind):
    exp = expected(world.community, START, END)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.hq)
        html = client.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/{kind}/").content.decode()
    body = re.search(r'id="records".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    keys = [re.search(r">(\d{10}|[A-Z0-9-]+)</a>", r).group(1) for r in rows]
    assert len(keys) == len(set(keys)), "each record once"
    if kind == "rules":
        assert int(re.search(r'id="records-count">(\d+)<', html).group(1)) == exp.city + exp.district
        assert len(rows) == exp.city + exp.district
        points = sum(Decimal(re.findall(r'text-nowrap">([-+0-9.]+)<', r)[-1]) for r in rows)
        assert points == round2(exp.rules()) - 100
    else:
        num = int(re.search(r'id="records-numerator">(\d+)<', html).group(1))
        den = int(re.search(r'id="records-denominator">(\d+)<', html).group(1))
        assert (num, den) == exp.counts[kind]
        assert "定榜时为" not in html
