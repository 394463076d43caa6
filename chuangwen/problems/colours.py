"""三色督办 for problems, in working hours (plain Python, tested without a database).

Problems run on hours, not days (暴露垃圾: 4 working hours), so their colours are measured on
the working clock (08:30-17:30 on working days, chuangwen.workdays):

    blue   催办   not yet due, and at most a quarter of the allowed time is left (allowed =
                  working hours from assignment to the deadline) or at most BLUE_HOURS working
                  hours — so a short-limit problem is blue at once, as Sanming issues blue
                  notices "straight away for important short-deadline items" (DOMAIN-NOTES §4.3);
    yellow 催办   past the deadline by up to `red_after` working hours (Suqian: behind or late);
    red    督办   past it by more than `red_after` working hours (CHUANGWEN_PROBLEM_RED_AFTER_HOURS,
                  default 16: two working days), escalated to the linked leader.

A problem past its deadline is yellow at once, even at night or over a weekend, when no working
hour has passed: it is late.  Red needs the working hours, so a Friday deadline turns red on
Monday or Tuesday, not over the weekend.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from chuangwen.workdays.calendar import WorkCalendar

from .deadlines import working_hours_between

BLUE_SHARE = 0.25
BLUE_HOURS = 2.0
RED_AFTER_HOURS = 16


class Colour:
    NONE = ""
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    LABELS = {"": "正常", "blue": "蓝色", "yellow": "黄色", "red": "红色"}


@dataclass(frozen=True)
class Reading:
    colour: str
    left_hours: float = 0.0  # working hours until the deadline (not overdue)
    over_hours: float = 0.0  # working hours past the deadline (overdue)


def _hours(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    # working_hours_between builds each day's opening from `start`'s zone: pass local times.
    return working_hours_between(cal, timezone.localtime(start), timezone.localtime(end))


def read(cal: WorkCalendar, *, assigned_at: datetime | None, deadline: datetime | None, now: datetime,
         red_after: float = RED_AFTER_HOURS) -> Reading:
    """The colour of an open problem at `now` (Colour.NONE without a deadline or far from it)."""
    if deadline is None:
        return Reading(Colour.NONE)
    if now > deadline:
        over = _hours(cal, deadline, now)
        return Reading(Colour.RED if over > red_after else Colour.YELLOW, over_hours=over)
    left = _hours(cal, now, deadline)
    allowed = _hours(cal, assigned_at, deadline) if assigned_at is not None else left
    if left <= max(BLUE_SHARE * allowed, BLUE_HOURS):
        return Reading(Colour.BLUE, left_hours=left)
    return Reading(Colour.NONE, left_hours=left)
