"""三色督办 in working days: the pure functions over the 2026 National Day holiday, and the SQL
filters of the board agreeing with them."""

from datetime import date, timedelta

import chinese_calendar
import pytest
import time_machine
from django.utils import timezone

from chuangwen.tasks import colours, selectors, services
from chuangwen.tasks.colours import RED_AFTER, Colour
from chuangwen.tasks.models import Task
from chuangwen.workdays.calendar import WorkCalendar
from chuangwen.workdays.services import calendar_seed

from .conftest import draft_kwargs

# The 2026 arrangement (国办发明电〔2025〕…), checked against chinese-calendar below: National Day
# Oct 1-7 off with make-up working days on Sunday Sep 20 and Saturday Oct 10; Mid-autumn Friday
# Sep 25 off as well.
HOLIDAYS = [date(2026, 9, 25), *(date(2026, 10, d) for d in range(1, 8))]
MAKE_UP = [date(2026, 9, 20), date(2026, 10, 10)]
CAL = WorkCalendar({**{d: False for d in HOLIDAYS}, **{d: True for d in MAKE_UP}})
# Friday after the holiday, at Asia/Shanghai midnight (still Thursday in UTC).
OCT9_MIDNIGHT = "2026-10-09 00:00 +0800"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def test_the_explicit_calendar_matches_the_published_arrangement():
    day = d(9, 1)
    while day <= d(10, 31):
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


class TestThresholds:
    def test_at_shanghai_midnight_today_is_already_the_ninth(self):
        with time_machine.travel(OCT9_MIDNIGHT, tick=False):
            assert timezone.now().date() == d(10, 8)  # UTC
            assert timezone.localdate() == d(10, 9)

    def test_red_line_skips_the_holiday_and_blue_runs_over_the_make_up_saturday(self):
        th = colours.thresholds(CAL, d(10, 9), RED_AFTER)
        # Working days back from Oct 9: 9, 8, 30, 29, 28, (27-25 off), 24 → Sep 23 is six behind.
        assert th.red_on_or_before == d(9, 23)
        # Oct 10 (make-up Saturday), 12, 13.
        assert th.blue_until == d(10, 13)

    def test_on_the_make_up_saturday_it_counts_as_a_working_day(self):
        th = colours.thresholds(CAL, d(10, 10), RED_AFTER)
        assert th.red_on_or_before == d(9, 27)
        assert th.blue_until == d(10, 14)

    def test_over_a_plain_weekend(self):
        th = colours.thresholds(CAL, d(10, 19), RED_AFTER)  # Monday
        # 19, 16, 15, 14, 13, 12 are six: a deadline on Sunday Oct 11 is red, Monday Oct 12 yellow.
        assert th.red_on_or_before == d(10, 11)
        assert th.blue_until == d(10, 22)


class TestColourOf:
    @pytest.mark.parametrize("deadline, expected", [
        (d(9, 18), Colour.RED),
        (d(9, 23), Colour.RED),  # six working days overdue
        (d(9, 24), Colour.YELLOW),  # five: the holiday does not count
        (d(9, 30), Colour.YELLOW),
        (d(10, 3), Colour.YELLOW),  # due on a holiday, overdue from the next day
        (d(10, 8), Colour.YELLOW),
        (d(10, 9), Colour.BLUE),  # due today: on time all day
        (d(10, 10), Colour.BLUE),
        (d(10, 13), Colour.BLUE),
        (d(10, 14), Colour.NONE),
        (None, Colour.NONE),
    ])
    def test_on_the_friday_after_national_day(self, deadline, expected):
        assert colours.colour_of(deadline, False, colours.thresholds(CAL, d(10, 9))) == expected

    def test_a_milestone_behind_turns_a_distant_task_blue_but_never_softens_overdue(self):
        th = colours.thresholds(CAL, d(10, 9))
        assert colours.colour_of(d(10, 30), True, th) == Colour.BLUE
        assert colours.colour_of(d(9, 30), True, th) == Colour.YELLOW
        assert colours.colour_of(d(9, 18), True, th) == Colour.RED

    @pytest.mark.parametrize("today", [d(9, 28), d(10, 8), d(10, 9), d(10, 10), d(10, 11), d(10, 19)])
    def test_red_exactly_when_more_than_red_after_working_days_overdue(self, today):
        th = colours.thresholds(CAL, today)
        deadline = d(8, 20)
        while deadline < today:
            overdue = colours.days_overdue(CAL, deadline, today)
            expected = Colour.RED if overdue > RED_AFTER else Colour.YELLOW
            assert colours.colour_of(deadline, False, th) == expected, (deadline, overdue)
            deadline += timedelta(days=1)


class TestDaysOverdue:
    @pytest.mark.parametrize("deadline, today, expected", [
        (d(9, 30), d(10, 8), 1),  # the whole National Day week counts nothing
        (d(9, 30), d(10, 9), 2),
        (d(10, 9), d(10, 10), 1),  # the make-up Saturday counts
        (d(10, 9), d(10, 11), 1),  # Sunday does not
        (d(10, 9), d(10, 12), 2),
        (d(10, 16), d(10, 19), 1),  # a plain weekend
        (d(9, 18), d(10, 9), 10),  # Sep 20 is a make-up Sunday, Sep 25 Mid-autumn
        (d(10, 9), d(10, 9), 0),
        (d(10, 13), d(10, 9), 0),
        (None, d(10, 9), 0),
    ])
    def test_counts_working_days_only(self, deadline, today, expected):
        assert colours.days_overdue(CAL, deadline, today) == expected


# --- the SQL filters agree with the pure function ---------------------------------------------------


@pytest.fixture
def holidays(db):
    calendar_seed(years=[2026])


DEADLINES = [d(9, 18), d(9, 23), d(9, 24), d(9, 30), d(10, 8), d(10, 9), d(10, 12), d(10, 13), d(10, 14),
             d(10, 30)]


@pytest.fixture
def spread(world, plan, policy, holidays):
    """One issued task per deadline (created on Sep 16), plus one far off with a milestone behind
    on Oct 9 and one far off with its milestone done."""
    def create(title, deadline, milestones=()):
        return services.task_create(plan=plan, actor=world.hq, milestones=list(milestones),
                                    **draft_kwargs(world, policy, title=title, deadline=deadline))

    tasks = [services.task_issue(task=create(f"任务{n}", due), actor=world.hq)
             for n, due in enumerate(DEADLINES)]
    for title, done in (("节点滞后", False), ("节点已完成", True)):
        task = create(title, d(11, 20), [{"title": "完成摸底", "due": d(10, 8)}])
        task = services.task_issue(task=task, actor=world.hq)
        if done:
            services.task_sign_for(task=task, actor=world.district_head)
            services.milestone_tick(milestone=task.milestones.get(), actor=world.district_head)
        tasks.append(task)
    return tasks


@pytest.mark.django_db
class TestSelectorsAgree:
    def test_with_colour_equals_the_pure_colour_for_every_task(self, spread):
        with time_machine.travel(OCT9_MIDNIGHT, tick=False):
            th = selectors.current_thresholds()
            assert th.today == d(10, 9)
            assert (th.red_on_or_before, th.blue_until) == (d(9, 23), d(10, 13))
            cal = CAL
            got = dict(selectors.with_colour(Task.objects.filter(pk__in=[t.pk for t in spread]), th)
                       .values_list("title", "colour"))
            for task in spread:
                behind = task.milestones.filter(done_at__isnull=True, due__lt=th.today).exists()
                pure = colours.colour_of(task.deadline, behind, colours.thresholds(cal, th.today))
                assert got[task.title] == pure == selectors.colour_of(task, th), task.title
        assert got["节点滞后"] == Colour.BLUE and got["节点已完成"] == Colour.NONE
        assert [got[f"任务{n}"] for n in range(len(DEADLINES))] == [
            "red", "red", "yellow", "yellow", "yellow", "blue", "blue", "blue", "", ""]

    def test_board_counts_and_rows_match(self, world, spread):
        with time_machine.travel(OCT9_MIDNIGHT, tick=False):
            result = selectors.board(world.hq)
            assert result["counts"] == {"red": 2, "yellow": 3, "blue": 4}
            assert [(t.title, t.colour) for t in result["tasks"]][:3] == [
                ("任务0", "red"), ("任务1", "red"), ("任务2", "yellow")]
            reds = selectors.board(world.hq, colour=Colour.RED)["tasks"]
            assert {t.title for t in reds} == {"任务0", "任务1"}
            # The same task, counted in working days over the holiday.
            assert selectors.days_overdue(spread[0]) == 10
            assert selectors.days_overdue(spread[3]) == 2

    def test_on_the_make_up_saturday_the_board_moves_on(self, world, spread):
        with time_machine.travel("2026-10-10 00:00 +0800", tick=False):
            counts = selectors.board(world.hq)["counts"]
        # Sep 24 is now six working days behind (red); Oct 9 overdue (yellow); Oct 14 due within 3.
        assert counts == {"red": 3, "yellow": 3, "blue": 4}
