"""Working-day and working-hour arithmetic: plain Python, no database (tested on its own).

A day is a working day when it is a make-up working day (调休), or a Monday to Friday that is
not a holiday.  Working hours run from WORK_START to WORK_END on working days.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

WORK_START = time(8, 30)
WORK_END = time(17, 30)


@dataclass(frozen=True)
class WorkCalendar:
    # date -> True (a working day despite the weekend) / False (a holiday despite the weekday)
    exceptions: dict[date, bool] = field(default_factory=dict)
    work_start: time = WORK_START
    work_end: time = WORK_END

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (a deadline "N working days from today"
        lands on the Nth working day after today; 0 gives the next working day on or after)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return self.next_workday(day)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start (overdue counting)."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    @property
    def hours_per_day(self) -> float:
        return (datetime.combine(date.min, self.work_end) - datetime.combine(date.min, self.work_start)).seconds / 3600

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (an aware or naive datetime, kept as is)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        current = start
        while True:
            day = current.date()
            opens = current.replace(hour=self.work_start.hour, minute=self.work_start.minute, second=0, microsecond=0)
            closes = current.replace(hour=self.work_end.hour, minute=self.work_end.minute, second=0, microsecond=0)
            if not self.is_workday(day) or current >= closes:
                current = self._next_opening(current)
                continue
            if current < opens:
                current = opens
            available = closes - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = self._next_opening(current)

    def _next_opening(self, moment: datetime) -> datetime:
        day = self.next_workday(moment.date() + timedelta(days=1))
        return datetime.combine(day, self.work_start, tzinfo=moment.tzinfo)
