"""Plans, the reward/penalty catalogue, drafting tasks and the five-fixes gate."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.org.selectors import current_head, linked_leaders

from ..models import Milestone, Plan, RewardPolicy, Task, TaskEventKind, TaskStatus
from ..permissions import require_party
from ..transitions import Party
from .common import StaleVersion, bump, event, lock_task

# Fields a draft may set; after issue, only those that do not move the deadline or the parties.
TASK_FIELDS = ("title", "content", "standard", "deadline", "lead_unit", "responsible_person", "linked_leader",
               "criteria", "points", "weight", "policy", "work_group", "source", "source_ref")
LIVE_EDITABLE = ("title", "content", "standard", "criteria", "points", "weight", "work_group", "source_ref")


# --- plans and the catalogue ---------------------------------------------------------------------


def plan_create(*, year: int, title: str, issuing_unit, actor, doc_number: str = "", goals: str = "",
                requires_signoff: bool = False, files=()) -> Plan:
    """A plan, with its document (the 方案 as issued, e.g. a PDF or .docx) attached."""
    require_verb(actor, "task.manage")
    with transaction.atomic():
        plan = Plan(year=year, title=title.strip(), doc_number=doc_number.strip(), goals=goals,
                    issuing_unit=issuing_unit, requires_signoff=requires_signoff, created_by=actor)
        plan.full_clean()
        plan.save()
        record("plan.create", actor=actor, obj=plan, changes={"title": [None, plan.title], "year": [None, year]})
        if files:
            from chuangwen.attachments.services import attachments_store

            attachments_store(files, owner_kind="tasks.plan", owner_id=plan.pk, actor=actor)
    return plan


def plan_update(*, plan: Plan, actor, expected_version: int | None = None, **fields) -> Plan:
    require_verb(actor, "task.manage")
    allowed = {"year", "title", "doc_number", "goals", "requires_signoff"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown plan fields {unknown}")
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion("该方案已被他人修改,请刷新后重试。")
        changes = {k: [getattr(locked, k), v] for k, v in fields.items() if getattr(locked, k) != v}
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.version += 1
        locked.full_clean()
        locked.save()
        if changes:
            record("plan.update", actor=actor, obj=locked, changes=changes)
    return locked


def policy_create(*, code: str, name: str, actor, on_early: str = "", on_time: str = "", on_overdue: str = "",
                  on_repeat_overdue: str = "", description: str = "") -> RewardPolicy:
    require_verb(actor, "task.manage")
    with transaction.atomic():
        policy = RewardPolicy(code=code.strip(), name=name.strip(), on_early=on_early, on_time=on_time,
                              on_overdue=on_overdue, on_repeat_overdue=on_repeat_overdue, description=description)
        policy.full_clean()
        policy.save()
        record("policy.create", actor=actor, obj=policy, changes={"name": [None, policy.name]})
    return policy


# --- drafting ------------------------------------------------------------------------------------


def next_code(plan: Plan) -> str:
    """The next free top-level code of a plan: <year>-<NNN>."""
    prefix = f"{plan.year}-"
    taken = Task.objects.filter(code__startswith=prefix, parent__isnull=True).values_list("code", flat=True)
    numbers = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def subtask_code(parent: Task) -> str:
    """A subtask's code is its parent's code plus "-NN": stable, and the subtree is one prefix."""
    prefix = f"{parent.code}-"
    taken = parent.subtasks.values_list("code", flat=True)
    numbers = [int(c[len(prefix):]) for c in taken if c.startswith(prefix) and c[len(prefix):].isdigit()]
    code = f"{prefix}{max(numbers, default=0) + 1:02d}"
    if len(code) > Task._meta.get_field("code").max_length:
        raise ValidationError(f"任务“{parent.code}”分解层级过深,下级任务编号将超过 40 个字符。")
    return code


def _fill_responsibility(task: Task) -> None:
    """定责任 defaults: the lead unit's current head and its nearest linked leader, as snapshots."""
    if task.lead_unit is not None and task.responsible_person is None:
        post = current_head(task.lead_unit)
        if post is not None:
            task.responsible_person = post.person
    if task.lead_unit is not None and task.linked_leader is None:
        leaders = linked_leaders(task.lead_unit)
        if leaders:
            task.linked_leader = leaders[0]
    task.responsible_name = task.responsible_person.full_name if task.responsible_person else ""
    task.linked_leader_name = task.linked_leader.full_name if task.linked_leader else ""


def _check_dates(task: Task, milestones=()) -> None:
    parent = task.parent
    if parent is not None and task.deadline and parent.deadline and task.deadline > parent.deadline:
        raise ValidationError(f"下级任务的完成时限({task.deadline})不能晚于上级任务的完成时限({parent.deadline})。")
    for m in milestones:
        if task.deadline and m["due"] > task.deadline:
            raise ValidationError(f"节点“{m['title']}”的时限({m['due']})不能晚于任务完成时限({task.deadline})。")


def task_create(*, plan: Plan, actor, issuing_unit=None, parent: Task | None = None, code: str = "",
                cooperating_units=(), milestones=(), **fields) -> Task:
    """A draft task.  `milestones`: [{"title", "due"}]."""
    issuing_unit = issuing_unit or (parent.lead_unit if parent else plan.issuing_unit)
    probe = Task(plan=plan, issuing_unit=issuing_unit, parent=parent)
    require_party(actor, probe, Party.ISSUER, "拟定任务")
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise ValueError(f"unknown task fields {unknown}")
    with transaction.atomic():
        task = Task(plan=plan, parent=parent, issuing_unit=issuing_unit, created_by=actor, **fields)
        task.code = code.strip() or (subtask_code(parent) if parent else next_code(plan))
        if Task.objects.filter(code=task.code).exists():
            raise ValidationError(f"任务编号“{task.code}”已存在。")
        if parent is not None and not task.work_group_id:
            task.work_group_id = parent.work_group_id
        _fill_responsibility(task)
        _check_dates(task, milestones)
        task.original_deadline = task.deadline
        task.full_clean(exclude=["cooperating_units"])
        task.save()
        if cooperating_units:
            task.cooperating_units.set(cooperating_units)
        Milestone.objects.bulk_create([Milestone(task=task, title=m["title"], due=m["due"]) for m in milestones])
        event(task, TaskEventKind.CREATE, actor, to_status=task.status)
        record("task.create", actor=actor, obj=task, changes={"title": [None, task.title],
                                                              "lead_unit": [None, str(task.lead_unit or "")]})
    return task


def task_update(*, task: Task, actor, expected_version: int | None, cooperating_units=None, milestones=None,
                **fields) -> Task:
    """Edit a task.  A draft takes every five-fixes field; after issue the deadline moves only by
    an approved extension and the parties do not change."""
    require_party(actor, task, Party.ISSUER, "修改任务")
    with transaction.atomic():
        locked = lock_task(task, expected_version)
        editable = TASK_FIELDS if locked.status == TaskStatus.DRAFT else LIVE_EDITABLE
        refused = set(fields) - set(editable)
        if locked.status not in (TaskStatus.DRAFT, *LIVE_EDITABLE_STATUSES):
            raise ValidationError(f"任务{locked.get_status_display()},不能修改。")
        if refused:
            raise ValidationError("任务已下达,完成时限须通过延期申请调整,责任单位和责任人不能修改。")
        changes = {}
        for k, v in fields.items():
            before = getattr(locked, k)
            if before != v:
                changes[k] = [str(before) if before is not None else None, str(v) if v is not None else None]
            setattr(locked, k, v)
        if locked.status == TaskStatus.DRAFT:
            if "lead_unit" in fields and "responsible_person" not in fields:
                locked.responsible_person = None
            if "lead_unit" in fields and "linked_leader" not in fields:
                locked.linked_leader = None
            _fill_responsibility(locked)
            locked.original_deadline = locked.deadline
        ms = milestones if milestones is not None else [{"title": m.title, "due": m.due} for m in locked.milestones.all()]
        _check_dates(locked, ms)
        bump(locked, [*fields, "responsible_name", "linked_leader_name", "responsible_person", "linked_leader",
                      "original_deadline"])
        if locked.status != TaskStatus.DRAFT and (cooperating_units is not None or milestones is not None):
            raise ValidationError("任务已下达,配合单位和节点不能修改。")
        if cooperating_units is not None:
            locked.cooperating_units.set(cooperating_units)
            changes["cooperating_units"] = [None, [str(u) for u in cooperating_units]]
        if milestones is not None:
            locked.milestones.all().delete()
            Milestone.objects.bulk_create([Milestone(task=locked, title=m["title"], due=m["due"]) for m in milestones])
            changes["milestones"] = [None, [f"{m['title']} {m['due']}" for m in milestones]]
        if changes:
            event(locked, TaskEventKind.UPDATE, actor, note="修改了" + "、".join(
                str(Task._meta.get_field(k).verbose_name) if k in TASK_FIELDS else {"cooperating_units": "配合单位",
                                                                                     "milestones": "节点"}[k]
                for k in changes))
            record("task.update", actor=actor, obj=locked, changes=changes)
    return locked


LIVE_EDITABLE_STATUSES = (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS)


def missing_fixes(task: Task, *, today: date | None = None) -> list[str]:
    """What stops the task from being issued (五定到位), in Chinese, one line per gap."""
    today = today or timezone.localdate()
    gaps = []
    if not task.title.strip() or not task.content.strip():
        gaps.append("定任务:请填写任务名称和任务内容。")
    if not task.standard.strip():
        gaps.append("定任务:请填写该任务对应的测评标准。")
    if task.deadline is None:
        gaps.append("定进度:请确定完成时限。")
    elif task.deadline < today:
        gaps.append(f"定进度:完成时限({task.deadline})已过,请重新确定。")
    elif task.parent_id and task.parent.deadline and task.deadline > task.parent.deadline:
        gaps.append("定进度:完成时限不能晚于上级任务。")
    if task.lead_unit_id is None:
        gaps.append("定责任:请确定牵头单位。")
    elif task.responsible_person_id is None:
        gaps.append("定责任:牵头单位没有在任一把手,请指定责任人。")
    if not task.criteria.strip() or task.points is None:
        gaps.append("定考评:请填写考评标准和分值。")
    if task.policy_id is None:
        gaps.append("定奖惩:请从奖惩规则目录中选择一项。")
    # Sign-off is the office director's check on what HQ issues; a unit decomposing its own
    # task issues the subtasks on its own authority.
    if task.parent_id is None and task.plan.requires_signoff and task.signed_off_at is None:
        gaps.append("审签:本方案的任务须经指挥部办公室主任审签后下达。")
    return gaps


def task_sign_off(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """审签 by the head of the issuing unit (the office director for HQ's tasks)."""
    require_party(actor, task, Party.ISSUER_HEAD, "审签")
    with transaction.atomic():
        locked = lock_task(task, expected_version)
        if locked.status != TaskStatus.DRAFT:
            raise ValidationError("只有草拟状态的任务需要审签。")
        locked.signed_off_by, locked.signed_off_at = actor, timezone.now()
        bump(locked, ["signed_off_by", "signed_off_at"])
        event(locked, TaskEventKind.SIGN_OFF, actor)
        record("task.sign_off", actor=actor, obj=locked)
    return locked


def weight_or_default(value) -> Decimal:
    return Decimal(value) if value not in (None, "") else Decimal(1)


POLICY_FIELDS = ("name", "on_early", "on_time", "on_overdue", "on_repeat_overdue", "description", "is_active")


def policy_update(*, policy: RewardPolicy, actor, **fields) -> RewardPolicy:
    """Edit a catalogue entry.  Entries are never deleted (tasks point at them): retire one with
    `is_active=False`, which takes it off the forms."""
    require_verb(actor, "task.manage")
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown policy fields {unknown}")
    with transaction.atomic():
        locked = RewardPolicy.objects.select_for_update().get(pk=policy.pk)
        changes = {k: [getattr(locked, k), v] for k, v in fields.items() if getattr(locked, k) != v}
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.full_clean()
        locked.save()
        if changes:
            record("policy.update", actor=actor, obj=locked, changes=changes)
    return locked
