"""Plays the demo plan's stories through the task services, then shapes their dates (see the
package docstring)."""

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.org.models import Post, Unit, WorkGroup
from chuangwen.workdays.selectors import work_calendar

from .. import services
from ..models import (
    Extension, ExtensionStatus, Handover, HandoverStatus, Milestone, Plan, ProgressUpdate, RewardPolicy, Task,
    TaskEvent, TaskEventKind,
)

# The HQ office's people (chuangwen.org.demo.data.HQ_POSTS).
from .specs import SPECS, STEPS, Spec

DIRECTOR = "hq_director"  # 主任: accepts or returns handovers (一级负责: head to head)
DEPUTY = "hq.deputy"  # 副主任: decides extension requests
CLERK = "hq.coordination"  # 综合协调科: drafts, issues and cancels HQ's tasks
REVIEWER = "hq.evaluation"  # 督查考评科: reviews handovers for the director

# Timestamps the services write, by model: each is moved to the (past) moment of the action that
# wrote it.
_STAMPED = (
    (Plan, ("created_at",)),
    (Task, ("created_at", "issued_at", "signed_at", "handed_in_at", "accepted_at", "signed_off_at",
            "last_update_at")),
    (TaskEvent, ("at",)),
    (ProgressUpdate, ("reported_at",)),
    (Milestone, ("done_at",)),
    (Handover, ("submitted_at", "decided_at")),
    (Extension, ("requested_at", "decided_at")),
)
# Notifications older than this are shown as read.
READ_AFTER = timedelta(days=7)


def plan_title(today: date) -> str:
    return f"{settings.CITY_NAME}创建全国文明城市{today.year}年工作方案"


def doc_number(today: date) -> str:
    return f"{settings.CITY_NAME[0]}创文指〔{today.year}〕1号"


class Actions:
    """The story's verbs: each schedules one service call by the person who would make it."""

    def __init__(self, today: date):
        self.today = today
        self.real_today = timezone.localdate()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cal = work_calendar(start=today - timedelta(days=200), end=today + timedelta(days=200))
        self.units = {u.code: u for u in Unit.objects.all()}
        self.groups = {g.code: g for g in WorkGroup.objects.all()}
        self.policies = {p.code: p for p in RewardPolicy.objects.filter(code__in={s.policy for s in SPECS})}
        hq_people = [DIRECTOR, DEPUTY, CLERK, REVIEWER]
        self.people = {u.username: u for u in User.objects.filter(username__in=hq_people)}
        self.plan: Plan | None = None
        self.tasks: dict[str, Task] = {}  # story key -> task (re-read before each action)
        self.targets: dict[int, date] = {}  # task pk -> its planned deadline
        self.issued_with: dict[int, date] = {}  # task pk -> the deadline the services saw
        self.shaped: set[int] = set()
        self.behind: set[tuple[int, str]] = set()  # (task pk, milestone title) left undone
        self.steps: dict[str, tuple] = {}
        self.schedule: list[tuple[int, int, object]] = []
        self.per_day: dict[date, int] = defaultdict(int)
        self._heads: dict[str, User] = {}
        self._liaisons: dict[str, User] = {}

    # --- days and moments --------------------------------------------------------------------

    def day(self, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) today; today for 0."""
        d, step = self.today, (1 if n > 0 else -1)
        for _ in range(abs(n)):
            d += timedelta(days=step)
            while not self.cal.is_workday(d):
                d += timedelta(days=step)
        return d

    def moment(self, n: int) -> datetime:
        """A time on working day n (< 0): the actions of one day follow each other in office hours."""
        if n >= 0:
            raise ValueError("demo actions happen before today")
        d = self.day(n)
        k = self.per_day[d]
        self.per_day[d] += 1
        return datetime.combine(d, time(8, 40), tzinfo=self.tz) + timedelta(minutes=4 * k)

    def at(self, n: int, action) -> None:
        """Schedule `action` (no arguments) on day n; `build` plays the schedule in order."""
        self.schedule.append((n, len(self.schedule), action))

    def _play(self) -> None:
        """Run the schedule in order, noting when (really) each action started; then move every
        timestamp the services wrote to the moment of the action that wrote it (demo data
        shaping).  No service reads those timestamps back, so this is done once, at the end."""
        marks: list[tuple[datetime, datetime]] = []  # (real start, story moment), in order
        for n, _, action in sorted(self.schedule, key=lambda s: (s[0], s[1])):
            marks.append((timezone.now(), self.moment(n)))
            action()
        starts = [real for real, _ in marks]
        for model, fields in _STAMPED:
            rows = list(model.objects.filter(reduce(or_, (Q(**{f"{f}__gte": starts[0]}) for f in fields)))
                        .only("pk", *fields))
            for row in rows:
                for f in fields:
                    value = getattr(row, f)
                    if value is not None and value >= starts[0]:
                        setattr(row, f, marks[bisect_right(starts, value) - 1][1])
            model.objects.bulk_update(rows, fields, batch_size=250)

    # --- people --------------------------------------------------------------------------------

    def head(self, code: str) -> User:
        if code not in self._heads:
            post = Post.objects.current(self.real_today).filter(unit__code=code, is_head=True) \
                .select_related("person").order_by("-valid_from", "-id").first()
            if post is None:
                raise RuntimeError(f"demo city: {code} has no head")
            self._heads[code] = post.person
        return self._heads[code]

    def liaison(self, code: str) -> User:
        """Who does a unit's daily task work: its liaison, or its head where it has none."""
        if code not in self._liaisons:
            post = Post.objects.current(self.real_today).filter(unit__code=code, is_liaison=True) \
                .select_related("person").order_by("id").first()
            self._liaisons[code] = post.person if post else self.head(code)
        return self._liaisons[code]

    def hq(self, username: str) -> User:
        return self.people[username]

    # --- the actions (each scheduled on a day) ---------------------------------------------------

    def task(self, key: str) -> Task:
        related = ("issuing_unit", "lead_unit", "plan", "parent")
        return Task.objects.select_related(*related).get(pk=self.tasks[key].pk)

    def create(self, n: int, spec: Spec, code: str) -> None:
        def run():
            target = self.day(spec.deadline)
            issue_deadline = max(target, self.real_today)
            task = services.task_create(
                plan=self.plan, actor=self.hq(CLERK), code=code, title=spec.title, content=spec.content,
                standard=spec.standard, deadline=issue_deadline, lead_unit=self.units[spec.lead],
                criteria=spec.criteria, points=Decimal(spec.points) if spec.points else None,
                policy=self.policies[spec.policy], work_group=self.groups[spec.group],
                weight=Decimal(spec.weight),
                source_ref=self.plan.doc_number, cooperating_units=[self.units[c] for c in spec.coop],
                milestones=[{"title": m[0], "due": self.day(m[1])} for m in spec.milestones],
            )
            self.tasks[spec.key] = task
            self.targets[task.pk] = target
            self.issued_with[task.pk] = issue_deadline
            own = spec.steps or ("", "", "")
            self.steps[spec.key] = tuple(s or d for s, d in zip(own, STEPS, strict=True))
            for m in spec.milestones:
                if len(m) > 2 and m[2] == "behind":
                    self.behind.add((task.pk, m[0]))

        self.at(n, run)

    def issue(self, n: int, key: str) -> None:
        self.at(n, lambda: services.task_issue(task=self.task(key), actor=self.hq(CLERK)))

    def sign(self, n: int, key: str) -> None:
        def run():
            task = self.task(key)
            services.task_sign_for(task=task, actor=self.liaison(task.lead_unit.code))

        self.at(n, run)

    def report(self, n: int, key: str, percent: int, text: str = "", *, problems: str = "",
               next_steps: str = "") -> None:
        def run():
            task = self.task(key)
            body = text or self.steps.get(key, STEPS)[_step_of(percent)]
            # A report ticks the milestones due before today and no later than a few days after
            # it (the final report ticks all of them), except those the story leaves behind.
            milestones = [m for m in task.milestones.filter(done_at__isnull=True)
                          if (task.pk, m.title) not in self.behind]
            if percent < 100:
                horizon = min(self.day(n) + timedelta(days=5), self.day(-1))
                milestones = [m for m in milestones if m.due <= horizon]
            services.progress_report(
                task=task, actor=self.liaison(task.lead_unit.code), percent=percent, text=body,
                problems=problems,
                next_steps=next_steps or ("" if percent == 100 else "对照测评标准继续推进,按时限完成。"),
                milestones_done=milestones,
            )

        self.at(n, run)

    def hand_in(self, n: int, key: str, summary: str = "") -> None:
        def run():
            task = self.task(key)
            done = self.steps.get(key, STEPS)[2]
            services.handover_submit(task=task, actor=self.head(task.lead_unit.code), summary=summary or (
                f"{task.title}已完成:{done}工作台账、整改前后对比照片和自查报告已整理归档,请验收。"))

        self.at(n, run)

    def review(self, n: int, key: str, note: str) -> None:
        def run():
            task = self.task(key)
            handover = task.handovers.get(status=HandoverStatus.SUBMITTED)
            services.handover_review(handover=handover, actor=self.hq(REVIEWER), note=note)

        self.at(n, run)

    def accept(self, n: int, key: str, note: str = "经核查,任务完成,同意验收。") -> None:
        def run():
            task = self.task(key)
            services.handover_accept(task=task, actor=self.head(task.issuing_unit.code), note=note)

        self.at(n, run)

    def give_back(self, n: int, key: str, reason: str) -> None:
        def run():
            task = self.task(key)
            services.handover_return(task=task, actor=self.head(task.issuing_unit.code), reason=reason)

        self.at(n, run)

    def decompose(self, n: int, key: str, parts: list[tuple[str, str]], deadline: int, content: str = "",
                  milestones=()) -> None:
        """分解下达 `key` to the units of `parts` ([(sub key, unit code)]), due on day `deadline`."""
        def run():
            task = self.task(key)
            target = self.day(deadline)
            issue_deadline = max(target, self.real_today)
            subs = services.task_decompose(
                task=task, units=[self.units[code] for _, code in parts],
                actor=self.liaison(task.lead_unit.code),
                deadline=issue_deadline, content=content,
                milestones=[{"title": t, "due": self.day(d)} for t, d in milestones],
            )
            for (sub_key, _), sub in zip(parts, subs, strict=True):
                self.tasks[sub_key] = sub
                self.targets[sub.pk] = target
                self.issued_with[sub.pk] = issue_deadline
                self.steps[sub_key] = self.steps.get(key, STEPS)

        self.at(n, run)

    def shape_deadline(self, n: int, key: str) -> None:
        """Write the planned deadline now (before an extension request, which must quote it)."""
        def run():
            task = self.task(key)
            target = self.targets[task.pk]
            Task.objects.filter(pk=task.pk).update(deadline=target, original_deadline=target)
            self.shaped.add(task.pk)

        self.at(n, run)

    def extend(self, n: int, key: str, new_deadline: int, reason: str) -> None:
        def run():
            task = self.task(key)
            services.extension_request(task=task, actor=self.liaison(task.lead_unit.code),
                                       new_deadline=self.day(new_deadline), reason=reason)

        self.at(n, run)

    def decide(self, n: int, key: str, note: str) -> None:
        def run():
            task = self.task(key)
            ext = task.extensions.get(status=ExtensionStatus.PENDING)
            services.extension_decide(extension=ext, actor=self.hq(DEPUTY), approve=True, note=note)

        self.at(n, run)

    def cancel(self, n: int, key: str, reason: str) -> None:
        self.at(n, lambda: services.task_cancel(task=self.task(key), actor=self.hq(CLERK), reason=reason))

    # --- the whole plan ------------------------------------------------------------------------

    def notification_times(self) -> dict[str, tuple[datetime, str, str]]:
        """dedupe key of a notification the services send -> (when, deadline as sent, as shaped)."""
        times: dict[str, tuple[datetime, str, str]] = {}
        tasks = Task.objects.filter(plan=self.plan)
        issued = tasks.exclude(issued_at=None).values_list("pk", "issued_at", "original_deadline")
        for pk, issued_at, deadline in issued:
            times[f"task:{pk}:issued"] = (issued_at, str(self.issued_with[pk]), str(deadline))
        cancels = TaskEvent.objects.filter(task__in=tasks, kind=TaskEventKind.CANCEL)
        for pk, at in cancels.values_list("task", "at"):
            times[f"task:{pk}:cancelled"] = (at, "", "")
        for h in Handover.objects.filter(task__in=tasks):
            times[f"handover:{h.pk}:submitted"] = (h.submitted_at, "", "")
            if h.decided_at:
                action = "accept" if h.status == HandoverStatus.ACCEPTED else "return"
                times[f"handover:{h.pk}:{action}"] = (h.decided_at, "", "")
        for e in Extension.objects.filter(task__in=tasks):
            times[f"extension:{e.pk}"] = (e.requested_at, "", "")
            if e.decided_at:
                times[f"extension:{e.pk}:decided"] = (e.decided_at, "", "")
        return times


def _step_of(percent: int) -> int:
    return 2 if percent == 100 else (1 if percent >= 50 else 0)


def _retime_notifications(times: dict[str, tuple[datetime, str, str]]) -> None:
    """Demo data shaping of the inbox (see the module docstring)."""
    from chuangwen.notifications.models import Notification

    rows = list(Notification.objects.filter(dedupe_key__in=list(times)))
    read_before = timezone.now() - READ_AFTER
    for row in rows:
        when, sent, shaped = times[row.dedupe_key]
        row.created_at = when
        if sent and sent != shaped:
            row.body = row.body.replace(sent, shaped)
        if when < read_before:
            row.read_at = when + timedelta(hours=2)
    Notification.objects.bulk_update(rows, ["created_at", "body", "read_at"], batch_size=500)
