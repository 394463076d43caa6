from datetime import date

from .calendar import WorkCalendar
from .models import CalendarDay, DayKind


def work_calendar(start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The calendar with the registered exceptions (all of them, or those in [start, end])."""
    qs = CalendarDay.objects.all()
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return WorkCalendar({d: kind == DayKind.WORKDAY for d, kind in qs.values_list("date", "kind")})
