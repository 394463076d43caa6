"""领导批示: record, split into tasks for one or more units, close after review."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.accounts.roles import Role
from chuangwen.audit.log import record
from chuangwen.tasks.models import Task, TaskSource

from ..models import Instruction
from .common import MANAGE, Fixes, bump, close_item, lock, split

INSTRUCTION_FILES = "supervision.instruction"
NOUN = "批示"
DEFAULT_STANDARD = "落实领导批示要求"


def _check_date(day: date | None, label: str) -> None:
    if day is None:
        raise ValidationError(f"请填写{label}。")
    if day > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天。")


def instruction_create(*, leader, date: date, title: str, text: str, actor, doc_number: str = "",
                       files=()) -> Instruction:
    """Log an instruction with its source document (来文, e.g. the signed PDF)."""
    require_verb(actor, MANAGE)
    if leader is None or not leader.is_active or not leader.has_role(Role.LEADER):
        raise ValidationError("批示领导须为在职的市领导。")
    _check_date(date, "批示日期")
    if not title.strip():
        raise ValidationError("请填写批示事项。")
    if not text.strip():
        raise ValidationError("请填写批示内容。")
    with transaction.atomic():
        item = Instruction(leader=leader, leader_name=leader.full_name, date=date, title=title.strip(),
                           text=text.strip(), doc_number=doc_number.strip(), created_by=actor)
        item.full_clean()
        item.save()
        record("instruction.create", actor=actor, obj=item,
               changes={"leader": [None, item.leader_name], "date": [None, str(date)],
                        "title": [None, item.title], "doc_number": [None, item.doc_number]})
        if files:
            from chuangwen.attachments.services import attachments_store

            attachments_store(files, owner_kind=INSTRUCTION_FILES, owner_id=item.pk, actor=actor)
    return item


def source_ref(item: Instruction) -> str:
    ref = f"{item.leader_name}批示({item.date:%Y-%m-%d})"
    return f"{ref} {item.doc_number}" if item.doc_number else ref


def default_fixes(item: Instruction, deadline: date | None = None) -> Fixes:
    """What the split form proposes: the instruction's words as the task, the usual criteria."""
    return Fixes(deadline=deadline, title=f"落实{item.leader_name}批示:{item.title}"[:200], content=item.text,
                 standard=DEFAULT_STANDARD)


def instruction_split(*, instruction: Instruction, units, actor, fixes: Fixes, issue: bool = True,
                      expected_version: int | None = None) -> list[Task]:
    """分解: one five-fixes task per unit (issued at once unless `issue` is False)."""
    require_verb(actor, MANAGE)
    with transaction.atomic():
        locked = lock(instruction, expected_version, NOUN)
        if locked.is_closed:
            raise ValidationError("该批示已办结,不能再分解任务。")
        created = split(links=locked.links, units=units, fixes=fixes, source=TaskSource.INSTRUCTION,
                        source_ref=source_ref(locked), year=locked.date.year, link={"instruction": locked},
                        actor=actor, issue=issue)
        bump(locked, [])
        record("instruction.split", actor=actor, obj=locked,
               changes={"tasks": [None, [t.code for t in created]],
                        "units": [None, [t.lead_unit.name for t in created]], "issued": [None, issue]})
    return created


def instruction_close(*, instruction: Instruction, actor, note: str,
                      expected_version: int | None = None) -> Instruction:
    """办结, after every task is accepted."""
    require_verb(actor, MANAGE)
    with transaction.atomic():
        locked, changes = close_item(instruction, actor=actor, note=note, expected_version=expected_version,
                                     noun=NOUN)
        record("instruction.close", actor=actor, obj=locked, changes=changes)
    return locked
