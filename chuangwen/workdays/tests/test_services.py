from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.workdays import services
from chuangwen.workdays.models import CalendarDay, DayKind, DaySource
from chuangwen.workdays.selectors import work_calendar


def test_seeding_2026_knows_national_day_and_the_make_up_saturday_and_is_idempotent(db):
    added = services.calendar_seed(years=[2026])
    assert added > 10
    cal = work_calendar()
    assert cal.is_workday(date(2026, 10, 1)) is False
    assert cal.is_workday(date(2026, 10, 10)) is True
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert services.calendar_seed(years=[2026]) == 0
    assert Entry.objects.filter(event="calendar.seed").count() == 1


def test_a_year_without_published_data_is_skipped_and_follows_the_weekday_rule(db):
    assert services.calendar_seed(years=[2031]) == 0
    assert work_calendar().is_workday(date(2031, 1, 6)) is True


def test_hq_records_next_years_holiday_audited(world):
    entry = services.calendar_set_day(day=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", actor=world.hq)
    assert entry.source == DaySource.MANUAL
    assert work_calendar().is_workday(date(2027, 1, 1)) is False
    assert Entry.objects.filter(event="calendar.set", object_id=str(entry.pk)).count() == 1
    services.calendar_clear_day(day=date(2027, 1, 1), actor=world.hq)
    assert work_calendar().is_workday(date(2027, 1, 1)) is True


@pytest.mark.parametrize("day, kind", [(date(2027, 1, 2), DayKind.HOLIDAY), (date(2027, 1, 4), DayKind.WORKDAY)])
def test_entries_that_change_nothing_are_refused_in_chinese(world, day, kind):
    with pytest.raises(ValidationError, match="无需登记"):
        services.calendar_set_day(day=day, kind=kind, actor=world.hq)
    assert not CalendarDay.objects.filter(date=day).exists()


@pytest.mark.parametrize("persona", ["c1_head", "sysadmin", "auditor"])
def test_only_hq_staff_edit_the_calendar(world, persona):
    with pytest.raises(PermissionDenied):
        services.calendar_set_day(day=date(2027, 1, 1), kind=DayKind.HOLIDAY, actor=getattr(world, persona))
    assert not CalendarDay.objects.exists()
