"""Rectification deadlines on the working-day calendar (plain Python, tested without a database).

Working hours count only 08:30–17:30 on working days; a limit in working days ends at the close
of the Nth working day after the day of assignment.  Times are local (Asia/Shanghai)."""

from datetime import datetime

from chuangwen.workdays.calendar import WorkCalendar


def deadline_after(cal: WorkCalendar, start: datetime, amount: int, unit: str) -> datetime:
    """`start` is an aware local datetime; the result is aware in the same zone."""
    if unit == "hours":
        return cal.add_working_hours(start, amount)
    if unit == "days":
        day = cal.add_workdays(start.date(), amount)
        return start.replace(year=day.year, month=day.month, day=day.day, hour=cal.work_end.hour,
                             minute=cal.work_end.minute, second=0, microsecond=0)
    raise ValueError(unit)


def working_hours_between(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Working hours from `start` to `end` (both aware, same zone); 0 if end is not later."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.date()
    while day <= end.date():
        if cal.is_workday(day):
            opens = start.replace(year=day.year, month=day.month, day=day.day, hour=cal.work_start.hour,
                                  minute=cal.work_start.minute, second=0, microsecond=0)
            closes = opens.replace(hour=cal.work_end.hour, minute=cal.work_end.minute)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 3600
        day = day.fromordinal(day.toordinal() + 1)
    return total
