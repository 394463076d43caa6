"""Reads of instructions, meetings and visits through the scope rule; pages, the API and the
ledger share them.

Seeing: HQ staff and leaders see everything.  Anyone else sees an instruction or a decision
when they see one of the tasks split from it (tasks.selectors.tasks_visible_to: a unit sees
its scope's tasks once issued), a meeting when they see one of its decisions, and a visit when
they see one of the problems it found (problems.selectors.problems_visible_to) or took part in
it.  Within an item they see only those tasks and findings.
"""

from django.db.models import Count, F, Q, QuerySet

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.selectors import scope_roots
from chuangwen.places.selectors import sites_visible_to
from chuangwen.problems.models import ProblemStatus
from chuangwen.problems.selectors import problems_visible_to
from chuangwen.tasks import selectors as task_selectors
from chuangwen.tasks.models import ProgressUpdate, Task, TaskStatus

from .models import Decision, Finding, Instruction, ItemStatus, Meeting, SourceTask, Visit

VIEW = "supervision.view"
PAGE = 30


class Stage:
    """Where an instruction or a decision stands, for the ledger (derived, never stored)."""

    NEW = "new"
    WORKING = "working"
    READY = "ready"
    CLOSED = "closed"
    LABELS = {NEW: "待分解", WORKING: "办理中", READY: "待办结", CLOSED: "已办结"}


def sees_all(user) -> bool:
    return has_verb(user, VIEW) and scope_roots(user) is None


def visible_tasks(user) -> QuerySet[Task]:
    return task_selectors.tasks_visible_to(user)


def instructions_visible_to(user) -> QuerySet[Instruction]:
    if not has_verb(user, VIEW):
        return Instruction.objects.none()
    if sees_all(user):
        return Instruction.objects.all()
    links = SourceTask.objects.filter(task__in=visible_tasks(user), instruction__isnull=False)
    return Instruction.objects.filter(pk__in=links.values("instruction_id"))


def decisions_visible_to(user) -> QuerySet[Decision]:
    if not has_verb(user, VIEW):
        return Decision.objects.none()
    if sees_all(user):
        return Decision.objects.all()
    links = SourceTask.objects.filter(task__in=visible_tasks(user), decision__isnull=False)
    return Decision.objects.filter(pk__in=links.values("decision_id"))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    if not has_verb(user, VIEW):
        return Meeting.objects.none()
    if sees_all(user):
        return Meeting.objects.all()
    return Meeting.objects.filter(pk__in=decisions_visible_to(user).values("meeting_id"))


def _member_of(user) -> QuerySet:
    return Visit.member_people.through.objects.filter(user_id=user.pk).values("visit_id")


def visits_visible_to(user) -> QuerySet[Visit]:
    if not has_verb(user, VIEW):
        return Visit.objects.none()
    if sees_all(user):
        return Visit.objects.all()
    found = Finding.objects.filter(problem__in=problems_visible_to(user)).values("visit_id")
    return Visit.objects.filter(Q(pk__in=found) | Q(pk__in=_member_of(user)))


def findings_visible_to(user) -> QuerySet[Finding]:
    if not has_verb(user, VIEW):
        return Finding.objects.none()
    if sees_all(user):
        return Finding.objects.all()
    return Finding.objects.filter(Q(problem__in=problems_visible_to(user)) | Q(visit_id__in=_member_of(user)))


def visit_sites(user, visit: Visit) -> QuerySet:
    """The sites of `visit` the person may see: all of them for HQ, leaders and the visit's own
    members; otherwise those in scope by the places rule (a unit that sees the visit through its
    own finding does not learn which other districts' sites were inspected)."""
    qs = visit.sites.select_related("district", "responsible_unit").order_by("code")
    if sees_all(user) or _member_of(user).filter(visit_id=visit.pk).exists():
        return qs
    return qs.filter(pk__in=sites_visible_to(user).values("pk"))


# --- closure state ------------------------------------------------------------------------------


def _task_scope(user, prefix: str) -> Q:
    """Count only the tasks `user` sees (a unit's ledger quotes its own part)."""
    return Q() if sees_all(user) else Q(**{f"{prefix}task__in": visible_tasks(user)})


def with_progress(qs: QuerySet, user) -> QuerySet:
    """Annotate instructions or decisions with `task_total` (live tasks: not cancelled) and
    `task_accepted`, counting the tasks `user` sees."""
    scope = _task_scope(user, "links__")
    live = scope & ~Q(links__task__status=TaskStatus.CANCELLED)
    return qs.annotate(task_total=Count("links", filter=live, distinct=True),
                       task_accepted=Count("links", filter=scope & Q(links__task__status=TaskStatus.ACCEPTED),
                                           distinct=True))


def with_decision_counts(qs: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    """Annotate meetings with `decision_total` and `decision_closed` (the decisions `user` sees)."""
    visible = Q(decisions__in=decisions_visible_to(user))
    return qs.annotate(
        decision_total=Count("decisions", filter=visible, distinct=True),
        decision_closed=Count("decisions", filter=visible & Q(decisions__status=ItemStatus.CLOSED),
                              distinct=True))


def with_finding_counts(qs: QuerySet[Visit], user) -> QuerySet[Visit]:
    """Annotate visits with `finding_total` and `finding_closed` (problems closed; findings `user` sees)."""
    visible = Q(findings__in=findings_visible_to(user))
    return qs.annotate(
        finding_total=Count("findings", filter=visible, distinct=True),
        finding_closed=Count("findings", filter=visible & Q(findings__problem__status=ProblemStatus.CLOSED),
                             distinct=True))


def stage_of(item) -> str:
    if item.status == ItemStatus.CLOSED:
        return Stage.CLOSED
    if not item.task_total:
        return Stage.NEW
    return Stage.READY if item.task_accepted == item.task_total else Stage.WORKING


def with_stage(rows) -> list:
    rows = list(rows)
    for r in rows:
        r.stage = stage_of(r)
        r.stage_label = Stage.LABELS[r.stage]
    return rows


def page_of(qs: QuerySet, *, before: int | None, limit: int = PAGE):
    """A keyset page by id, newest first, and the cursor of the next page (None on the last)."""
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def _filtered(qs: QuerySet, *, year: int | None, status: str, q: str, text_fields: tuple) -> QuerySet:
    if year:
        qs = qs.filter(date__year=year)
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    if q:
        cond = Q()
        for f in text_fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    return qs


def instruction_page(user, *, year: int | None = None, status: str = "", q: str = "",
                     before: int | None = None, limit: int = PAGE) -> dict:
    qs = _filtered(instructions_visible_to(user), year=year, status=status, q=q,
                   text_fields=("title", "leader_name", "doc_number"))
    rows, next_before = page_of(with_progress(qs, user), before=before, limit=limit)
    return {"items": with_stage(rows), "next_before": next_before}


def meeting_page(user, *, year: int | None = None, kind: str = "", q: str = "", before: int | None = None,
                 limit: int = PAGE) -> dict:
    qs = _filtered(meetings_visible_to(user), year=year, status="", q=q, text_fields=("title", "chair_name"))
    if kind:
        qs = qs.filter(kind=kind)
    rows, next_before = page_of(with_decision_counts(qs, user), before=before, limit=limit)
    return {"items": rows, "next_before": next_before}


def visit_page(user, *, year: int | None = None, kind: str = "", q: str = "", before: int | None = None,
               limit: int = PAGE) -> dict:
    qs = _filtered(visits_visible_to(user), year=year, status="", q=q, text_fields=("title", "members"))
    if kind:
        qs = qs.filter(kind=kind)
    rows, next_before = page_of(with_finding_counts(qs, user), before=before, limit=limit)
    return {"items": rows, "next_before": next_before}


# --- one item -----------------------------------------------------------------------------------


def _tasks_of(user, links: QuerySet[SourceTask]) -> list[Task]:
    """The linked tasks `user` sees, with their colour, their source (`source_decision`) and
    their latest progress report (the units' feedback) as `.feedback`: three queries."""
    th = task_selectors.current_thresholds()
    qs = visible_tasks(user).filter(supervision_source__in=links).annotate(
        source_decision=F("supervision_source__decision_id"))
    tasks = list(task_selectors.with_colour(task_selectors.list_related(qs), th).order_by("code"))
    latest: dict[int, ProgressUpdate] = {}
    updates = (ProgressUpdate.objects.filter(task__in=[t.pk for t in tasks])
               .order_by("task_id", "-reported_at", "-id"))
    for u in updates:
        latest.setdefault(u.task_id, u)
    for t in tasks:
        t.feedback = latest.get(t.pk)
    return tasks


def _set_stage(item, tasks: list[Task]) -> None:
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    item.tasks = tasks
    item.task_total = len(live)
    item.task_accepted = sum(t.status == TaskStatus.ACCEPTED for t in live)
    item.stage = stage_of(item)
    item.stage_label = Stage.LABELS[item.stage]


def item_tasks(user, item) -> list[Task]:
    """The tasks split from an instruction or a decision that `user` sees (see `_tasks_of`)."""
    return _tasks_of(user, item.links.all())


def item_stage(user, item) -> dict:
    """The closure state of one item: its tasks (as `user` sees them) and the stage."""
    tasks = item_tasks(user, item)
    _set_stage(item, tasks)
    return {"tasks": tasks, "stage": item.stage}


def meeting_decisions(user, meeting: Meeting) -> list[Decision]:
    """The meeting's decisions `user` sees, each with its tasks and stage (four queries)."""
    decisions = list(decisions_visible_to(user).filter(meeting=meeting).order_by("number"))
    by_decision: dict[int, list[Task]] = {}
    for t in _tasks_of(user, SourceTask.objects.filter(decision__in=[d.pk for d in decisions])):
        by_decision.setdefault(t.source_decision, []).append(t)
    for d in decisions:
        d.meeting = meeting
        _set_stage(d, by_decision.get(d.pk, []))
    return decisions


def visit_findings(user, visit: Visit) -> list[Finding]:
    qs = findings_visible_to(user).filter(visit=visit)
    related = ("problem", "problem__category", "problem__site", "problem__responsible_unit",
               "problem__suggested_unit")
    return list(qs.select_related(*related).order_by("number"))


def source_of(task: Task):
    """The instruction or decision a task (or its ancestor) was split from, or None."""
    while task is not None:
        link = SourceTask.objects.filter(task=task).select_related("instruction", "decision__meeting").first()
        if link is not None:
            return link.instruction or link.decision
        task = task.parent
    return None


# --- attachments' owners (registered in apps.py) --------------------------------------------------


def instruction_file_visible(user, owner_id: int) -> bool:
    return instructions_visible_to(user).filter(pk=owner_id).exists()


def minutes_visible(user, owner_id: int) -> bool:
    return meetings_visible_to(user).filter(pk=owner_id).exists()
