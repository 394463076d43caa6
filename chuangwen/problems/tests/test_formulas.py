"""The metrics formulas and the tally of one problem, as plain Python (no database)."""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chuangwen.problems.metrics import Metrics, age_cutoffs, ratio
from chuangwen.problems.tally import Facts, difference, tally
from chuangwen.workdays.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_rates_follow_the_jinhua_formulas():
    # 10 due, 2 parked: 8 assessed; 7 of them closed, 6 on time; 2 extended.
    m = Metrics(due=10, due_deferred=2, due_closed=7, due_on_time=6, due_extended=2,
                closed=4, reworked=1, close_minutes=4 * 600, reported=20, rebounds=3)
    assert m.assessed == 8
    assert m.on_time_rate == 6 / 8
    assert m.closure_rate == 7 / 8
    assert m.rework_rate == 1 / 5  # one failed recheck out of five rechecks (four passed)
    assert m.extension_rate == 2 / 10
    assert m.rebound_rate == 3 / 20
    assert m.avg_close_hours == 10.0


def test_rates_are_none_without_a_denominator():
    m = Metrics(due=2, due_deferred=2)
    assert (m.on_time_rate, m.closure_rate, m.rework_rate, m.rebound_rate, m.avg_close_hours) == (None,) * 5
    assert m.extension_rate == 0.0
    assert ratio(1, 0) is None and ratio(0, 3) == 0.0
    assert Metrics(key=date(2026, 9, 1)).as_dict()["key"] == "2026-09-01"


def facts(**kw):
    base = dict(category_id=7, district_id=3, unit_id=5, status="rectifying", reported_at=at(2026, 9, 14, 9),
                assigned_at=at(2026, 9, 14, 10), deadline=at(2026, 9, 15, 17, 30),
                original_deadline=at(2026, 9, 15, 17, 30), closed_at=None, is_rebound=False)
    base.update(kw)
    return Facts(**base)


def test_a_problem_counts_on_the_days_things_happened_and_fall_due():
    f = facts(status="closed", closed_at=at(2026, 9, 16, 9), close_minutes=900,
              rework_days=(date(2026, 9, 15),), is_rebound=True)
    assert tally(f) == {
        (date(2026, 9, 14), 5, 3, 7): Counter(reported=1, rebounds=1, assigned=1),
        (date(2026, 9, 15), 5, 3, 7): Counter(reworked=1, due=1, due_closed=1),  # closed late: not on time
        (date(2026, 9, 16), 5, 3, 7): Counter(closed=1, close_minutes=900),
    }


def test_parked_extended_voided_and_unassigned_problems():
    parked = tally(facts(status="parked", deadline=at(2026, 9, 18, 17, 30)))
    assert parked[(date(2026, 9, 18), 5, 3, 7)] == Counter(due=1, due_deferred=1, due_extended=1)
    # Voided: reported, nothing else (not the unit's workload, not due).
    assert tally(facts(status="voided")) == {(date(2026, 9, 14), 5, 3, 7): Counter(reported=1)}
    # Returned to the desk: no unit, no deadline.
    returned = tally(facts(status="returned", unit_id=None, deadline=None, district_id=None))
    assert returned == {(date(2026, 9, 14), 0, 0, 7): Counter(reported=1)}


def test_local_days_not_utc_days():
    # 07:00 in Shanghai is 23:00 UTC the day before.
    f = facts(reported_at=at(2026, 9, 14, 7), assigned_at=None, deadline=None, unit_id=None)
    assert list(tally(f)) == [(date(2026, 9, 14), 0, 3, 7)]


def test_difference_keeps_only_what_changed():
    before = tally(facts(status="awaiting_recheck"))
    after = tally(facts(status="closed", closed_at=at(2026, 9, 15, 16), close_minutes=840))
    assert difference(before, after) == {
        (date(2026, 9, 15), 5, 3, 7): Counter(closed=1, close_minutes=840, due_closed=1, due_on_time=1),
    }
    assert difference(after, after) == {}


@pytest.mark.parametrize("today,expected", [
    # Wednesday: assigned on Tuesday is one working day old; on Sunday (or Saturday) three; on
    # Monday the week before, seven.
    (date(2026, 9, 16),
     {0: date(2026, 9, 16), 1: date(2026, 9, 15), 3: date(2026, 9, 13), 7: date(2026, 9, 7)}),
    # Saturday: a problem assigned on Friday is under one working day old.
    (date(2026, 9, 19),
     {0: date(2026, 9, 19), 1: date(2026, 9, 17), 3: date(2026, 9, 15), 7: date(2026, 9, 9)}),
])
def test_age_cutoffs(today, expected):
    cal = WorkCalendar()
    cutoffs = age_cutoffs(cal, today)
    assert cutoffs == expected
    for k, day in cutoffs.items():
        assert cal.workdays_between(day, today) >= k
        assert cal.workdays_between(date.fromordinal(day.toordinal() + 1), today) < k or k == 0
