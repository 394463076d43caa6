"""The problems' escalation job: blue and yellow 催办 to the unit, red 督办 to the linked leader,
each once per colour and deadline, across a weekend, on the working clock."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from chuangwen.audit.models import Entry
from chuangwen.notifications.models import Notification
from chuangwen.problems import services
from chuangwen.problems.jobs import remind
from chuangwen.problems.models import Problem, ProblemEvent, Severity, Source
from chuangwen.problems.summary import ProblemReminder

from .conftest import TZ, png
from .drive import problem_extend

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=TZ)


ZERO = {"red": 0, "yellow": 0, "blue": 0}


def counts(result):
    return {k: result[k] for k in ("red", "yellow", "blue")}


def inbox(person, kind=None):
    qs = Notification.objects.filter(recipient=person).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


@pytest.fixture
def for_dept(world, rubbish):
    """暴露垃圾 assigned to 市住建局 on Wednesday 10:00 (normal: due Thursday 17:30); the mayor is
    linked to the department (level 1)."""
    with time_machine.travel(at(2026, 9, 16, 10), tick=False):
        p = services.problem_report(source=Source.INSPECTION, category=rubbish, description="工地旁暴露垃圾",
                                    actor=world.inspector, district=world.district, address="建设路1号")
        return services.problem_assign(problem=p, actor=world.hq, unit=world.dept)


def test_blue_then_yellow_then_red_across_a_weekend_each_once(world, for_dept):
    p = for_dept
    assert p.linked_leader == world.mayor
    assert counts(remind(now=at(2026, 9, 16, 11))) == ZERO  # 15.5 of 16.5 working hours left
    # Thursday 14:00: 3.5 hours left, under a quarter -> blue 催办 to the department's head.
    assert counts(remind(now=at(2026, 9, 17, 14))) == {**ZERO, "blue": 1}
    assert counts(remind(now=at(2026, 9, 17, 14, 15))) == ZERO
    (blue,) = inbox(world.dept_head)
    assert blue.kind == "problem.urge" and blue.title.startswith("蓝色催办") and p.number in blue.title
    assert blue.url == f"/problems/p/{p.number}/"
    # Friday 09:00: late -> yellow.
    assert counts(remind(now=at(2026, 9, 18, 9))) == {**ZERO, "yellow": 1}
    # Saturday, Sunday and Monday 15:30: Friday's 9 working hours and Monday's 7 make 16, not more.
    for now in (at(2026, 9, 19, 12), at(2026, 9, 20, 20), at(2026, 9, 21, 15, 30)):
        assert counts(remind(now=now)) == ZERO
    assert inbox(world.mayor) == []
    # Monday 16:00: more than 16 working hours late -> red 督办, the linked leader told.
    result = remind(now=at(2026, 9, 21, 16))
    assert counts(result) == {**ZERO, "red": 1} and result["notifications"] == 2
    (red,) = inbox(world.mayor)
    assert red.kind == "problem.supervise" and "乙市长" in red.body and "挂钩领导" in red.body
    assert [n.title[:4] for n in inbox(world.dept_head)] == ["蓝色催办", "黄色催办", "红色督办"]
    assert counts(remind(now=at(2026, 9, 22, 10))) == ZERO  # red ends the escalation
    kinds = list(ProblemEvent.objects.filter(problem=p, kind__in=["remind", "escalate"])
                 .values_list("kind", "actor_name"))
    assert kinds == [("remind", "督办提醒"), ("remind", "督办提醒"), ("escalate", "督办提醒")]
    # One audit entry per run that sent something.
    assert Entry.objects.filter(event="problem.reminders").count() == 3


def test_a_run_after_a_long_pause_sends_only_the_current_colour(world, for_dept):
    assert counts(remind(now=at(2026, 9, 23, 10))) == {**ZERO, "red": 1}
    assert ProblemReminder.objects.filter(problem=for_dept).values_list("colour", flat=True).get() == "red"


def test_an_extension_starts_the_colours_afresh(world, for_dept):
    remind(now=at(2026, 9, 17, 14))
    with time_machine.travel(at(2026, 9, 17, 15), tick=False):
        assert problem_extend(world, for_dept, world.dept_head, 24 * 7, approve=True) == "extend"
    p = Problem.objects.get(pk=for_dept.pk)
    assert p.deadline == at(2026, 9, 24, 17, 30)
    assert counts(remind(now=at(2026, 9, 18, 9))) == ZERO
    assert counts(remind(now=at(2026, 9, 24, 16))) == {**ZERO, "blue": 1}
    assert ProblemReminder.objects.filter(problem=p, colour="blue").count() == 2


def test_only_problems_the_unit_owes_are_reminded(world, for_dept):
    with time_machine.travel(at(2026, 9, 17, 9), tick=False):
        p = services.problem_accept(problem=for_dept, actor=world.dept_head)
        services.problem_submit(problem=p, actor=world.dept_head, photos=[png()])
    # Awaiting the recheck: the unit has done its part.
    assert counts(remind(now=at(2026, 9, 22, 10))) == ZERO


def test_liaisons_are_told_and_a_short_limit_is_blue_at_once(world, routed):
    with time_machine.travel(at(2026, 9, 16, 10), tick=False):
        p = services.problem_report(source=Source.INSPECTION, category=routed, description="暴露垃圾",
                                    actor=world.inspector, district=world.district)
        p = services.problem_assign(problem=p, actor=world.hq, severity=Severity.URGENT)  # 2 working hours
    assert p.responsible_unit == world.community and p.linked_leader is None
    result = remind(now=at(2026, 9, 16, 10, 1))
    assert counts(result) == {**ZERO, "blue": 1} and result["notifications"] == 2
    assert len(inbox(world.c1_head)) == len(inbox(world.c1_liaison)) == 1


def test_the_command_and_the_scheduler_run_it(world, for_dept):
    out = StringIO()
    call_command("problem_reminders", "--at", "2026-09-18T09:00", stdout=out)
    assert "黄色催办 1 件" in out.getvalue()
    with time_machine.travel(at(2026, 9, 21, 16, 5), tick=False):
        call_command("run_jobs", stdout=StringIO(), stderr=StringIO())
    assert ProblemReminder.objects.filter(problem=for_dept, colour="red").exists()


def test_an_overlapping_run_sends_nothing_twice(world, for_dept):
    # Another machine claimed the red reminder while this run was reading.
    ProblemReminder.objects.create(problem=for_dept, colour="red", deadline=for_dept.deadline)
    assert counts(remind(now=at(2026, 9, 21, 16) + timedelta(hours=1))) == ZERO
    assert inbox(world.mayor) == []
