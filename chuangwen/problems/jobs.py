"""Background entry points for problems: the escalation job (三色督办: 催办 → 督办), run by
`chuangwen problem_reminders` or the `run_jobs` loop.

`remind()` reads the colour of every open problem with a deadline (colours.py: blue and yellow
are 催办 to the responsible unit's head and liaisons, red is 督办 to them and the linked leader)
and, for each colour not yet sent at the problem's current deadline, writes a `ProblemReminder`
(unique per problem, colour and deadline), a timeline event and the notifications in one
savepoint: the unique row is the claim, so a second run, or a run overlapping this one on another
machine, sends nothing twice; an approved extension (a new deadline) starts the colours afresh.
A problem that went from nothing to red while the job was not running gets the red notice only.
One audit entry per run that sent anything.

Cost: one query finds the candidates (open problems by the (status, deadline) index, without
the claim that would end their escalation: blue before the deadline, red after it) and one reads
the calendar; their colours are worked out here on the working clock, a few microseconds each.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.notifications.services import notify
from chuangwen.org.models import Post
from chuangwen.org.selectors import linked_leaders
from chuangwen.workdays.selectors import work_calendar

from .colours import RED_AFTER_HOURS, Colour, Reading, read
from .models import OPEN_STATUSES, Problem, ProblemEvent, ProblemEventKind
from .summary import ProblemReminder

logger = logging.getLogger("chuangwen.problems")

__all__ = ["red_after_hours", "remind"]

# Reminders written per transaction: few enough that SQLite's single writer lock is released
# often while a first run works through thousands of problems.
CHUNK = 100
# Most urgent first, so an interrupted run has told the leaders before the rest.
COLOURS = (Colour.RED, Colour.YELLOW, Colour.BLUE)
SYSTEM = "督办提醒"


def red_after_hours() -> float:
    return getattr(settings, "CHUANGWEN_PROBLEM_RED_AFTER_HOURS", RED_AFTER_HOURS)


def _claimed(colour: str) -> Exists:
    return Exists(ProblemReminder.objects.filter(problem=OuterRef("pk"), colour=colour,
                                                 deadline=OuterRef("deadline")))


@dataclass
class _Run:
    now: datetime
    red_after: float
    counts: dict = field(default_factory=lambda: {"red": 0, "yellow": 0, "blue": 0, "notifications": 0})
    _contacts: dict = field(default_factory=dict)

    def contacts(self, unit) -> list:
        """The unit's head(s) and liaisons today, read once per unit and run."""
        if unit is None:
            return []
        if unit.pk not in self._contacts:
            posts = Post.objects.current(timezone.localtime(self.now).date()).filter(
                Q(is_head=True) | Q(is_liaison=True), unit=unit).select_related("person")
            self._contacts[unit.pk] = [p.person for p in posts.order_by("-is_head", "id")]
        return self._contacts[unit.pk]


def remind(now: datetime | None = None) -> dict[str, int]:
    """Send the reminders due at `now`; returns how many of each colour were sent and how many
    notifications (all zero on a second run)."""
    run = _Run(now=now or timezone.now(), red_after=red_after_hours())
    for colour, readings in _due(run).items():
        _send(run, colour, readings)
    counts = run.counts
    if any(counts.values()):
        stamp = timezone.localtime(run.now)
        record("problem.reminders", object_type="problems.problemreminder", object_id=stamp.isoformat(),
               object_repr=f"{stamp:%Y-%m-%d %H:%M} 问题督办提醒",
               changes={k: [None, v] for k, v in counts.items()})
    return counts


def _due(run: _Run) -> dict[str, dict[int, tuple[datetime, Reading]]]:
    """colour -> {problem id: (deadline, reading)} for the reminders to send now."""
    now = run.now
    # Not yet due and not yet blue; or overdue and not yet red (red ends the escalation).
    open_ = Problem.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    rows = list(open_.filter((Q(deadline__gte=now) & ~_claimed(Colour.BLUE))
                             | (Q(deadline__lt=now) & ~_claimed(Colour.RED)))
                .annotate(yellow_sent=_claimed(Colour.YELLOW))
                .values_list("id", "assigned_at", "deadline", "yellow_sent"))
    out: dict[str, dict] = {c: {} for c in COLOURS}
    if not rows:
        return out
    moments = [m for _, a, d, _ in rows for m in (a, d) if m is not None] + [now]
    cal = work_calendar(start=timezone.localtime(min(moments)).date(),
                        end=timezone.localtime(max(moments)).date())
    for pk, assigned_at, deadline, yellow_sent in rows:
        reading = read(cal, assigned_at=assigned_at, deadline=deadline, now=now, red_after=run.red_after)
        if reading.colour == Colour.NONE or (reading.colour == Colour.YELLOW and yellow_sent):
            continue
        out[reading.colour][pk] = (deadline, reading)
    return out


def _send(run: _Run, colour: str, pending: dict[int, tuple[datetime, Reading]]) -> None:
    ids = sorted(pending)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            # Locked in id order: a 销号 in flight finishes first, and then is not reminded.
            problems = (Problem.objects.select_for_update(of=("self",))
                        .filter(pk__in=chunk, status__in=OPEN_STATUSES)
                        .select_related("category", "responsible_unit", "linked_leader").order_by("pk"))
            for problem in problems:
                deadline, reading = pending[problem.pk]
                if problem.deadline != deadline:
                    continue  # extended since we looked: the next run judges the new deadline
                sent = _claim(problem, colour, lambda p=problem, r=reading: _tell(run, p, colour, r))
                if sent is not None:
                    run.counts[colour] += 1
                    run.counts["notifications"] += sent


def _claim(problem: Problem, colour: str, send) -> int | None:
    """Write the claim, then `send()`, in one savepoint; None if the claim exists (an overlapping
    run got there first), else what `send` returned."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProblemReminder.objects.create(problem=problem, colour=colour, deadline=problem.deadline)
        except IntegrityError:
            return None
        return send()


def _leader(problem: Problem):
    """Whom a red problem escalates to: the leader linked at assignment (snapshot), else the one
    linked to the unit or its ancestors today."""
    if problem.linked_leader is not None:
        return problem.linked_leader
    leaders = linked_leaders(problem.responsible_unit) if problem.responsible_unit else []
    return leaders[0] if leaders else None


def _problem_url(problem: Problem) -> str:
    try:
        return reverse("problems:detail", args=[problem.number])
    except NoReverseMatch:  # the pages are not installed (a stripped-down deployment)
        return ""


def _tell(run: _Run, problem: Problem, colour: str, reading: Reading) -> int:
    deadline = timezone.localtime(problem.deadline)
    unit = problem.responsible_unit
    place = f",{problem.address}" if problem.address else ""
    what = f"问题 {problem.number}({problem.category.name}{place})"
    people = list(run.contacts(unit))
    if colour == Colour.RED:
        leader = _leader(problem)
        if leader is not None:
            people.append(leader)
        leader_name = problem.linked_leader_name or (leader.full_name if leader else "")
        told = f"已报挂钩领导{leader_name}" if leader_name else "无挂钩领导"
        note = f"转为红色督办:已逾期{reading.over_hours:.1f}个工作小时,已督办{unit},{told}"
        title = f"红色督办:{problem.number} {problem.category.name}"
        body = (f"{unit}负责整改的{what}整改时限 {deadline:%Y-%m-%d %H:%M},"
                f"已逾期 {reading.over_hours:.1f} 个工作小时,列入红色督办"
                + (f"(挂钩领导:{leader_name})" if leader_name else "") + "。请立即整改并说明逾期原因。")
        kind, event_kind = "problem.supervise", ProblemEventKind.ESCALATE
    elif colour == Colour.YELLOW:
        note = f"转为黄色催办:已超过整改时限{reading.over_hours:.1f}个工作小时,已催办{unit}"
        title = f"黄色催办:{problem.number} {problem.category.name}"
        body = (f"{what}整改时限 {deadline:%Y-%m-%d %H:%M},已超过时限 {reading.over_hours:.1f} 个工作小时;"
                f"逾期超过 {run.red_after:g} 个工作小时将转为红色督办并报挂钩领导。请抓紧整改。")
        kind, event_kind = "problem.urge", ProblemEventKind.REMIND
    else:
        note = f"转为蓝色催办:距整改时限还有{reading.left_hours:.1f}个工作小时,已催办{unit}"
        title = f"蓝色催办:{problem.number} {problem.category.name}"
        body = (f"{what}整改时限 {deadline:%Y-%m-%d %H:%M},还有 {reading.left_hours:.1f} 个工作小时。"
                "请抓紧整改,按时上报整改结果。")
        kind, event_kind = "problem.urge", ProblemEventKind.REMIND
    ProblemEvent.objects.create(problem=problem, kind=event_kind, actor=None, actor_name=SYSTEM, note=note)
    # notify() writes in this transaction: the claim, the event and the notifications stand or
    # fall together (a crash between them cannot leave a claim that told no one).
    sent = notify(people, kind=kind, title=title, body=body, url=_problem_url(problem),
                  dedupe_key=f"problem:{problem.pk}:{colour}:{problem.deadline.isoformat()}")
    return len(sent)
