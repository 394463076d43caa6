"""Working-day arithmetic without a database, on the 2026 National Day arrangement:
1-7 October off (Thursday to Wednesday), Saturday 10 October a make-up working day."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chuangwen.workdays.calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = {date(2026, 10, d): False for d in (1, 2, 5, 6, 7)} | {date(2026, 10, 10): True}
cal = WorkCalendar(NATIONAL_DAY)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 9, 30), True),    # Wednesday
    (date(2026, 10, 1), False),   # holiday on a Thursday
    (date(2026, 10, 3), False),   # Saturday within the holiday
    (date(2026, 10, 8), True),    # Thursday after the holiday
    (date(2026, 10, 10), True),   # make-up Saturday
    (date(2026, 10, 11), False),  # ordinary Sunday
])
def test_knows_holidays_weekends_and_make_up_saturdays(day, expected):
    assert cal.is_workday(day) is expected


def test_three_working_days_from_the_eve_of_national_day_skip_the_holiday():
    # 30 Sep + 3 working days: 8, 9 and 10 (the make-up Saturday) October.
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_a_deadline_across_a_plain_weekend():
    assert cal.add_workdays(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday


def test_zero_working_days_from_a_holiday_is_the_next_working_day():
    assert cal.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 8)


def test_counts_working_days_between_dates_and_negative_when_overdue():
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8, 9, 10, 12
    assert cal.workdays_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    assert cal.workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0


def test_working_hours_continue_after_the_holiday():
    start = datetime(2026, 9, 30, 16, 30, tzinfo=SH)  # one working hour left that day
    assert cal.add_working_hours(start, 4) == datetime(2026, 10, 8, 11, 30, tzinfo=SH)


def test_working_hours_from_the_evening_start_next_morning():
    start = datetime(2026, 11, 27, 20, 0, tzinfo=SH)  # Friday evening
    assert cal.add_working_hours(start, 2) == datetime(2026, 11, 30, 10, 30, tzinfo=SH)


def test_a_nine_hour_day_is_one_working_day_of_hours():
    assert cal.hours_per_day == 9
    start = datetime(2026, 11, 24, 8, 30, tzinfo=SH)
    assert cal.add_working_hours(start, 9) == datetime(2026, 11, 24, 17, 30, tzinfo=SH)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(datetime(2026, 1, 5, 9, 0, tzinfo=SH), -1)
