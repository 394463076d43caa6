"""Checking a 任务分解表 (the first half of the import): every row is parsed, its units, people,
policy and parent resolved and its action decided ("create", "update" or "none") without
writing anything, so one bad row stops the file before the first write.

A row's 任务编号 is a task code when it looks like one (letters, digits and "-", e.g. 2026-001)
or names an existing task; anything else (1, 1.2, 一) is a 序号: the row is new and its code is
generated when it is written.  Rows with a code are written before rows with a 序号, so a
generated code never takes a code the file names further down.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from chuangwen.lib.xlsx_read import read_workbook
from chuangwen.org.models import WorkGroup

from ..models import Plan, RewardPolicy, Task, TaskStatus
from ..permissions import is_party
from ..selectors import tasks_visible_to
from ..services.plans import LIVE_EDITABLE, LIVE_EDITABLE_STATUSES
from ..transitions import Party
from .cells import (
    CODE_ALIASES,
    COLUMNS,
    LIST_SPLIT,
    MAX_ROWS,
    REQUIRED,
    TITLE_FROM_CONTENT,
    PersonResolver,
    UnitResolver,
    clean_text,
    looks_like_code,
    milestone_key,
    named,
    parse_date,
    parse_milestones,
    parse_points,
)


@dataclass
class RowError:
    row: int  # Excel row number; 0 for the file as a whole
    column: str
    message: str

    def __str__(self):
        return f"第{self.row}行:{self.message}" if self.row else self.message


@dataclass
class Row:
    """One checked row.  `fields` holds the values of Task fields the file gives; `cooperating`
    and `milestones` are None when their column is absent (left as they are)."""

    row: int
    key: str
    code: str = ""  # "" → generated on write
    parent_key: str = ""  # the key of the parent's row in this file
    parent: Task | None = None  # an existing parent not in this file
    fields: dict = field(default_factory=dict)
    cooperating: list | None = None
    milestones: list | None = None
    task: Task | None = None  # the existing task of this code
    action: str = "create"
    changes: dict = field(default_factory=dict)  # for "update": what to pass to task_update


@dataclass
class CheckedFile:
    """The rows in the order they are to be written (parents first), or the errors."""

    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)


# --- the check ---------------------------------------------------------------------------------


def check_file(data: bytes, *, plan: Plan, actor) -> CheckedFile:
    """Read and check the whole file against `plan`; nothing is written."""
    result = CheckedFile()
    try:
        sheets = read_workbook(data)
    except ValidationError as exc:
        result.errors.append(RowError(0, "", ";".join(exc.messages)))
        return result
    sheet, code_column, missing = None, None, None
    for candidate in sheets.values():
        found = next((c for c in CODE_ALIASES if c in candidate.header), None)
        lacking = [c for c in REQUIRED if c not in candidate.header]
        if found and not lacking:
            sheet, code_column = candidate, found
            break
        if missing is None:
            missing = ([] if found else ["任务编号(或序号)"]) + lacking
    if sheet is None:
        message = "找不到任务分解表:表头须在第一行"
        message += f",缺少列:{'、'.join(missing)}。" if missing else "。"
        result.errors.append(RowError(0, "表头", message + "可先下载模板。"))
        return result
    if not sheet.rows:
        result.errors.append(RowError(0, "", f"工作表“{sheet.title}”中没有任务(表头下没有内容)。"))
        return result
    if len(sheet.rows) > MAX_ROWS:
        result.errors.append(RowError(0, "", f"一次最多导入 {MAX_ROWS} 行,请拆分后再导入。"))
        return result
    _Checker(plan, actor, sheet.header, code_column, result).run(sheet.rows)
    result.errors.sort(key=lambda e: e.row)  # stable: a row's errors keep the order of its columns
    return result


class _Checker:
    """One pass over the rows: read each on its own, then link parents, order, and decide."""

    def __init__(self, plan, actor, header, code_column, result: CheckedFile):
        self.plan, self.actor, self.result = plan, actor, result
        self.code_column = code_column
        self.has = {c: c in header for c in COLUMNS}
        self.units = UnitResolver(actor)
        self.people = PersonResolver()
        self.policies = list(RewardPolicy.objects.order_by("code"))
        self.groups = list(WorkGroup.objects.order_by("sort_order", "id"))
        self.rows: dict[str, Row] = {}  # key -> row, in file order
        self.by_code: dict[str, Row] = {}

    def err(self, row: int, column: str, message: str) -> None:
        self.result.errors.append(RowError(row, column, message))

    def run(self, raw_rows) -> None:
        refs = {r.get(col, "") for _, r in raw_rows for col in (self.code_column, "上级任务编号")}
        existing = Task.objects.filter(code__in=refs - {""}).select_related(
            "plan", "parent", "issuing_unit", "lead_unit", "responsible_person", "policy", "work_group")
        self.existing = {t.code: t for t in existing.prefetch_related("cooperating_units", "milestones")}
        visible = tasks_visible_to(self.actor).filter(code__in=list(self.existing))
        self.visible = set(visible.values_list("code", flat=True))
        parents = {}
        for number, cells in raw_rows:
            row = self.read(number, cells)
            if row is not None:
                parents[row.key] = cells.get("上级任务编号", "")
        for row in self.rows.values():
            self.link_parent(row, parents[row.key])
        prefixes = {p for r in self.rows.values() if r.code and r.task is None for p in _prefixes(r.code)}
        taken = Task.objects.filter(code__in=prefixes).values_list("code", flat=True)
        self.taken = set(self.by_code) | set(taken)
        ordered = self.order()
        for row in ordered:
            self.decide(row)
        self.result.rows = ordered

    # one row, on its own

    def read(self, number: int, cells: dict) -> Row | None:
        err = lambda col, msg: self.err(number, col, msg)  # noqa: E731
        key = cells.get(self.code_column, "")
        if not key:
            err(self.code_column, f"{self.code_column}不能为空:已有任务填任务编号,新任务可填序号。")
            return None
        if key in self.rows:
            err(self.code_column, f"{self.code_column}“{key}”与第{self.rows[key].row}行重复。")
            return None
        row = Row(row=number, key=key)
        self.rows[key] = row
        task = self.existing.get(key)
        if task is not None:
            row.code, row.task = key, task
            if key not in self.visible:
                err(self.code_column, f"任务编号“{key}”已被其他任务使用。")
                row.action = "skip"
            elif task.plan_id != self.plan.pk:
                err(self.code_column, f"任务{key}属于工作方案“{task.plan}”,不能导入到本方案。")
                row.action = "skip"
        elif looks_like_code(key):
            row.code = key
        if row.code:
            self.by_code[row.code] = row
        f = row.fields
        f["content"] = content = cells.get("任务内容", "")
        if task is None and not content:
            err("任务内容", "任务内容不能为空。")
        title = cells.get("任务名称", "")
        if not title and (task is None or self.has["任务名称"]):
            # No name given: the start of the content, as the 任务分解表 has no separate name.
            title = " ".join(content.split())[:TITLE_FROM_CONTENT]
        if title:
            f["title"] = title
        if len(title) > 200:
            err("任务名称", "任务名称不能超过 200 个字。")
        if self.has["对应测评标准"]:
            f["standard"] = cells.get("对应测评标准", "")
        f["criteria"] = cells.get("考评标准", "")
        self.read_units(row, cells, err)
        self.read_values(row, cells, err)
        return row

    def read_units(self, row: Row, cells: dict, err) -> None:
        # A value that does not resolve is left out of `fields`: its row error says enough, and
        # comparing it as "empty" would add a second, misleading one.
        lead = None
        if cells.get("牵头单位"):
            lead, problem = self.units.resolve(cells["牵头单位"], "牵头单位")
            if problem:
                err("牵头单位", problem)
        if lead is not None or not cells.get("牵头单位"):
            row.fields["lead_unit"] = lead
        coop, seen = [], set()
        for ref in (p.strip() for p in LIST_SPLIT.split(cells.get("配合单位", ""))):
            if not ref:
                continue
            unit, problem = self.units.resolve(ref, "配合单位")
            if problem:
                err("配合单位", problem)
            elif unit.pk not in seen:
                seen.add(unit.pk)
                coop.append(unit)
        row.cooperating = coop
        ref, task = cells.get("责任人", ""), row.task
        if not ref:
            return
        same_unit = task is not None and (lead is None or lead.pk == task.lead_unit_id)
        if same_unit and task.responsible_person_id and ref in (
                task.responsible_person.username, task.responsible_person.full_name, task.responsible_name):
            # Unchanged, whether or not the person still holds the post.
            row.fields["responsible_person"] = task.responsible_person
        elif lead is None:
            if not cells.get("牵头单位"):
                err("责任人", "请先填写牵头单位,责任人须在牵头单位任职。")
        else:
            person, problem = self.people.resolve(ref, lead)
            if problem:
                err("责任人", problem)
            row.fields["responsible_person"] = person

    def read_values(self, row: Row, cells: dict, err) -> None:
        f = row.fields
        try:
            f["deadline"] = parse_date(cells.get("完成时限", ""))
        except ValueError:
            err("完成时限", f"完成时限“{cells['完成时限']}”不是有效日期,"
                "应如 2026-10-30、2026/10/30 或 2026年10月30日。")
        try:
            f["points"] = parse_points(cells.get("分值", ""))
        except ValueError as exc:
            err("分值", f"分值“{cells['分值']}”{exc}。")
        catalogues = (("奖惩规则", "policy", self.policies), ("工作组", "work_group", self.groups))
        for column, name, items in catalogues:
            if not self.has[column]:
                continue
            value, problem = named(items, cells[column], column) if cells.get(column) else (None, "")
            if problem:
                err(column, problem)
            else:
                f[name] = value
        if self.has["节点"]:
            try:
                row.milestones = parse_milestones(cells.get("节点", ""))
            except ValueError as exc:
                err("节点", str(exc))
                row.milestones = []
        deadline = f.get("deadline")
        for m in row.milestones or ():
            if deadline and m["due"] > deadline:
                err("节点", f"节点“{m['title']}”的日期({m['due']})不能晚于完成时限({deadline})。")

    # rows together

    def link_parent(self, row: Row, ref: str) -> None:
        if not self.has["上级任务编号"]:
            return
        err = lambda col, msg: self.err(row.row, col, msg)  # noqa: E731
        if row.task is not None:
            current = row.task.parent.code if row.task.parent_id else ""
            if ref != current:
                err("上级任务编号", f"任务{row.key}的上级任务是“{current or '无'}”,不能通过导入调整。")
            return
        if not ref:
            return
        parent_row = self.rows.get(ref) or self.by_code.get(ref)
        if parent_row is not None and parent_row is not row:
            row.parent_key = parent_row.key
            parent_code, existing = parent_row.code, parent_row.task
        elif ref in self.existing and ref in self.visible and self.existing[ref].plan_id == self.plan.pk:
            row.parent = existing = self.existing[ref]
            parent_code = ref
        else:
            err("上级任务编号", f"上级任务“{ref}”不在本文件中,也不是本方案已有的任务。")
            return
        if existing is not None and existing.status in (TaskStatus.CANCELLED, TaskStatus.ACCEPTED):
            status = existing.get_status_display()
            err("上级任务编号", f"上级任务{existing.code}{status},不能再增加下级任务。")
        if row.code and not parent_code:
            err(self.code_column, f"上级任务(第{parent_row.row}行)尚无任务编号,"
                "下级任务请填写序号,编号将自动生成。")
        elif row.code and not row.code.startswith(f"{parent_code}-"):
            err(self.code_column, f"下级任务的编号须以上级任务编号加“-”开头,如 {parent_code}-01。")

    def order(self) -> list[Row]:
        """Parents before children; rows with a code before rows whose code is generated."""
        ordered, placed, visiting = [], set(), set()

        def place(row: Row):
            if row.key in placed:
                return
            if row.key in visiting:
                self.err(row.row, "上级任务编号", "上下级关系形成循环。")
                return
            visiting.add(row.key)
            if row.parent_key:
                place(self.rows[row.parent_key])
            visiting.discard(row.key)
            placed.add(row.key)
            ordered.append(row)

        for row in sorted(self.rows.values(), key=lambda r: not r.code):
            place(row)
        return ordered

    def decide(self, row: Row) -> None:
        err = lambda col, msg: self.err(row.row, col, msg)  # noqa: E731
        if row.action == "skip":
            return
        if row.task is None:
            self.check_new(row, err)
        else:
            self.check_existing(row, err)
        if row.action == "none":
            return
        parent_deadline = None
        if row.parent_key:
            parent_deadline = self.rows[row.parent_key].fields.get("deadline")
        elif row.parent is not None or (row.task is not None and row.task.parent_id):
            parent_deadline = (row.parent or row.task.parent).deadline
        deadline = row.fields.get("deadline", row.task.deadline if row.task else None)
        if deadline and parent_deadline and deadline > parent_deadline:
            err("完成时限", f"完成时限({deadline})不能晚于上级任务的完成时限({parent_deadline})。")

    def check_new(self, row: Row, err) -> None:
        if row.code and not (row.parent_key or row.parent) and self.prefix_taken(row.code):
            err(self.code_column, f"编号“{row.code}”形如已有任务的下级任务编号,"
                "请填写上级任务编号或换一个编号。")
        lead = row.fields.get("lead_unit")
        for unit in filter(None, [lead, *row.cooperating]):
            if not unit.is_active:
                err("牵头单位" if unit == lead else "配合单位", f"单位“{unit.full_name}”已撤销。")
        policy = row.fields.get("policy")
        if policy is not None and not policy.is_active:
            err("奖惩规则", f"奖惩规则“{policy.code} {policy.name}”已停用,请另选。")
        if not (row.parent_key or row.parent):
            probe = Task(plan=self.plan, issuing_unit=self.plan.issuing_unit)
            if not is_party(self.actor, probe, Party.ISSUER):
                err(self.code_column, f"本方案的任务由“{self.plan.issuing_unit.name}”拟定,您不能代其拟定。")
            return
        if row.parent_key and "lead_unit" not in self.rows[row.parent_key].fields:
            return  # the parent's lead unit did not resolve: its own row error says so
        issuer = self.rows[row.parent_key].fields["lead_unit"] if row.parent_key else row.parent.lead_unit
        if issuer is None:
            err("上级任务编号", "上级任务没有牵头单位,不能为其拟定下级任务。")
        elif not is_party(self.actor, Task(plan=self.plan, issuing_unit=issuer), Party.ISSUER):
            err("上级任务编号", f"下级任务由上级任务的牵头单位“{issuer.name}”拟定和下达,您不能代其拟定。")

    def prefix_taken(self, code: str) -> bool:
        """True if `code` extends another task's code by "-…": the rollup would count it as that
        task's subtask (selectors.completion_of matches subtrees by code prefix)."""
        return any(p in self.taken for p in _prefixes(code))

    def check_existing(self, row: Row, err) -> None:
        task, f = row.task, row.fields
        changes = {}
        for name, value in f.items():
            before = getattr(task, name)
            same = clean_text(before) == value if isinstance(value, str) else before == value
            if not same:
                changes[name] = value
        if "lead_unit" in changes and f.get("responsible_person") is not None:
            changes["responsible_person"] = f["responsible_person"]
        before = {u.pk for u in task.cooperating_units.all()}
        if row.cooperating is not None and {u.pk for u in row.cooperating} != before:
            changes["cooperating_units"] = row.cooperating
        if row.milestones is not None and milestone_key(row.milestones) != milestone_key(
                {"title": m.title, "due": m.due} for m in task.milestones.all()):
            changes["milestones"] = row.milestones
        if not changes:
            row.action = "none"
            return
        row.action, row.changes = "update", changes
        if task.status != TaskStatus.DRAFT and task.status not in LIVE_EDITABLE_STATUSES:
            status = task.get_status_display()
            err(self.code_column, f"任务{task.code}{status},不能修改(修改了{_labels(changes)})。")
            return
        if task.status != TaskStatus.DRAFT:
            for name in changes:
                if name not in LIVE_EDITABLE:
                    err(_COLUMN_OF.get(name, name), _LIVE_REFUSALS.get(name, "已下达任务的该项不能修改。"))
        for name in ("lead_unit", "cooperating_units"):
            units = changes.get(name)
            for unit in (units if isinstance(units, list) else filter(None, [units])):
                if not unit.is_active:
                    err(_COLUMN_OF[name], f"单位“{unit.full_name}”已撤销。")
        policy = changes.get("policy")
        if policy is not None and not policy.is_active:
            err("奖惩规则", f"奖惩规则“{policy.code} {policy.name}”已停用,请另选。")
        if not is_party(self.actor, task, Party.ISSUER):
            err(self.code_column, f"任务{task.code}由“{task.issuing_unit.name}”交办,只有交办单位才能修改。")


def _prefixes(code: str) -> list[str]:
    parts = code.split("-")
    return ["-".join(parts[:i]) for i in range(1, len(parts))]


_COLUMN_OF = {
    "title": "任务名称", "content": "任务内容", "standard": "对应测评标准", "deadline": "完成时限",
    "lead_unit": "牵头单位", "responsible_person": "责任人", "criteria": "考评标准", "points": "分值",
    "policy": "奖惩规则", "work_group": "工作组", "cooperating_units": "配合单位", "milestones": "节点",
}
_LIVE_REFUSALS = {
    "deadline": "已下达任务的完成时限须通过延期申请调整,不能通过导入修改。",
    "lead_unit": "已下达任务的牵头单位不能修改;如需调整,请撤销后重新下达。",
    "responsible_person": "已下达任务的责任人不能修改。",
    "policy": "已下达任务的奖惩规则不能修改。",
    "cooperating_units": "已下达任务的配合单位不能通过导入修改。",
    "milestones": "已下达任务的节点不能通过导入修改。",
}


def _labels(changes: dict) -> str:
    return "、".join(_COLUMN_OF.get(k, k) for k in changes)
