"""交账: the lead unit's head hands in the accounts to the issuing unit's head, who accepts or
returns them with a reason.  For HQ's tasks HQ staff may prepare the review; the head decides."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record
from chuangwen.org.selectors import current_head

from ..models import Handover, HandoverStatus, Task, TaskEventKind, TaskStatus
from ..permissions import require_party
from ..transitions import Party
from .common import event, lock_task, notify_after_commit, task_url, unit_contacts
from .lifecycle import _transition

ATTACHMENT_KIND = "tasks.handover"


def handover_submit(*, task: Task, actor, summary: str, files=(), expected_version: int | None = None) -> Handover:
    require_party(actor, task, Party.LEAD_HEAD, "交账")
    if not summary.strip():
        raise ValidationError("请填写交账内容(完成情况、成效和佐证材料说明)。")
    if files:
        from chuangwen.attachments.services import validate_upload

        for f in files:
            validate_upload(f)

    def ready(locked: Task):
        open_subs = locked.subtasks.exclude(status__in=(TaskStatus.ACCEPTED, TaskStatus.CANCELLED))
        if open_subs.exists():
            codes = "、".join(open_subs.values_list("code", flat=True)[:5])
            raise ValidationError(f"下级任务尚未全部验收({codes}),不能交账。")

    with transaction.atomic():
        locked = _transition(task, "hand_in", actor, expected_version=expected_version, check=ready,
                             note=summary.strip()[:200])
        head = current_head(locked.issuing_unit)
        handover = Handover.objects.create(
            task=locked, from_unit=locked.lead_unit, to_unit=locked.issuing_unit, from_person=actor,
            from_name=actor.full_name, to_person=head.person if head else None,
            to_name=head.person.full_name if head else "", summary=summary.strip(),
        )
        if files:
            from chuangwen.attachments.services import attachments_store

            attachments_store(files, owner_kind=ATTACHMENT_KIND, owner_id=handover.pk, actor=actor)
    recipients = [head.person] if head else []
    recipients += unit_contacts(locked.issuing_unit, heads=False)
    notify_after_commit(recipients, kind="task.handed_in", title=f"交账待验收:{locked.title}",
                        body=f"{locked.lead_unit} {actor.full_name} 已交账。", url=task_url(locked),
                        dedupe_key=f"handover:{handover.pk}:submitted")
    return handover


def _open_handover(task: Task) -> Handover:
    handover = Handover.objects.select_for_update().filter(task=task, status=HandoverStatus.SUBMITTED).first()
    if handover is None:
        raise ValidationError("该任务没有待验收的交账。")
    return handover


def handover_review(*, handover: Handover, actor, note: str) -> Handover:
    """初审: the issuing unit's staff prepare their view for the head who decides."""
    require_party(actor, handover.task, Party.ISSUER, "初审交账")
    if not note.strip():
        raise ValidationError("请填写初审意见。")
    with transaction.atomic():
        locked = lock_task(handover.task)
        h = _open_handover(locked)
        h.review_note, h.reviewed_by = note.strip(), actor
        h.save(update_fields=["review_note", "reviewed_by"])
        event(locked, TaskEventKind.REVIEW, actor, note=note.strip())
        record("task.handover_review", actor=actor, obj=locked, changes={"review": [None, note.strip()]})
    return h


def _decide(task: Task, actor, action: str, note: str, expected_version) -> Handover:
    with transaction.atomic():
        locked = _transition(task, action, actor, note=note, expected_version=expected_version)
        h = _open_handover(locked)
        h.status = HandoverStatus.ACCEPTED if action == "accept" else HandoverStatus.RETURNED
        h.decided_by, h.decided_at, h.decision_note = actor, timezone.now(), note.strip()
        h.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if action == "accept" and locked.progress != 100:
            locked.progress = 100
            locked.save(update_fields=["progress"])
    label = "已验收" if action == "accept" else "被退回"
    notify_after_commit([h.from_person, *unit_contacts(locked.lead_unit, heads=False)], kind=f"task.handover_{action}",
                        title=f"交账{label}:{locked.title}", body=note.strip(), url=task_url(locked),
                        dedupe_key=f"handover:{h.pk}:{action}")
    return h


def handover_accept(*, task: Task, actor, note: str = "", expected_version: int | None = None) -> Handover:
    return _decide(task, actor, "accept", note, expected_version)


def handover_return(*, task: Task, actor, reason: str, expected_version: int | None = None) -> Handover:
    return _decide(task, actor, "return", reason, expected_version)
