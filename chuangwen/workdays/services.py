"""Changes to the working-day calendar: seeding from the published holiday notices and HQ's
own entries.  Atomic and audited."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record

from .models import CalendarDay, DayKind, DaySource


def calendar_seed(*, years: list[int], actor=None) -> int:
    """Load the State Council holiday arrangements for `years` from the chinese-calendar package
    (years it has no data for are skipped).  Idempotent; HQ's manual entries win."""
    import chinese_calendar

    if actor is not None:
        require_verb(actor, "calendar.manage")
    rows = []
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year in years and day.weekday() < 5:  # a weekend holiday is no exception
            rows.append(CalendarDay(date=day, kind=DayKind.HOLIDAY, name=_name(name), source=DaySource.PACKAGE))
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year in years and day.weekday() >= 5:  # a make-up working day (调休)
            rows.append(CalendarDay(date=day, kind=DayKind.WORKDAY, name=_name(name), source=DaySource.PACKAGE))
    with transaction.atomic():
        existing = set(CalendarDay.objects.filter(date__in=[r.date for r in rows]).values_list("date", flat=True))
        new = [r for r in rows if r.date not in existing]
        CalendarDay.objects.bulk_create(new)
        if new:
            record("calendar.seed", actor=actor, object_type="workdays.calendar",
                   changes={"years": [None, years], "days": [None, len(new)]})
    return len(new)


_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _name(name) -> str:
    text = getattr(name, "value", name) or ""
    return _NAMES.get(str(text), str(text))[:40]


def calendar_set_day(*, day: date, kind: str, name: str = "", actor) -> CalendarDay:
    """HQ records a holiday or a make-up working day (e.g. next year's notice, a local holiday)."""
    require_verb(actor, "calendar.manage")
    if kind not in DayKind.values:
        raise ValidationError("类型须为“放假”或“调休上班”。")
    if kind == DayKind.HOLIDAY and day.weekday() >= 5:
        raise ValidationError("周末本来就不上班,无需登记为放假。")
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError("工作日本来就上班,无需登记为调休上班。")
    with transaction.atomic():
        before = CalendarDay.objects.filter(date=day).first()
        entry, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name.strip()[:40], "source": DaySource.MANUAL}
        )
        record("calendar.set", actor=actor, obj=entry, changes={
            "date": [None, day.isoformat()], "kind": [before.kind if before else None, kind],
        })
    return entry


def calendar_clear_day(*, day: date, actor) -> None:
    require_verb(actor, "calendar.manage")
    with transaction.atomic():
        entry = CalendarDay.objects.filter(date=day).first()
        if entry is None:
            raise ValidationError("该日期没有登记。")
        kind = entry.kind
        entry.delete()
        record("calendar.clear", actor=actor, object_type="workdays.calendarday", object_id=day.isoformat(),
               object_repr=day.isoformat(), changes={"kind": [kind, None]})
