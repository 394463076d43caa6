"""Applying a checked 任务分解表 (the second half of the import): in one transaction, through the
task services, so the five-fixes rules, the timeline and the audit apply as on the pages."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record

from .. import services
from ..models import Plan, Task, TaskStatus
from .check import Row, RowError, check_file


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    incomplete: int = 0  # drafts written whose five fixes are not yet in place

    @property
    def summary(self) -> str:
        text = f"导入完成:新增{self.created}条,更新{self.updated}条,未变{self.unchanged}条。"
        if self.incomplete:
            text += f"其中{self.incomplete}条草拟任务五定尚未到位,补齐后才能下达。"
        return text


class ImportRejected(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


def import_tasks(*, data: bytes, plan: Plan, actor, filename: str = "") -> ImportResult:
    """Check the whole file, then apply it in one transaction; raise ImportRejected with every
    row error if anything is wrong (nothing is changed then)."""
    require_verb(actor, "task.manage")
    checked = check_file(data, plan=plan, actor=actor)
    if checked.errors:
        raise ImportRejected(checked.errors)
    result = ImportResult(unchanged=checked.count("none"))
    current: Row | None = None
    try:
        with transaction.atomic():
            written: dict[str, Task] = {}
            for current in checked.rows:
                task = _apply(current, plan, actor, written)
                written[current.key] = task
                if current.action != "none" and task.status == TaskStatus.DRAFT:
                    result.incomplete += bool(services.missing_fixes(task))
            result.created, result.updated = checked.count("create"), checked.count("update")
            record("task.import", actor=actor, obj=plan, changes={
                "file": [None, filename[:200]], "created": [None, result.created],
                "updated": [None, result.updated], "unchanged": [None, result.unchanged],
            })
    except (ValidationError, PermissionDenied, IntegrityError) as exc:
        # A rule only the service (or the database) knows; the row being written is the culprit.
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            messages = [f"{_label(name)}:{m}" for name, errors in exc.message_dict.items() for m in errors]
        elif isinstance(exc, ValidationError):
            messages = exc.messages
        elif isinstance(exc, PermissionDenied):
            messages = [str(exc) or "没有权限。"]
        else:
            messages = ["与现有数据冲突(重复或违反约束)。"]
        row = current.row if current is not None else 0
        raise ImportRejected([RowError(row, "", m) for m in messages]) from exc
    return result


def _apply(row: Row, plan: Plan, actor, written: dict[str, Task]) -> Task:
    if row.action == "none":
        return row.task
    if row.action == "update":
        changes = dict(row.changes)
        return services.task_update(task=row.task, actor=actor, expected_version=row.task.version,
                                    cooperating_units=changes.pop("cooperating_units", None),
                                    milestones=changes.pop("milestones", None), **changes)
    parent = written[row.parent_key] if row.parent_key else row.parent
    if parent is not None:
        # The parent may have been written by this file a moment ago: its lead unit is current.
        parent = Task.objects.select_related("lead_unit").get(pk=parent.pk)
    return services.task_create(plan=plan, actor=actor, parent=parent, code=row.code,
                                cooperating_units=row.cooperating, milestones=row.milestones or (),
                                **row.fields)


def _label(name: str) -> str:
    try:
        return str(Task._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - "__all__" and other non-field keys
        return "任务"
