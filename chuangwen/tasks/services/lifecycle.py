"""The lifecycle: one `_transition` checks the table, the party and the version, locks the row,
writes the status, the timeline event and the audit entry.  Nothing else assigns `Task.status`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record

from ..models import Extension, ExtensionStatus, Milestone, Task, TaskEventKind, TaskStatus
from ..permissions import require_party
from ..transitions import TRANSITIONS, Party
from .common import bump, event, lock_task, notify_after_commit, task_url, unit_contacts
from .plans import _fill_responsibility, missing_fixes, subtask_code

# Timestamps an action stamps on the task.
_STAMPS = {"issue": "issued_at", "sign_for": "signed_at", "hand_in": "handed_in_at", "accept": "accepted_at"}


def _transition(task: Task, action: str, actor, *, note: str = "", expected_version: int | None = None,
                locked: Task | None = None, check=None) -> Task:
    """Move `task` by `action`.  Call inside a transaction only when `locked` is given (the caller
    already holds the row); `check(locked)` runs under the lock before anything is written."""
    t = TRANSITIONS[action]
    if locked is None:
        require_party(actor, task, t.party, t.label)
    if t.needs_note and not note.strip():
        raise ValidationError(f"{t.label}须填写理由。")
    with transaction.atomic():
        locked = locked or lock_task(task, expected_version)
        if locked.status not in t.sources:
            raise ValidationError(f"任务当前为“{locked.get_status_display()}”,不能{t.label}。")
        if check is not None:
            check(locked)
        before = locked.status
        locked.status = t.target
        fields = ["status"]
        if action in _STAMPS:
            setattr(locked, _STAMPS[action], timezone.now())
            fields.append(_STAMPS[action])
        if action == "return":
            locked.handed_in_at = None
            fields.append("handed_in_at")
        bump(locked, fields)
        event(locked, getattr(TaskEventKind, action.upper()), actor, note=note, from_status=before,
              to_status=locked.status)
        record(f"task.{action}", actor=actor, obj=locked, changes={"status": [before, locked.status],
                                                                  **({"note": [None, note]} if note else {})})
    return locked


def _issue_check(locked: Task) -> None:
    gaps = missing_fixes(locked)
    if gaps:
        raise ValidationError(["五定未到位,不能下达:", *gaps])


def _notify_issued(task: Task) -> None:
    recipients = unit_contacts(task.lead_unit)
    if task.responsible_person and task.responsible_person not in recipients:
        recipients.append(task.responsible_person)
    notify_after_commit(recipients, kind="task.issued", title=f"新任务:{task.title}",
                        body=f"{task.issuing_unit}下达,完成时限 {task.deadline}。请及时签收。", url=task_url(task),
                        dedupe_key=f"task:{task.pk}:issued")


def task_issue(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """下达: only when the five fixes are in place."""
    task = _transition(task, "issue", actor, expected_version=expected_version, check=_issue_check)
    _notify_issued(task)
    return task


def task_sign_for(*, task: Task, actor, expected_version: int | None = None) -> Task:
    return _transition(task, "sign_for", actor, expected_version=expected_version)


def task_start(*, task: Task, actor, expected_version: int | None = None) -> Task:
    return _transition(task, "start", actor, expected_version=expected_version)


def task_cancel(*, task: Task, actor, reason: str, expected_version: int | None = None) -> Task:
    def no_live_subtasks(locked):
        if locked.subtasks.exclude(status__in=(TaskStatus.CANCELLED, TaskStatus.DRAFT)).exists():
            raise ValidationError("该任务已分解下达,请先撤销下级任务。")

    task = _transition(task, "cancel", actor, note=reason, expected_version=expected_version, check=no_live_subtasks)
    if task.issued_at:
        notify_after_commit(unit_contacts(task.lead_unit), kind="task.cancelled", title=f"任务已撤销:{task.title}",
                            body=reason, url=task_url(task), dedupe_key=f"task:{task.pk}:cancelled")
    return task


def task_decompose(*, task: Task, units, actor, deadline: date | None = None, title: str = "", content: str = "",
                   milestones=(), issue: bool = True) -> list[Task]:
    """分解下达 / 批量下达: one task to N units becomes N subtasks in one step, each inheriting
    the parent's five fixes (its deadline no later than the parent's), issued at once unless
    `issue` is False.  All or nothing."""
    require_party(actor, task, Party.LEAD, "分解任务")
    units = list(units)
    if not units:
        raise ValidationError("请选择要分解下达的单位。")
    outside = [u for u in units if not u.path.startswith(task.lead_unit.path) or u.pk == task.lead_unit_id]
    if outside:
        raise ValidationError("只能分解给本单位的下级单位:" + "、".join(str(u) for u in outside))
    inactive = [u for u in units if not u.is_active]
    if inactive:
        raise ValidationError("以下单位已撤销:" + "、".join(str(u) for u in inactive))
    with transaction.atomic():
        parent = lock_task(task)
        if parent.status not in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS):
            raise ValidationError(f"任务当前为“{parent.get_status_display()}”,签收后才能分解下达。")
        due = deadline or parent.deadline
        if due > parent.deadline:
            raise ValidationError(f"下级任务的完成时限({due})不能晚于本任务的完成时限({parent.deadline})。")
        taken = set(parent.subtasks.exclude(status=TaskStatus.CANCELLED).values_list("lead_unit_id", flat=True))
        again = [u for u in units if u.pk in taken]
        if again:
            raise ValidationError("以下单位已有本任务的下级任务:" + "、".join(str(u) for u in again))
        created = []
        for unit in units:
            sub = Task(
                plan=parent.plan, parent=parent, issuing_unit=parent.lead_unit, lead_unit=unit,
                work_group=parent.work_group, source=parent.source, source_ref=parent.source_ref,
                title=title.strip() or parent.title, content=content.strip() or parent.content,
                standard=parent.standard, deadline=due, original_deadline=due, criteria=parent.criteria,
                points=parent.points, weight=1, policy=parent.policy, created_by=actor,
            )
            sub.code = subtask_code(parent) if not created else _following(created[-1].code)
            _fill_responsibility(sub)
            sub.full_clean(exclude=["cooperating_units"])
            sub.save()
            Milestone.objects.bulk_create([Milestone(task=sub, title=m["title"], due=m["due"]) for m in milestones])
            event(sub, TaskEventKind.CREATE, actor, to_status=sub.status, note=f"由{parent.code}分解")
            record("task.create", actor=actor, obj=sub, changes={"parent": [None, parent.code],
                                                                 "lead_unit": [None, str(unit)]})
            created.append(sub)
        event(parent, TaskEventKind.DECOMPOSE, actor, note="分解下达至" + "、".join(str(u) for u in units))
        if parent.status == TaskStatus.SIGNED:
            parent = _transition(parent, "start", actor, locked=parent)
        if issue:
            created = [_transition(sub, "issue", actor, locked=lock_task(sub), check=_issue_check) for sub in created]
    if issue:
        for sub in created:
            _notify_issued(sub)
    return created


def _following(code: str) -> str:
    stem, _, number = code.rpartition("-")
    return f"{stem}-{int(number) + 1:02d}"


# --- extensions ------------------------------------------------------------------------------------


def extension_request(*, task: Task, actor, new_deadline: date, reason: str) -> Extension:
    """延期申请 by the lead unit; the issuing unit decides."""
    require_party(actor, task, Party.LEAD, "申请延期")
    if not reason.strip():
        raise ValidationError("请填写延期理由。")
    with transaction.atomic():
        locked = lock_task(task)
        if locked.status not in (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS):
            raise ValidationError(f"任务当前为“{locked.get_status_display()}”,不能申请延期。")
        if new_deadline <= locked.deadline:
            raise ValidationError("申请的完成时限应晚于现在的完成时限。")
        if locked.parent_id and new_deadline > locked.parent.deadline:
            raise ValidationError(f"申请的完成时限不能晚于上级任务的完成时限({locked.parent.deadline})。")
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError("该任务已有待审批的延期申请。")
        ext = Extension.objects.create(task=locked, reason=reason.strip(), old_deadline=locked.deadline,
                                       new_deadline=new_deadline, requested_by=actor)
        bump(locked, [])
        event(locked, TaskEventKind.EXTENSION_REQUEST, actor, note=f"申请延期至 {new_deadline}:{reason.strip()}")
        record("task.extension_request", actor=actor, obj=locked,
               changes={"deadline": [str(locked.deadline), str(new_deadline)], "reason": [None, reason.strip()]})
    notify_after_commit(unit_contacts(locked.issuing_unit, liaisons=True), kind="task.extension",
                        title=f"延期申请:{locked.title}", body=f"{locked.lead_unit}申请延期至 {new_deadline}。",
                        url=task_url(locked), dedupe_key=f"extension:{ext.pk}")
    return ext


def extension_decide(*, extension: Extension, actor, approve: bool, note: str = "") -> Extension:
    task = extension.task
    require_party(actor, task, Party.ISSUER, "审批延期")
    if not approve and not note.strip():
        raise ValidationError("不同意延期须说明理由。")
    with transaction.atomic():
        locked = lock_task(task)
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise ValidationError("该延期申请已审批。")
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, timezone.now(), note.strip()
        ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            # The original deadline stays: assessment judges against it.
            before = locked.deadline
            locked.deadline = ext.new_deadline
            bump(locked, ["deadline"])
            changes = {"deadline": [str(before), str(ext.new_deadline)]}
        else:
            bump(locked, [])
            changes = {"extension": [None, "rejected"]}
        event(locked, TaskEventKind.EXTENSION_DECIDE, actor,
              note=("同意延期至 " + str(ext.new_deadline) if approve else "不同意延期") + (f":{note.strip()}" if note.strip() else ""))
        record("task.extension_decide", actor=actor, obj=locked, changes=changes)
    notify_after_commit([ext.requested_by, *unit_contacts(locked.lead_unit, liaisons=False)], kind="task.extension",
                        title=("延期已同意:" if approve else "延期未同意:") + locked.title, body=note,
                        url=task_url(locked), dedupe_key=f"extension:{ext.pk}:decided")
    return ext
