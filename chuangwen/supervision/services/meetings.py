"""Meetings (常委会, 专题会议, 现场办公会, 调度会) and their decisions (议定事项): record, split each
decision into tasks, close each decision after review."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.tasks.models import Task, TaskSource

from ..models import Decision, Meeting, MeetingKind
from .common import MANAGE, Fixes, bump, close_item, lock, split
from .instructions import _check_date

MINUTES_FILES = "supervision.meeting"
NOUN = "议定事项"
DEFAULT_STANDARD = "落实会议议定事项"
DECISION_MAX = 2000


def _check_decision_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError("请填写议定事项内容。")
    if len(text) > DECISION_MAX:
        raise ValidationError(f"议定事项不能超过 {DECISION_MAX} 字。")
    return text


def meeting_create(*, kind: str, date: date, title: str, chair, actor, attendees: str = "", place: str = "",
                   doc_number: str = "", decisions=(), files=()) -> Meeting:
    """Record a meeting with its minutes (纪要) and, optionally, its decisions in order."""
    require_verb(actor, MANAGE)
    if kind not in MeetingKind.values:
        raise ValidationError("请选择会议类型。")
    _check_date(date, "会议日期")
    if not title.strip():
        raise ValidationError("请填写会议名称。")
    if chair is None or not chair.is_active:
        raise ValidationError("请选择在职的会议主持人。")
    texts = [_check_decision_text(t) for t in decisions if t.strip()]
    with transaction.atomic():
        meeting = Meeting(kind=kind, date=date, title=title.strip(), chair=chair, chair_name=chair.full_name,
                          attendees=attendees.strip(), place=place.strip(), doc_number=doc_number.strip(),
                          created_by=actor)
        meeting.full_clean()
        meeting.save()
        record("meeting.create", actor=actor, obj=meeting,
               changes={"kind": [None, kind], "date": [None, str(date)], "title": [None, meeting.title],
                        "chair": [None, meeting.chair_name], "decisions": [None, len(texts)]})
        for n, text in enumerate(texts, start=1):
            _add(meeting, n, text, actor)
        if files:
            from chuangwen.attachments.services import attachments_store

            attachments_store(files, owner_kind=MINUTES_FILES, owner_id=meeting.pk, actor=actor)
    return meeting


def _add(meeting: Meeting, number: int, text: str, actor) -> Decision:
    decision = Decision(meeting=meeting, number=number, text=text, created_by=actor)
    decision.full_clean()
    decision.save()
    record("decision.create", actor=actor, obj=decision,
           changes={"meeting": [None, meeting.title], "number": [None, number], "text": [None, text]})
    return decision


def decision_add(*, meeting: Meeting, text: str, actor) -> Decision:
    """One more decision, numbered after the last."""
    require_verb(actor, MANAGE)
    text = _check_decision_text(text)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        number = (locked.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = _add(locked, number, text, actor)
        locked.version += 1
        locked.save(update_fields=["version"])
    return decision


def source_ref(decision: Decision) -> str:
    meeting = decision.meeting
    return f"{meeting.title}({meeting.date:%Y-%m-%d})第{decision.number}项"


def default_fixes(decision: Decision, deadline: date | None = None) -> Fixes:
    first_line = decision.text.strip().splitlines()[0] if decision.text.strip() else ""
    title = f"{decision.meeting.get_kind_display()}议定事项:{first_line}"
    return Fixes(deadline=deadline, title=title[:200], content=decision.text, standard=DEFAULT_STANDARD)


def decision_split(*, decision: Decision, units, actor, fixes: Fixes, issue: bool = True,
                   expected_version: int | None = None) -> list[Task]:
    """分解: one five-fixes task per unit (issued at once unless `issue` is False)."""
    require_verb(actor, MANAGE)
    with transaction.atomic():
        locked = lock(decision, expected_version, NOUN)
        if locked.is_closed:
            raise ValidationError("该议定事项已办结,不能再分解任务。")
        locked.meeting = Meeting.objects.get(pk=locked.meeting_id)
        created = split(links=locked.links, units=units, fixes=fixes, source=TaskSource.MEETING,
                        source_ref=source_ref(locked), year=locked.meeting.date.year,
                        link={"decision": locked}, actor=actor, issue=issue)
        bump(locked, [])
        record("decision.split", actor=actor, obj=locked,
               changes={"tasks": [None, [t.code for t in created]],
                        "units": [None, [t.lead_unit.name for t in created]], "issued": [None, issue]})
    return created


def decision_close(*, decision: Decision, actor, note: str, expected_version: int | None = None) -> Decision:
    """办结, after every task is accepted."""
    require_verb(actor, MANAGE)
    with transaction.atomic():
        locked, changes = close_item(decision, actor=actor, note=note, expected_version=expected_version,
                                     noun=NOUN)
        record("decision.close", actor=actor, obj=locked, changes=changes)
    return locked
