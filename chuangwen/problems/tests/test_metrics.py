"""The metrics selectors on a hand-made week: the §2.5 formulas, grouping, scope, query counts,
and the backlog by age."""

from datetime import date, datetime

import pytest
import time_machine

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.selectors import scope_roots
from chuangwen.problems import services
from chuangwen.problems.metrics import backlog_by_age, recompute, summary_table, unit_metrics
from chuangwen.problems.models import Source

from .conftest import TZ, png

pytestmark = pytest.mark.django_db

WED, THU, FRI, MON = date(2026, 9, 16), date(2026, 9, 17), date(2026, 9, 18), date(2026, 9, 21)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class Week:
    """Five problems of 暴露垃圾 (normal: one working day), assigned on Wednesday at 10:00, so all
    fall due on Thursday at 17:30:

    p1 closed Thursday 15:00: on time, 840 working minutes (450 on Wednesday, 390 on Thursday);
    p2 failed its recheck on Thursday, closed Friday 10:00: late, 1080 minutes;
    p3 parked (挂账) on Thursday: deferred;
    p4 still being fixed;
    p5 in the other district, for 西湖社区, still being fixed.
    Then p6 is assigned on Friday and p7 on Monday (not due in the week)."""


@pytest.fixture
def week(world, rubbish):
    w = Week()
    with time_machine.travel(at(WED, 10), tick=False) as clock:
        def new(district, unit):
            p = services.problem_report(source=Source.INSPECTION, category=rubbish, description="暴露垃圾",
                                        actor=world.inspector, district=district, address="和平路")
            p = services.problem_assign(problem=p, actor=world.hq, unit=unit)
            head = world.c1_head if unit == world.community else world.e1_head
            return services.problem_accept(problem=p, actor=head)

        w.p1, w.p2, w.p3, w.p4 = (new(world.district, world.community) for _ in range(4))
        w.p5 = new(world.other_district, world.other_community)
        clock.move_to(at(THU, 11))
        w.p2 = services.problem_submit(problem=w.p2, actor=world.c1_head, photos=[png()])
        w.p3 = services.problem_request_park(problem=w.p3, actor=world.c1_head, reason="需改造")
        w.p3 = services.problem_decide_park(problem=w.p3, actor=world.hq, approve=True)
        clock.move_to(at(THU, 12))
        w.p2 = services.problem_recheck(problem=w.p2, actor=world.inspector, passed=False, note="仍有垃圾")
        clock.move_to(at(THU, 14))
        w.p1 = services.problem_submit(problem=w.p1, actor=world.c1_head, photos=[png()])
        clock.move_to(at(THU, 15))
        w.p1 = services.problem_recheck(problem=w.p1, actor=world.inspector, passed=True)
        clock.move_to(at(FRI, 9))
        w.p2 = services.problem_submit(problem=w.p2, actor=world.c1_head)
        clock.move_to(at(FRI, 10))
        w.p2 = services.problem_recheck(problem=w.p2, actor=world.inspector, passed=True)
        w.p6 = new(world.district, world.community)
        clock.move_to(at(MON, 9))
        w.p7 = new(world.district, world.community)
    return w


def by_key(rows):
    return {r.label: r for r in rows}


def test_formulas_on_a_hand_made_week(world, week):
    rows = by_key(unit_metrics(world.hq, start=WED, end=THU, group_by="unit"))
    assert list(rows) == ["和平社区", "西湖社区"]  # tree order
    c = rows["和平社区"]
    # p2 is closed on Friday, but counts for its due day: closed late among Thursday's due.
    assert (c.reported, c.assigned, c.closed, c.due, c.due_deferred, c.due_closed, c.due_on_time,
            c.due_extended) == (4, 4, 1, 4, 1, 2, 1, 0)
    c = by_key(unit_metrics(world.hq, start=WED, end=FRI, group_by="unit"))["和平社区"]
    assert (c.reported, c.assigned, c.closed, c.close_minutes, c.reworked) == (5, 5, 2, 840 + 1080, 1)
    assert (c.due, c.due_deferred, c.due_closed, c.due_on_time) == (4, 1, 2, 1)
    assert c.on_time_rate == pytest.approx(1 / 3)  # p1 of p1, p2, p4 (p3 parked)
    assert c.closure_rate == pytest.approx(2 / 3)
    assert c.rework_rate == pytest.approx(1 / 3)  # one failed recheck of three
    assert c.extension_rate == 0
    assert c.avg_close_hours == pytest.approx(16.0)
    west = by_key(unit_metrics(world.hq, start=WED, end=FRI, group_by="unit"))["西湖社区"]
    assert (west.due, west.on_time_rate, west.rework_rate, west.avg_close_hours) == (1, 0.0, None, None)


def test_grouping_by_district_category_day_and_the_total(world, week, rubbish):
    districts = by_key(unit_metrics(world.hq, start=WED, end=MON, group_by="district"))
    assert {k: v.reported for k, v in districts.items()} == {"城东区": 6, "城西区": 1}
    (cat,) = unit_metrics(world.hq, start=WED, end=MON, group_by="category")
    assert (cat.key, cat.label, cat.reported) == (rubbish.pk, "暴露垃圾", 7)
    days = by_key(unit_metrics(world.hq, start=WED, end=MON, group_by="day"))
    assert {k: (v.reported, v.due, v.closed) for k, v in days.items()} == {
        "2026-09-16": (5, 0, 0), "2026-09-17": (0, 5, 1), "2026-09-18": (1, 0, 1), "2026-09-21": (1, 1, 0)}
    (total,) = unit_metrics(world.hq, start=WED, end=MON, group_by=None)
    # p6 (Friday 10:00) falls due on Monday at 17:30, p7 (Monday) on Tuesday.
    assert (total.reported, total.due, total.due_closed) == (7, 6, 2)
    assert summary_table(WED, MON) == recompute(WED, MON)


def test_filters_take_a_subtree_a_district_and_a_category(world, week, rubbish):
    assert [r.label for r in unit_metrics(world.hq, start=WED, end=MON, unit=world.street)] == ["和平社区"]
    west = unit_metrics(world.hq, start=WED, end=MON, district=world.other_district)
    assert [r.label for r in west] == ["西湖社区"]
    from chuangwen.problems.models import Category

    other = Category.objects.exclude(pk=rubbish.pk).first()
    assert unit_metrics(world.hq, start=WED, end=MON, category=other) == []


@pytest.mark.parametrize("person,expected", [
    ("hq", ["和平社区", "西湖社区"]),
    ("mayor", ["和平社区", "西湖社区"]),
    ("district_head", ["和平社区"]),
    ("c1_head", ["和平社区"]),
    ("c2_head", []),
    ("e1_head", ["西湖社区"]),
    ("outsider", []),
    ("auditor", []),
])
def test_each_sees_the_metrics_of_their_scope(world, week, person, expected):
    user = getattr(world, person)
    assert [r.label for r in unit_metrics(user, start=WED, end=MON)] == expected
    totals = unit_metrics(user, start=WED, end=MON, group_by=None)
    assert totals[0].reported == sum(r.reported for r in unit_metrics(user, start=WED, end=MON))


def test_unassigned_problems_count_for_their_district(world, rubbish):
    with time_machine.travel(at(WED, 10), tick=False):
        services.problem_report(source=Source.CITIZEN, category=rubbish, description="无主垃圾",
                                district=world.district)
    rows = unit_metrics(world.district_head, start=WED, end=WED)
    assert [(r.label, r.reported) for r in rows] == [("未交办", 1)]
    assert unit_metrics(world.e1_head, start=WED, end=WED) == []


@pytest.mark.parametrize("group_by", ["unit", "district", "category", "day", None])
def test_metrics_take_two_queries_whatever_the_grouping(world, week, django_assert_num_queries, group_by):
    user = world.district_head
    scope_roots(user), has_verb(user, "problem.view")  # the per-request caches, read once per request
    queries = 2 if group_by in ("unit", "district", "category") else 1
    with django_assert_num_queries(queries):
        unit_metrics(user, start=WED, end=MON, group_by=group_by)


def test_backlog_by_age_in_working_days(world, week, django_assert_num_queries):
    now = at(MON, 10)
    (total,) = backlog_by_age(world.hq, now=now)
    # p4 and p5 (Wednesday: 3 working days), p6 (Friday: 1), p7 (Monday: under 1); p3 is parked.
    assert (total.under_1, total.days_1_3, total.days_3_7, total.over_7, total.overdue) == (1, 1, 2, 0, 2)
    assert total.total == 4
    rows = by_key(backlog_by_age(world.hq, now=now, group_by="unit"))
    assert {k: (v.total, v.overdue) for k, v in rows.items()} == {"和平社区": (3, 1), "西湖社区": (1, 1)}
    assert [r.label for r in backlog_by_age(world.c1_head, now=now, group_by="unit")] == ["和平社区"]
    assert backlog_by_age(world.outsider, now=now) == backlog_by_age(world.outsider, now=now, group_by=None)
    assert backlog_by_age(world.outsider, now=now)[0].total == 0
    scope_roots(world.hq), has_verb(world.hq, "problem.view")
    with django_assert_num_queries(2):  # the calendar, the aggregate
        backlog_by_age(world.hq, now=now)
    # A week on, p4 and p5 are over seven working days old.
    (later,) = backlog_by_age(world.hq, now=at(date(2026, 9, 28), 10))
    assert (later.days_3_7, later.over_7) == (2, 2)
