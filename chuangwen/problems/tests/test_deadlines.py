"""Deadlines in working hours and working days across a weekend, a holiday and a make-up day."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chuangwen.problems.deadlines import deadline_after, working_hours_between
from chuangwen.workdays.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
# 2026 National Day: Oct 1-7 off (Thu 1st to Wed 7th), Sat Oct 10 a make-up working day; Fri Sep 25
# is the Mid-Autumn holiday.
CAL = WorkCalendar({**{date(2026, 10, d): False for d in range(1, 8)}, date(2026, 10, 10): True,
                    date(2026, 9, 25): False})


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_hours_run_over_the_evening_and_weekend():
    # Friday 16:30 + 4 working hours: 1 h on Friday, 3 h from Monday 08:30.
    assert deadline_after(CAL, at(2026, 9, 18, 16, 30), 4, "hours") == at(2026, 9, 21, 11, 30)


def test_hours_skip_a_holiday():
    # Thursday 24th 17:00 + 2 h: half an hour that day, Friday 25th is Mid-Autumn, then Monday.
    assert deadline_after(CAL, at(2026, 9, 24, 17, 0), 2, "hours") == at(2026, 9, 28, 10, 0)


def test_days_use_the_make_up_saturday():
    # Wednesday 30th + 2 working days: Oct 1-7 off, Thursday 8th, Friday 9th -> close of the 9th;
    # + 3 lands on the make-up Saturday the 10th.
    assert deadline_after(CAL, at(2026, 9, 30, 10, 0), 2, "days") == at(2026, 10, 9, 17, 30)
    assert deadline_after(CAL, at(2026, 9, 30, 10, 0), 3, "days") == at(2026, 10, 10, 17, 30)


def test_before_opening_counts_from_opening():
    assert deadline_after(CAL, at(2026, 9, 16, 7, 0), 2, "hours") == at(2026, 9, 16, 10, 30)


def test_working_hours_between_excludes_nights_and_holidays():
    assert working_hours_between(CAL, at(2026, 9, 24, 17, 0), at(2026, 9, 28, 10, 0)) == 2.0
    assert working_hours_between(CAL, at(2026, 9, 28, 10, 0), at(2026, 9, 28, 9, 0)) == 0.0
