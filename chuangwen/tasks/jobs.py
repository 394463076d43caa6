"""Background entry points for tasks: the escalation job (三色督办提醒), run by
`chuangwen task_reminders` or the `run_jobs` loop (see docs/operations.md).

`remind()` finds, with the same SQL filters as the overdue board, the open tasks that are blue,
yellow or red today and have not yet been reminded of that colour at their current deadline,
and the undone milestones due within MILESTONE_NEAR working days.  For each it writes a
`Reminder` (unique per task and key), a timeline event and the notifications, in one
transaction: the unique key is the claim, so a second run, or a run overlapping this one on
another machine, sends nothing twice.  The key holds the deadline, so after an approved
extension the colours start afresh.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.notifications.services import notify
from chuangwen.workdays.calendar import WorkCalendar
from chuangwen.workdays.selectors import work_calendar

from . import selectors
from .colours import Colour, Thresholds
from .models import OPEN_STATUSES, Milestone, Reminder, Task, TaskEventKind
from .services.common import event, task_url, unit_contacts

logger = logging.getLogger("chuangwen.tasks")

# An undone milestone due within this many working days gets one reminder.
MILESTONE_NEAR = 2
# Reminders written per transaction: few enough that SQLite's single writer lock is released
# often (pages keep saving while a first run works through thousands of tasks).
CHUNK = 100
# Most urgent first, so an interrupted first run has told the leaders before the rest.
COLOURS = (Colour.RED, Colour.YELLOW, Colour.BLUE)


def colour_key(colour: str, deadline: date) -> str:
    return f"colour:{colour}:{deadline.isoformat()}"


def milestone_key(milestone: Milestone) -> str:
    return f"milestone:{milestone.pk}:near:{milestone.due.isoformat()}"


@dataclass
class _Run:
    today: date
    th: Thresholds
    cal: WorkCalendar = field(default_factory=WorkCalendar)
    counts: dict = field(default_factory=lambda: {"red": 0, "yellow": 0, "blue": 0, "milestone": 0,
                                                   "notifications": 0})
    _contacts: dict = field(default_factory=dict)

    def contacts(self, unit, *, liaisons: bool = True) -> list:
        """unit_contacts, read once per unit and run: many tasks share a lead unit."""
        if unit is None:
            return []
        key = (unit.pk, liaisons)
        if key not in self._contacts:
            self._contacts[key] = unit_contacts(unit, liaisons=liaisons)
        return self._contacts[key]


def remind(today: date | None = None) -> dict[str, int]:
    """Send the reminders due today; returns how many of each were sent (all zero on a second
    run the same day)."""
    today = today or timezone.localdate()
    run = _Run(today=today, th=selectors.current_thresholds(today))
    pending = {colour: _unreminded(colour, run.th) for colour in COLOURS}
    milestones = _near_milestones(today)
    if any(pending.values()) or milestones:
        earliest = min([today, *(d for ids in pending.values() for d in ids.values())])
        # Counting working days overdue needs the calendar back to the oldest deadline.
        run.cal = work_calendar(start=earliest, end=today + timedelta(days=60))
    for colour in COLOURS:
        _send_colours(run, colour, pending[colour])
    _send_milestones(run, milestones)
    counts = run.counts
    if counts["notifications"] or any(counts[c] for c in ("red", "yellow", "blue", "milestone")):
        record("task.reminders", object_type="tasks.reminder", object_id=today.isoformat(),
               object_repr=f"{today.isoformat()} 督办提醒", changes={k: [None, v] for k, v in counts.items()})
    return counts


# --- colours -------------------------------------------------------------------------------------


def _unreminded(colour: str, th: Thresholds) -> dict[int, date]:
    """task id -> deadline of the tasks of `colour` today without this colour's reminder at their
    current deadline.  Two indexed queries whatever the number of tasks; the key comparison is
    done here because the key embeds the deadline as text."""
    coloured = Task.objects.filter(selectors.colour_filter(colour, th))
    deadlines = dict(coloured.values_list("id", "deadline"))
    if not deadlines:
        return {}
    sent = set(Reminder.objects.filter(task__in=coloured, key__startswith=f"colour:{colour}:")
               .values_list("task_id", "key"))
    return {pk: d for pk, d in deadlines.items() if (pk, colour_key(colour, d)) not in sent}


def _send_colours(run: _Run, colour: str, pending: dict[int, date]) -> None:
    ids = sorted(pending)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        tasks = (Task.objects.filter(pk__in=chunk, status__in=OPEN_STATUSES)
                 .select_related("lead_unit", "issuing_unit", "linked_leader", "responsible_person"))
        behind = _behind_milestones(chunk, run.today) if colour == Colour.BLUE else {}
        with transaction.atomic():
            for task in tasks:
                if task.deadline != pending[task.pk]:
                    continue  # extended since we looked: the next run judges the new deadline
                sent = _claim(task, colour_key(colour, task.deadline),
                              partial(_tell_colour, run, task, colour, behind.get(task.pk)))
                if sent is not None:
                    run.counts[colour] += 1
                    run.counts["notifications"] += sent


def _claim(task: Task, key: str, send) -> int | None:
    """Write the reminder, then call `send()`, in one savepoint; None if the reminder exists (a
    run overlapping this one got there first), else what `send` returned."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                Reminder.objects.create(task=task, key=key)
        except IntegrityError:
            return None
        return send()


def _behind_milestones(task_ids: list[int], today: date) -> dict[int, Milestone]:
    """The oldest undone milestone past its date, per task (why a task is blue early)."""
    undone = Milestone.objects.filter(task_id__in=task_ids, done_at__isnull=True, due__lt=today)
    return {m.task_id: m for m in undone.order_by("-due", "-id")}


def _recipients(run: _Run, task: Task, colour: str) -> list:
    people = [*run.contacts(task.lead_unit), task.responsible_person]
    if colour == Colour.RED:
        people += [task.linked_leader, *run.contacts(task.issuing_unit, liaisons=False)]
    seen, unique = set(), []
    for p in people:
        if p is not None and p.pk not in seen:
            seen.add(p.pk)
            unique.append(p)
    return unique


def _tell_colour(run: _Run, task: Task, colour: str, behind: Milestone | None) -> int:
    today, deadline = run.today, task.deadline
    overdue = run.cal.workdays_between(deadline, today) if deadline < today else 0
    leader = task.linked_leader_name or (str(task.linked_leader) if task.linked_leader else "")
    if colour == Colour.RED:
        told = f"已提醒挂钩领导{leader}" if leader else "已报交办单位主要负责人"
        note = f"转为红色督办,已逾期{overdue}个工作日,{told}"
        title = f"红色督办:{task.title}"
        body = (f"{task.lead_unit}牵头的任务 {task.code}“{task.title}”完成时限 {deadline},"
                f"已逾期 {overdue} 个工作日,列入红色督办" + (f"(挂钩领导:{leader})" if leader else "")
                + "。请立即办结并说明逾期原因。")
        kind = "task.supervise"
    elif colour == Colour.YELLOW:
        note = f"转为黄色督办,已逾期{overdue}个工作日,已催办{task.lead_unit}"
        title = f"黄色督办:{task.title}"
        body = (f"任务 {task.code}“{task.title}”完成时限 {deadline},已逾期 {overdue} 个工作日,"
                f"逾期超过 {selectors.red_after()} 个工作日将转为红色督办并报挂钩领导。请抓紧办理。")
        kind = "task.urge"
    elif behind is not None and deadline > run.th.blue_until:
        note = f"转为蓝色督办,节点“{behind.title}”({behind.due})已过时限未完成,已催办{task.lead_unit}"
        title = f"蓝色督办:{task.title}"
        body = f"任务 {task.code}“{task.title}”的节点“{behind.title}”时限 {behind.due},尚未完成。请抓紧办理。"
        kind = "task.urge"
    else:
        left = run.cal.workdays_between(today, deadline)
        when = "今天到期" if left == 0 else f"距完成时限还有{left}个工作日"
        note = f"转为蓝色督办,{when},已催办{task.lead_unit}"
        title = f"蓝色督办:{task.title}"
        body = f"任务 {task.code}“{task.title}”完成时限 {deadline}({when})。请抓紧办理,按时交账。"
        kind = "task.urge"
    event(task, TaskEventKind.COLOUR, None, note=note)
    # notify() writes in this transaction: the reminder, the event and the notifications stand
    # or fall together (a crash between them cannot leave a reminder that told no one).
    sent = notify(_recipients(run, task, colour), kind=kind, title=title, body=body, url=task_url(task),
                  dedupe_key=f"task:{task.pk}:{colour_key(colour, deadline)}")
    return len(sent)


# --- milestones ----------------------------------------------------------------------------------


def _near_milestones(today: date) -> list[Milestone]:
    """Undone milestones of open tasks due from today to MILESTONE_NEAR working days on, not yet
    reminded at their current date."""
    cal = work_calendar(start=today, end=today + timedelta(days=30))
    until = cal.add_workdays(today, MILESTONE_NEAR)
    near = list(Milestone.objects.filter(done_at__isnull=True, due__gte=today, due__lte=until,
                                         task__status__in=OPEN_STATUSES)
                .select_related("task", "task__lead_unit", "task__responsible_person").order_by("due", "id"))
    if not near:
        return []
    sent = set(Reminder.objects.filter(task_id__in={m.task_id for m in near}, key__startswith="milestone:")
               .values_list("task_id", "key"))
    return [m for m in near if (m.task_id, milestone_key(m)) not in sent]


def _send_milestones(run: _Run, milestones: list[Milestone]) -> None:
    for start in range(0, len(milestones), CHUNK):
        with transaction.atomic():
            for m in milestones[start:start + CHUNK]:
                sent = _claim(m.task, milestone_key(m), partial(_tell_milestone, run, m))
                if sent is not None:
                    run.counts["milestone"] += 1
                    run.counts["notifications"] += sent


def _tell_milestone(run: _Run, m: Milestone) -> int:
    task = m.task
    left = run.cal.workdays_between(run.today, m.due)
    when = "今天到期" if left == 0 else f"还有{left}个工作日到期"
    people = [*run.contacts(task.lead_unit), task.responsible_person]
    sent = notify([p for p in people if p is not None], kind="task.milestone_near",
                  title=f"节点临近:{task.title}",
                  body=f"任务 {task.code}“{task.title}”的节点“{m.title}”时限 {m.due}({when})。",
                  url=task_url(task), dedupe_key=f"task:{task.pk}:{milestone_key(m)}")
    return len(sent)


__all__ = ["MILESTONE_NEAR", "colour_key", "milestone_key", "remind"]
