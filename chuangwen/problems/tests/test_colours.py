"""Problem colours on the working clock (plain Python, no database)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chuangwen.problems.colours import Colour, read
from chuangwen.workdays.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
CAL = WorkCalendar({date(2026, 9, 25): False})  # Friday the 25th: Mid-Autumn


def at(*args):
    return datetime(*args, tzinfo=TZ)


# Assigned Wednesday 10:00 with one working day: due Thursday 17:30; 16.5 working hours allowed,
# so blue once 4.125 are left (Thursday 13:22:30).
ASSIGNED, DEADLINE = at(2026, 9, 16, 10), at(2026, 9, 17, 17, 30)


@pytest.mark.parametrize("now,colour", [
    (at(2026, 9, 16, 11), Colour.NONE),
    (at(2026, 9, 17, 13, 22), Colour.NONE),
    (at(2026, 9, 17, 13, 23), Colour.BLUE),
    (at(2026, 9, 17, 17, 30), Colour.BLUE),  # due this very minute: not yet late
    (at(2026, 9, 17, 17, 31), Colour.YELLOW),
    (at(2026, 9, 17, 23, 0), Colour.YELLOW),  # late, though no working hour has passed
    (at(2026, 9, 19, 12, 0), Colour.YELLOW),  # Saturday: Friday's 9 hours only
    (at(2026, 9, 21, 15, 30), Colour.YELLOW),  # Monday: 9 + 7 = 16 hours, not more
    (at(2026, 9, 21, 15, 31), Colour.RED),
])
def test_colours_across_the_weekend(now, colour):
    assert read(CAL, assigned_at=ASSIGNED, deadline=DEADLINE, now=now).colour == colour


def test_readings_carry_the_hours():
    r = read(CAL, assigned_at=ASSIGNED, deadline=DEADLINE, now=at(2026, 9, 17, 14, 30))
    assert (r.colour, r.left_hours) == (Colour.BLUE, 3.0)
    r = read(CAL, assigned_at=ASSIGNED, deadline=DEADLINE, now=at(2026, 9, 21, 16, 30))
    assert (r.colour, r.over_hours) == (Colour.RED, 17.0)


def test_a_short_limit_is_blue_at_once():
    # 暴露垃圾, urgent: 2 working hours.
    assigned = at(2026, 9, 16, 10)
    assert read(CAL, assigned_at=assigned, deadline=at(2026, 9, 16, 12), now=assigned).colour == Colour.BLUE


def test_the_red_threshold_is_a_setting_and_holidays_do_not_count():
    # Due Thursday 24th 17:30; Friday 25th is a holiday; Monday 28th 12:00 is 3.5 hours late.
    deadline = at(2026, 9, 24, 17, 30)
    now = at(2026, 9, 28, 12, 0)
    assert read(CAL, assigned_at=None, deadline=deadline, now=now).colour == Colour.YELLOW
    assert read(CAL, assigned_at=None, deadline=deadline, now=now, red_after=3).colour == Colour.RED


def test_times_in_another_zone_are_read_on_the_local_clock():
    # The database hands back UTC on PostgreSQL: 09:30 UTC is 17:30 in Shanghai.
    deadline = DEADLINE.astimezone(UTC)
    now = at(2026, 9, 21, 15, 31).astimezone(UTC)
    assert read(CAL, assigned_at=ASSIGNED.astimezone(UTC), deadline=deadline, now=now).colour == Colour.RED


def test_no_deadline_no_colour():
    assert read(CAL, assigned_at=ASSIGNED, deadline=None, now=ASSIGNED).colour == Colour.NONE
