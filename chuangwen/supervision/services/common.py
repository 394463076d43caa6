"""What the instruction and meeting services share: the year's plan for supervised tasks, the
split of an item into five-fixes tasks (through the task services), and the closure review."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.org.models import Unit, UnitKind
from chuangwen.org.services import StaleVersion
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import Plan, RewardPolicy, Task, TaskStatus

from ..models import ItemStatus, SourceTask

MANAGE = "supervision.manage"
# The five fixes a split proposes (the form shows them; HQ may change each).
DEFAULT_CRITERIA = "按期办结,经交办单位验收合格"
DEFAULT_POINTS = Decimal("2")
# 提前完成通报表扬;逾期未完成约谈;连续逾期问责: a leader's instruction is not a routine task.
DEFAULT_POLICY = "JC03"


def plan_title(year: int) -> str:
    return f"{year}年领导批示和会议议定事项"


def hq_unit() -> Unit:
    unit = Unit.objects.active().filter(kind=UnitKind.HQ).order_by("path").first()
    if unit is None:
        raise ValidationError("尚未设立指挥部办公室,不能分解督办任务。")
    return unit


def source_plan(year: int, *, actor) -> Plan:
    """The year's plan that holds the tasks split from instructions and decisions, created on
    first use through the task services.  Call inside a transaction."""
    hq = hq_unit()
    # Two clerks splitting the year's first item at once would each create a plan: the lock on
    # the HQ unit's row makes the second wait and find the first one's.
    Unit.objects.select_for_update().filter(pk=hq.pk).exists()
    title = plan_title(year)
    plan = Plan.objects.filter(year=year, title=title, issuing_unit=hq).order_by("id").first()
    if plan is None:
        plan = tasks.plan_create(year=year, title=title, issuing_unit=hq, actor=actor,
                                 goals="领导批示和会议议定事项分解形成的督办任务,办结情况记入督办台账。")
    return plan


def default_policy() -> RewardPolicy | None:
    active = RewardPolicy.objects.filter(is_active=True)
    return active.filter(code=DEFAULT_POLICY).first() or active.order_by("code").first()


@dataclass
class Fixes:
    """The five fixes of the tasks one split creates (one task per unit)."""

    deadline: date | None
    title: str
    content: str
    standard: str
    criteria: str = DEFAULT_CRITERIA
    points: Decimal | None = DEFAULT_POINTS
    policy: RewardPolicy | None = None
    work_group: object = None
    milestones: list = field(default_factory=list)


def check_units(units) -> list[Unit]:
    units = list(dict.fromkeys(u for u in units if u is not None))
    if not units:
        raise ValidationError("请选择承办单位。")
    inactive = [u for u in units if not u.is_active]
    if inactive:
        raise ValidationError("以下单位已撤销:" + "、".join(u.name for u in inactive))
    if any(u.kind == UnitKind.HQ for u in units):
        raise ValidationError("承办单位不能是指挥部办公室本身。")
    return units


def check_fixes(fixes: Fixes) -> None:
    if fixes.deadline is None:
        raise ValidationError("请确定完成时限。")
    if fixes.deadline < timezone.localdate():
        raise ValidationError(f"完成时限({fixes.deadline})不能早于今天。")
    if not fixes.title.strip() or not fixes.content.strip():
        raise ValidationError("请填写任务名称和任务内容。")


def split(*, links, units, fixes: Fixes, source: str, source_ref: str, year: int, link: dict, actor,
          issue: bool) -> list[Task]:
    """One task per unit, drafted (and issued, if `issue`) by HQ through the task services, each
    linked to its source.  Call inside the caller's transaction, with the source row locked;
    a refusal for any unit refuses them all."""
    units = check_units(units)
    check_fixes(fixes)
    taken = set(links.exclude(task__status=TaskStatus.CANCELLED).values_list("task__lead_unit_id", flat=True))
    again = [u for u in units if u.pk in taken]
    if again:
        raise ValidationError("以下单位已有本事项的任务:" + "、".join(u.name for u in again))
    plan = source_plan(year, actor=actor)
    policy = fixes.policy or default_policy()
    created = []
    for unit in units:
        try:
            task = tasks.task_create(
                plan=plan, actor=actor, title=fixes.title.strip()[:200], content=fixes.content.strip(),
                standard=fixes.standard.strip(), deadline=fixes.deadline, lead_unit=unit,
                criteria=fixes.criteria.strip(), points=fixes.points, policy=policy,
                work_group=fixes.work_group, source=source, source_ref=source_ref[:100],
                milestones=fixes.milestones,
            )
            SourceTask.objects.create(task=task, **link)
            if issue:
                task = tasks.task_issue(task=task, actor=actor)
        except ValidationError as exc:
            raise ValidationError([f"{unit.name}:{m}" for m in exc.messages]) from exc
        created.append(task)
    return created


def lock(item, expected_version: int | None, noun: str):
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(f"该{noun}已被他人修改,请刷新后重试。")
    return locked


def bump(item, fields: list[str]) -> None:
    item.version += 1
    item.save(update_fields=[*fields, "version"])


def close_item(item, *, actor, note: str, expected_version: int | None, noun: str):
    """办结: HQ's closure review, allowed only when every task the item spawned is accepted
    (cancelled ones aside, and at least one accepted).  The only code that writes `status`.
    Call inside the caller's transaction, after its verb check; returns the closed row and the
    changes for the caller's audit entry."""
    note = note.strip()
    if not note:
        raise ValidationError("请填写办结意见。")
    locked = lock(item, expected_version, noun)
    if locked.status == ItemStatus.CLOSED:
        raise ValidationError(f"该{noun}已办结。")
    live = locked.links.exclude(task__status=TaskStatus.CANCELLED)
    rows = list(live.values_list("task__code", "task__status"))
    if not rows:
        raise ValidationError(f"该{noun}尚未分解任务(或任务均已撤销),不能办结。")
    pending = [code for code, status in rows if status != TaskStatus.ACCEPTED]
    if pending:
        shown = "、".join(pending[:5]) + ("等" if len(pending) > 5 else "")
        raise ValidationError(f"尚有 {len(pending)} 项任务未验收({shown}),不能办结。")
    locked.status = ItemStatus.CLOSED
    locked.closed_at, locked.closed_by, locked.closing_note = timezone.now(), actor, note
    locked.full_clean()
    bump(locked, ["status", "closed_at", "closed_by", "closing_note"])
    changes = {"status": [ItemStatus.OPEN, ItemStatus.CLOSED], "note": [None, note], "tasks": [None, len(rows)]}
    return locked, changes
