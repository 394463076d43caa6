"""三色督办 in working days, as plain Python (tested without a database).

blue   = due within BLUE_WITHIN working days, or behind a milestone (a milestone past its date
         and not done);
yellow = past the deadline by up to `red_after` working days;
red    = past the deadline by more than `red_after` working days.

Deadlines are dates: a task due on the 10th is on time all of the 10th (Asia/Shanghai) and
overdue from the 11th.  The thresholds turn into plain date comparisons once per request, so the
board filters in SQL instead of computing a colour per row in Python.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from chuangwen.workdays.calendar import WorkCalendar

BLUE_WITHIN = 3
# Past this many working days overdue a task turns red (CHUANGWEN_TASK_RED_AFTER overrides).
RED_AFTER = 5


class Colour:
    NONE = ""
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    LABELS = {"": "正常", "blue": "蓝色", "yellow": "黄色", "red": "红色"}
    ORDER = {"red": 0, "yellow": 1, "blue": 2, "": 3}


@dataclass(frozen=True)
class Thresholds:
    today: date
    blue_until: date  # deadline <= this (and not overdue): blue
    red_on_or_before: date  # deadline <= this: red; between it and today: yellow


def thresholds(cal: WorkCalendar, today: date, red_after: int = RED_AFTER) -> Thresholds:
    blue_until = cal.add_workdays(today, BLUE_WITHIN)
    # Walk back from today counting working days in (day, today]; the first day with more
    # than `red_after` of them is the latest red deadline.
    day, counted = today, 0
    while True:
        counted += cal.is_workday(day)
        day -= timedelta(days=1)
        if counted > red_after:
            break
    return Thresholds(today=today, blue_until=blue_until, red_on_or_before=day)


def colour_of(deadline: date | None, milestone_behind: bool, th: Thresholds) -> str:
    if deadline is None:
        return Colour.NONE
    if deadline <= th.red_on_or_before:
        return Colour.RED
    if deadline < th.today:
        return Colour.YELLOW
    if deadline <= th.blue_until or milestone_behind:
        return Colour.BLUE
    return Colour.NONE


def days_overdue(cal: WorkCalendar, deadline: date | None, today: date) -> int:
    """Working days past the deadline (0 when not overdue)."""
    if deadline is None or deadline >= today:
        return 0
    return cal.workdays_between(deadline, today)
