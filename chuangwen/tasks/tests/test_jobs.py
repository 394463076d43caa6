"""The escalation job (三色督办提醒), its command and the `run_jobs` scheduler loop."""

import io
import os
import signal
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from chuangwen.audit.models import Entry
from chuangwen.dashboard.management.commands import run_jobs
from chuangwen.notifications.models import Notification
from chuangwen.tasks import jobs, selectors, services
from chuangwen.tasks.colours import Colour
from chuangwen.tasks.models import Reminder, TaskEvent, TaskEventKind
from chuangwen.workdays.services import calendar_seed

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db

ZERO = {"red": 0, "yellow": 0, "blue": 0, "milestone": 0, "notifications": 0}


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def at(day: date, clock: str = "00:00"):
    """Freeze time at a moment of `day` in Asia/Shanghai."""
    return time_machine.travel(f"{day.isoformat()} {clock} +0800", tick=False)


@pytest.fixture
def holidays(db):
    calendar_seed(years=[2026])


@pytest.fixture
def make(world, plan, policy, holidays):
    """Issue a task on Sep 16 (the conftest's frozen day)."""

    def _make(deadline, *, lead_unit=None, milestones=(), title=None):
        task = services.task_create(
            plan=plan, actor=world.hq, milestones=list(milestones),
            **draft_kwargs(world, policy, deadline=deadline, lead_unit=lead_unit or world.district,
                           title=title or f"任务{deadline}"))
        return services.task_issue(task=task, actor=world.hq)

    return _make


def colour_notes(task) -> list[str]:
    return list(TaskEvent.objects.filter(task=task, kind=TaskEventKind.COLOUR).values_list("note", flat=True))


def recipients(task, key: str) -> set:
    return set(Notification.objects.filter(dedupe_key=f"task:{task.pk}:{key}")
               .values_list("recipient__username", flat=True))


class TestRemind:
    def test_each_colour_once_and_a_second_run_sends_nothing(self, world, make):
        red = make(d(9, 18), lead_unit=world.dept)
        yellow = make(d(9, 30), lead_unit=world.community)
        blue = make(d(10, 13))
        calm = make(d(10, 30))
        with at(d(10, 9)):
            first = jobs.remind()
            notifications = Notification.objects.count()
            reminders = set(Reminder.objects.values_list("task_id", "key"))
            second = jobs.remind()
        # dept head, mayor, HQ head; community head and liaison; district head.
        assert first == {"red": 1, "yellow": 1, "blue": 1, "milestone": 0, "notifications": 6}
        assert notifications == 6  # issue notifications wait for a commit these tests never make
        assert reminders == {(red.pk, "colour:red:2026-09-18"), (yellow.pk, "colour:yellow:2026-09-30"),
                             (blue.pk, "colour:blue:2026-10-13")}
        assert second == ZERO
        assert Notification.objects.count() == notifications
        assert Reminder.objects.count() == 3
        assert [len(colour_notes(t)) for t in (red, yellow, blue, calm)] == [1, 1, 1, 0]
        entries = Entry.objects.filter(event="task.reminders")
        assert entries.count() == 1
        assert entries.get().changes["red"] == [None, 1]

    def test_red_tells_the_linked_leader_and_the_issuing_units_head(self, world, make):
        task = make(d(9, 18), lead_unit=world.dept)
        assert task.linked_leader == world.mayor  # level-1 linkage mayor → dept
        with at(d(10, 9)):
            jobs.remind()
        assert recipients(task, "colour:red:2026-09-18") == {"dept_head", "mayor", "hq"}
        note = colour_notes(task)[0]
        # Sep 20 is a make-up Sunday, Sep 25 Mid-autumn and Oct 1-7 National Day: 10 working days.
        assert note == "转为红色督办,已逾期10个工作日,已提醒挂钩领导乙市长"
        n = Notification.objects.get(recipient=world.mayor,
                                     dedupe_key=f"task:{task.pk}:colour:red:2026-09-18")
        assert n.kind == "task.supervise" and n.title.startswith("红色督办")
        assert n.url == f"/tasks/t/{task.code}/"

    def test_yellow_urges_the_lead_units_head_and_liaisons_only(self, world, make):
        task = make(d(9, 30), lead_unit=world.community)
        with at(d(10, 9)):
            jobs.remind()
        assert recipients(task, "colour:yellow:2026-09-30") == {"c1_head", "c1_liaison"}
        assert colour_notes(task) == ["转为黄色督办,已逾期2个工作日,已催办和平社区"]

    def test_blue_before_the_deadline(self, world, make):
        task = make(d(10, 13))
        with at(d(10, 9)):
            assert jobs.remind()["blue"] == 1
        assert recipients(task, "colour:blue:2026-10-13") == {"district_head"}
        # Oct 10 (make-up Saturday), 12, 13.
        assert colour_notes(task) == ["转为蓝色督办,距完成时限还有3个工作日,已催办城东区"]

    def test_a_milestone_behind_turns_the_task_blue(self, world, make):
        task = make(d(11, 20), milestones=[{"title": "完成摸底", "due": d(10, 8)}])
        with at(d(10, 9)):
            assert selectors.colour_of(task) == Colour.BLUE
            assert jobs.remind()["blue"] == 1
        assert "节点“完成摸底”" in colour_notes(task)[0]

    def test_yellow_then_red_reminds_again(self, world, make):
        task = make(d(9, 30))
        with at(d(10, 9)):
            assert jobs.remind()["yellow"] == 1
        with at(d(10, 12)):
            assert jobs.remind() == ZERO  # still yellow: Oct 8, 9, 10, 12
        with at(d(10, 16)):
            assert jobs.remind()["red"] == 1
        assert [n.split(",")[0] for n in colour_notes(task)] == ["转为黄色督办", "转为红色督办"]

    def test_an_approved_extension_starts_the_colours_afresh(self, world, make):
        task = make(d(9, 18), lead_unit=world.dept)
        with at(d(10, 9)):
            assert jobs.remind()["red"] == 1
            ext = services.extension_request(task=task, actor=world.dept_head, new_deadline=d(10, 13),
                                             reason="汛期影响施工")
            services.extension_decide(extension=ext, actor=world.hq, approve=True)
            task.refresh_from_db()
            assert (task.deadline, task.original_deadline) == (d(10, 13), d(9, 18))
            assert selectors.colour_of(task) == Colour.BLUE
            assert jobs.remind() == {**ZERO, "blue": 1, "notifications": 1}
        with at(d(10, 15)):
            assert selectors.colour_of(task) == Colour.YELLOW
            assert jobs.remind()["yellow"] == 1
        keys = set(Reminder.objects.filter(task=task).values_list("key", flat=True))
        assert keys == {"colour:red:2026-09-18", "colour:blue:2026-10-13", "colour:yellow:2026-10-13"}

    def test_milestone_near_reminds_the_lead_unit_once(self, world, make):
        milestones = [{"title": "完成摸底", "due": d(10, 12)}, {"title": "完成整改", "due": d(10, 13)}]
        task = make(d(10, 30), lead_unit=world.community, milestones=milestones)
        near = task.milestones.get(title="完成摸底")
        with at(d(10, 9)):  # Friday: within 2 working days are Oct 10 (make-up) and Oct 12
            assert jobs.remind() == {**ZERO, "milestone": 1, "notifications": 2}
            assert jobs.remind() == ZERO
        assert Reminder.objects.filter(task=task).get().key == f"milestone:{near.pk}:near:2026-10-12"
        assert recipients(task, f"milestone:{near.pk}:near:2026-10-12") == {"c1_head", "c1_liaison"}

    def test_closed_tasks_are_left_alone(self, world, make):
        task = make(d(9, 30))
        services.task_cancel(task=task, actor=world.hq, reason="任务调整")
        with at(d(10, 9)):
            assert jobs.remind() == ZERO
        assert not Entry.objects.filter(event="task.reminders").exists()

    def test_a_reminder_claimed_by_an_overlapping_run_is_not_sent_again(self, world, make, monkeypatch):
        task = make(d(9, 30))
        real = jobs._unreminded

        def overlapping(colour, th):
            pending = real(colour, th)
            if colour == Colour.YELLOW:  # the other run writes its reminder after this one looked
                Reminder.objects.create(task=task, key="colour:yellow:2026-09-30")
            return pending

        monkeypatch.setattr(jobs, "_unreminded", overlapping)
        with at(d(10, 9)):
            assert jobs.remind() == ZERO
        assert Reminder.objects.filter(task=task).count() == 1
        assert colour_notes(task) == []

    def test_steady_state_is_a_handful_of_queries(self, world, make, django_assert_max_num_queries):
        for n in range(5):
            make(d(9, 30), title=f"逾期{n}")
        with at(d(10, 9)):
            jobs.remind()
            with django_assert_max_num_queries(10):
                assert jobs.remind() == ZERO


class TestCommand:
    def test_prints_counts_in_chinese(self, world, make):
        make(d(9, 18), lead_unit=world.dept)
        out = io.StringIO()
        with at(d(10, 9), "10:00"):
            call_command("task_reminders", stdout=out)
            call_command("task_reminders", stdout=out)
        first, second = out.getvalue().splitlines()
        assert first.startswith("督办提醒:红色 1 项,黄色 0 项,蓝色 0 项,节点临近 0 项,发出通知 3 条")
        assert "红色 0 项" in second and "发出通知 0 条" in second

    def test_takes_a_date(self, world, make):
        make(d(9, 30))
        out = io.StringIO()
        call_command("task_reminders", "--date", "2026-10-09", stdout=out)  # time frozen at Sep 16
        assert "黄色 1 项" in out.getvalue()
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("task_reminders", "--date", "10/09")


class TestRunJobs:
    def test_once_runs_the_reminders_and_after_the_digest_hour_the_digest(self, world, make):
        make(d(9, 30))
        out = io.StringIO()
        with at(d(10, 9), "07:00"):
            call_command("run_jobs", stdout=out)
        assert "黄色 1 项" in out.getvalue() and "通知汇总" not in out.getvalue()
        out = io.StringIO()
        with at(d(10, 9), "09:00"):
            call_command("run_jobs", stdout=out)
        assert "黄色 0 项" in out.getvalue() and "通知渠道" in out.getvalue()

    def test_one_failing_job_does_not_stop_the_other(self, monkeypatch):
        ran = []

        def fake(name, **kwargs):
            ran.append(name)
            if name == "task_reminders":
                raise RuntimeError("database gone")

        monkeypatch.setattr(run_jobs, "call_command", fake)
        with at(d(10, 9), "09:00"), pytest.raises(CommandError, match="task_reminders"):
            call_command("run_jobs", stdout=io.StringIO(), stderr=io.StringIO())
        assert ran == ["task_reminders", "problem_reminders", "reward_proposals", "notify_digest",
                       "expire_idempotency_keys"]

    def test_loop_survives_a_failure_and_stops_cleanly_on_sigterm(self, monkeypatch):
        ran = []

        def fake(name, **kwargs):
            ran.append(name)
            if name == "notify_digest":
                os.kill(os.getpid(), signal.SIGTERM)  # what systemd or `make run`'s end sends
                raise RuntimeError("gateway down")

        monkeypatch.setattr(run_jobs, "call_command", fake)
        # Closing "old" connections would end the test's transaction.
        monkeypatch.setattr(run_jobs, "close_old_connections", lambda: None)
        before = signal.getsignal(signal.SIGTERM)
        out = io.StringIO()
        with at(d(10, 9), "09:00"):
            call_command("run_jobs", "--loop", "3600", stdout=out, stderr=io.StringIO())
        assert ran == ["task_reminders", "problem_reminders", "reward_proposals", "notify_digest",
                       "expire_idempotency_keys"]
        assert out.getvalue().strip().endswith("后台任务已停止。")
        assert signal.getsignal(signal.SIGTERM) == before

    def test_loop_ends_when_its_parent_is_gone(self, monkeypatch):
        monkeypatch.setattr(run_jobs, "call_command", lambda *a, **k: pytest.fail("ran without its parent"))
        not_my_parent = os.getppid() + 1
        call_command("run_jobs", "--loop", "60", "--parent-pid", str(not_my_parent), stdout=io.StringIO())
