"""The task ledger (任务台账) export and the empty 任务分解表 template: the import's columns, so a
ledger can be edited and imported again, plus status, colour and the latest report."""

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from chuangwen.accounts.permissions import require_verb
from chuangwen.audit.log import record
from chuangwen.org.models import Unit

from ..colours import Colour
from ..models import OPEN_STATUSES, Plan, ProgressUpdate, Task
from ..selectors import current_thresholds, tasks_visible_to, with_colour
from .cells import CODE, COLUMNS, format_milestones

SHEET = "任务分解表"
LEDGER_COLUMNS = (*COLUMNS, "状态", "督办颜色", "最近报送")
GUIDE = (
    (CODE, "已有任务填任务编号(按编号更新,不会重复新增);新任务可填序号 1、2、3…,编号自动生成。"),
    ("上级任务编号", "选填。填上级任务的编号或本表中的序号,本行即为其下级任务,由上级任务的牵头单位交办。"),
    ("任务名称", "选填。不填时取任务内容的前 30 个字。"),
    ("任务内容", "必填。"),
    ("对应测评标准", "选填。对应《全国文明城市测评体系》的条目。"),
    ("工作组", "选填。指挥部工作组的编码或名称。"),
    ("牵头单位", "单位编码或完整路径(如 某市/某区),名称唯一时也可只填名称。"),
    ("配合单位", "同牵头单位,多个用顿号“、”分隔。"),
    ("责任人", "牵头单位在职人员的姓名或账号。新任务不填时为牵头单位一把手;已有任务不填则保持不变。"),
    ("完成时限", "日期,如 2026-10-30、2026/10/30 或 2026年10月30日。已下达任务的时限须通过延期申请调整。"),
    ("节点", "选填。如“摸底排查:2026-10-10;集中整治:2026-10-25”。"),
    ("考评标准", "考评办法。"),
    ("分值", "不小于 0 的数字,最多两位小数。"),
    ("奖惩规则", "奖惩规则目录中的编号(如 JC01)或名称。"),
)


def ledger_rows(user, *, plan: Plan | None = None) -> list[tuple]:
    """The ledger of the tasks `user` sees (of one plan, or all), ordered by code: the import's
    columns, so the file can be edited and imported again, plus status, colour and the latest
    report.  A fixed number of queries whatever the number of tasks."""
    qs = tasks_visible_to(user)
    if plan is not None:
        qs = qs.filter(plan=plan)
    latest = ProgressUpdate.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-id")
    qs = (
        with_colour(qs, current_thresholds())
        .select_related("parent", "lead_unit", "work_group", "policy", "responsible_person")
        .prefetch_related(Prefetch("cooperating_units", queryset=Unit.objects.order_by("path")), "milestones")
        .annotate(last_at=Subquery(latest.values("reported_at")[:1]),
                  last_percent=Subquery(latest.values("percent")[:1]),
                  last_text=Subquery(latest.values("text")[:1]))
        .order_by("code")
    )
    return [_ledger_row(t) for t in qs.iterator(chunk_size=500)]


def _ledger_row(t: Task) -> tuple:
    person = t.responsible_name or (t.responsible_person.full_name if t.responsible_person_id else "")
    points = t.points
    if points is not None:
        points = int(points) if points == points.to_integral_value() else float(points)
    last = ""
    if t.last_at is not None:
        last = f"{timezone.localtime(t.last_at):%Y-%m-%d} 进度{t.last_percent}%:{t.last_text}"
    return (
        t.code, t.parent.code if t.parent_id else "", t.title, t.content, t.standard,
        t.work_group.name if t.work_group_id else "", t.lead_unit.full_name if t.lead_unit_id else "",
        "、".join(u.full_name for u in t.cooperating_units.all()), person, t.deadline,
        format_milestones(t.milestones.all()), t.criteria, points,
        f"{t.policy.code} {t.policy.name}" if t.policy_id else "",
        t.get_status_display(), Colour.LABELS.get(t.colour, "") if t.status in OPEN_STATUSES else "", last,
    )


def export_ledger(*, user, plan: Plan | None = None) -> list:
    """The ledger as sheets for lib.xlsx, with its audit entry."""
    require_verb(user, "task.export")
    rows = ledger_rows(user, plan=plan)
    record("task.export", actor=user, object_type="tasks.plan" if plan else "tasks.task",
           object_id=str(plan.pk) if plan else "", object_repr=str(plan) if plan else "任务台账(全部)",
           changes={"rows": [None, len(rows)], "plan": [None, plan.pk if plan else None]})
    return [(SHEET, LEDGER_COLUMNS, rows)]


def template_sheets() -> list:
    """An empty 任务分解表 and a sheet explaining each column (the import reads the first sheet
    whose header has the columns, so the explanations are never imported)."""
    return [(SHEET, COLUMNS, []), ("填写说明", ("列", "填写说明"), GUIDE)]
