"""进度报送 and milestones.  The first report on a signed task starts it (签收 → 办理中)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.audit.log import record

from ..models import Milestone, ProgressUpdate, Task, TaskEventKind, TaskStatus
from ..permissions import require_party
from ..transitions import Party
from .common import bump, event, lock_task
from .lifecycle import _transition

ATTACHMENT_KIND = "tasks.progress"


def progress_report(*, task: Task, actor, percent: int, text: str, problems: str = "", next_steps: str = "",
                    milestones_done=(), files=(), expected_version: int | None = None) -> ProgressUpdate:
    """Report progress: percent, text, milestones ticked and attachments, in one step."""
    require_party(actor, task, Party.LEAD, "报送进度")
    if not 0 <= int(percent) <= 100:
        raise ValidationError("完成进度应在 0–100 之间。")
    if not text.strip():
        raise ValidationError("请填写进展情况。")
    if files:
        from chuangwen.attachments.services import validate_upload

        for f in files:
            validate_upload(f)
    with transaction.atomic():
        locked = lock_task(task, expected_version)
        if locked.status == TaskStatus.SIGNED:
            locked = _transition(locked, "start", actor, locked=locked)
        if locked.status != TaskStatus.IN_PROGRESS:
            raise ValidationError(f"任务当前为“{locked.get_status_display()}”,不能报送进度。")
        update = ProgressUpdate.objects.create(task=locked, percent=int(percent), text=text.strip(),
                                               problems=problems.strip(), next_steps=next_steps.strip(),
                                               reported_by=actor)
        ticked = []
        if milestones_done:
            ids = {m.pk if isinstance(m, Milestone) else int(m) for m in milestones_done}
            if len(ids) != locked.milestones.filter(pk__in=ids).count():
                raise ValidationError("所选节点不属于该任务。")
            open_ms = locked.milestones.filter(pk__in=ids, done_at__isnull=True)
            ticked = [m.title for m in open_ms]
            open_ms.update(done_at=timezone.now(), done_by=actor)
        before = locked.progress
        locked.progress = int(percent)
        locked.last_update_at = update.reported_at
        bump(locked, ["progress", "last_update_at"])
        if files:
            from chuangwen.attachments.services import attachments_store

            attachments_store(files, owner_kind=ATTACHMENT_KIND, owner_id=update.pk, actor=actor)
        note = f"进度 {percent}%:{text.strip()}" + (f";完成节点:{'、'.join(ticked)}" if ticked else "")
        event(locked, TaskEventKind.PROGRESS, actor, note=note)
        record("task.progress", actor=actor, obj=locked, changes={"progress": [before, int(percent)],
                                                                  **({"milestones": [None, ticked]} if ticked else {})})
    return update


def milestone_tick(*, milestone: Milestone, actor) -> Milestone:
    task = milestone.task
    require_party(actor, task, Party.LEAD, "确认节点完成")
    with transaction.atomic():
        locked = lock_task(task)
        if locked.status not in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS):
            raise ValidationError(f"任务当前为“{locked.get_status_display()}”,不能确认节点。")
        m = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if m.done_at is not None:
            raise ValidationError("该节点已确认完成。")
        m.done_at, m.done_by = timezone.now(), actor
        m.save(update_fields=["done_at", "done_by"])
        bump(locked, [])
        event(locked, TaskEventKind.MILESTONE, actor, note=m.title)
        record("task.milestone", actor=actor, obj=locked, changes={"milestone": [None, m.title]})
    return m


def progress_prefill(task: Task) -> dict:
    """The last report pre-fills the next (enter each fact once)."""
    last = task.updates.first()
    if last is None:
        return {"percent": task.progress}
    return {"percent": last.percent, "text": last.text, "problems": last.problems, "next_steps": last.next_steps}
