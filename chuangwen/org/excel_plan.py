"""Reading and checking an organisation workbook (the first half of org.excel's import):
every row of every sheet is checked and its action decided ("create", "update" or "none")
without writing anything.  Units are named by code, by full path or by a name that is unique."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from chuangwen.accounts.permissions import has_verb
from chuangwen.lib.xlsx_read import read_workbook

from .models import Post, Unit, UnitKind
from .selectors import people_visible_to, units_visible_to

UNIT_SHEET, PERSON_SHEET, POST_SHEET = "单位", "人员", "任职"
UNIT_COLUMNS = ("单位编码", "单位名称", "类别", "上级单位", "简称", "排序", "地址")
PERSON_COLUMNS = ("用户名", "姓名")
POST_COLUMNS = ("用户名", "单位", "职务", "一把手", "联络员", "任职起", "任职止")
SHEETS = ((UNIT_SHEET, UNIT_COLUMNS), (PERSON_SHEET, PERSON_COLUMNS), (POST_SHEET, POST_COLUMNS))
SHEET_VERBS = {UNIT_SHEET: "unit.manage", PERSON_SHEET: "user.manage", POST_SHEET: "post.manage"}
KIND_BY_LABEL = {label: value for value, label in UnitKind.choices}
YES, NO = {"是", "Y", "y", "1", "TRUE", "true"}, {"", "否", "N", "n", "0", "FALSE", "false"}
UNIT_FIELDS = ("name", "kind", "short_name", "sort_order", "address")


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        return f"{self.sheet} 第 {self.row} 行“{self.column}”:{self.message}"


@dataclass
class ImportPlan:
    """Checked rows; each carries `action`: "create", "update" or "none"."""

    units: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def changes(self, sheet: str) -> int:
        rows = {UNIT_SHEET: self.units, PERSON_SHEET: self.people, POST_SHEET: self.posts}[sheet]
        return sum(r["action"] != "none" for r in rows)


def people_scope(user):
    """People the user may list (and match rows against): all for the account administrator."""
    return get_user_model().objects.all() if has_verb(user, "user.manage") else people_visible_to(user)


def _parse_date(text: str) -> date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _UnitResolver:
    """A unit reference is a code, a full path (上川市/城东区/和平社区) or a name that is unique;
    units are those the importer sees, plus those this file creates."""

    def __init__(self, visible, planned: dict[str, dict]):
        self.visible = visible.filter(abolished_at__isnull=True)
        self.all_visible = visible
        self.planned = planned  # code -> planned row
        self.planned_paths: dict[str, str] = {}  # full path of a planned row -> code

    def _existing(self, **lookup) -> list[tuple[str, str]]:
        return list(self.visible.filter(**lookup).values_list("full_name", "code")[:10])

    def resolve(self, ref: str) -> tuple[str | None, str | None]:
        if ref in self.planned:
            return ref, None
        if self.all_visible.filter(code=ref).exists():
            return ref, None
        if "/" in ref:
            found = {code for _, code in self._existing(full_name=ref)}
            if ref in self.planned_paths:
                found.add(self.planned_paths[ref])
            if len(found) == 1:
                return found.pop(), None
            if found:
                return None, f"“{ref}”对应多个单位({'、'.join(sorted(found))}),请填写单位编码。"
        name = ref.rsplit("/", 1)[-1]
        candidates = self._existing(name=name) + [
            (path, code) for path, code in self.planned_paths.items() if path.rsplit("/", 1)[-1] == name
        ]
        if "/" not in ref and len(candidates) == 1:
            return candidates[0][1], None
        if candidates:
            listed = ";".join(f"{full}({code})" for full, code in sorted(candidates))
            return None, f"“{ref}”对应多个单位或不完整:{listed},请填写单位编码或完整路径。"
        return None, f"找不到单位“{ref}”。"


def plan_import(data: bytes, actor) -> ImportPlan:
    """Read and check the whole file; nothing is written."""
    plan = ImportPlan()
    try:
        sheets = read_workbook(data)
    except ValidationError as exc:
        plan.errors.append(RowError("文件", 0, "", ";".join(exc.messages)))
        return plan
    if not any(s in sheets for s in SHEET_VERBS):
        message = f"须包含“{UNIT_SHEET}”“{PERSON_SHEET}”“{POST_SHEET}”中的至少一个工作表。"
        plan.errors.append(RowError("文件", 0, "工作表", message))
        return plan
    for title, columns in SHEETS:
        if title in sheets:
            missing = [c for c in columns[:2] if c not in sheets[title].header]
            if missing:
                plan.errors.append(RowError(title, 1, "表头", f"缺少列:{'、'.join(missing)}"))
    if plan.errors:
        return plan
    rows = {title: sheets[title].rows if title in sheets else [] for title, _ in SHEETS}
    resolver = _UnitResolver(units_visible_to(actor), {})
    _plan_units(rows[UNIT_SHEET], plan, resolver)
    people = {p.username: p for p in people_scope(actor).filter(
        username__in=[r.get("用户名", "") for _, r in rows[PERSON_SHEET] + rows[POST_SHEET]])}
    _plan_people(rows[PERSON_SHEET], plan, people)
    _plan_posts(rows[POST_SHEET], plan, resolver, people)
    return plan


def _plan_units(rows, plan: ImportPlan, resolver: _UnitResolver) -> None:
    planned = resolver.planned
    for number, row in rows:
        err = lambda col, msg, n=number: plan.errors.append(RowError(UNIT_SHEET, n, col, msg))  # noqa: E731
        code, name = row.get("单位编码", ""), row.get("单位名称", "")
        if not code:
            err("单位编码", "不能为空。")
            continue
        if code in planned:
            err("单位编码", f"与第 {planned[code]['row']} 行重复。")
            continue
        if len(code) > 32:
            err("单位编码", "不能超过 32 个字符。")
        if not name:
            err("单位名称", "不能为空。")
        elif len(name) > 100:
            err("单位名称", "不能超过 100 个字符。")
        kind = KIND_BY_LABEL.get(row.get("类别", ""))
        if kind is None:
            err("类别", f"“{row.get('类别', '')}”不是有效类别,可选:{'、'.join(KIND_BY_LABEL)}。")
        order = row.get("排序", "") or "0"
        if not order.isdigit():
            err("排序", "须为非负整数。")
        planned[code] = {
            "row": number, "code": code, "name": name, "kind": kind, "parent_ref": row.get("上级单位", ""),
            "short_name": row.get("简称", "")[:40], "sort_order": int(order) if order.isdigit() else 0,
            "address": row.get("地址", "")[:200],
        }
    existing = {u.code: u for u in resolver.all_visible.filter(code__in=planned).select_related("parent")}
    for code, unit in planned.items():
        unit["parent_code"], ref = None, unit["parent_ref"]
        if ref:
            parent_code, problem = resolver.resolve(ref)
            if problem:
                plan.errors.append(RowError(UNIT_SHEET, unit["row"], "上级单位", problem))
            elif parent_code == code:
                plan.errors.append(RowError(UNIT_SHEET, unit["row"], "上级单位", "不能是本单位。"))
            unit["parent_code"] = parent_code
        unit["action"] = _unit_action(unit, existing.get(code), plan)
    plan.units = _order_parents_first(planned, plan)
    # Full paths of the units as they will be, so posts may name a new unit by its path.
    full: dict[str, str] = {}
    for unit in plan.units:
        parent = unit["parent_code"]
        before = existing.get(unit["code"])
        if parent is None and before is not None and before.parent_id:
            parent_full = before.parent.full_name
        elif parent is None:
            parent_full = ""
        else:
            parent_full = full.get(parent) or resolver.all_visible.filter(code=parent).values_list(
                "full_name", flat=True).first() or ""
        full[unit["code"]] = f"{parent_full}/{unit['name']}" if parent_full else unit["name"]
        resolver.planned_paths[full[unit["code"]]] = unit["code"]


def _unit_action(row: dict, unit: Unit | None, plan: ImportPlan) -> str:
    if unit is None:
        return "create"
    changed = any(getattr(unit, f) != row[f] for f in UNIT_FIELDS)
    parent_code = unit.parent.code if unit.parent_id else None
    moved = row["parent_code"] is not None and parent_code != row["parent_code"]
    if (changed or moved) and not unit.is_active:
        plan.errors.append(RowError(UNIT_SHEET, row["row"], "单位编码", "该单位已撤销,不能修改。"))
    return "update" if changed or moved else "none"


def _plan_people(rows, plan: ImportPlan, people: dict) -> None:
    field_ = get_user_model()._meta.get_field("username")
    seen: dict[str, int] = {}
    for number, row in rows:
        username, full_name = row.get("用户名", ""), row.get("姓名", "")
        if not username:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", "不能为空。"))
            continue
        if username in seen:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", f"与第 {seen[username]} 行重复。"))
            continue
        seen[username] = number
        try:
            field_.run_validators(username)
            field_.clean(username, None)
        except ValidationError:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", "只能包含字母、数字和 @/./+/-/_,且不超过 150 个字符。"))
        if not full_name or len(full_name) > 60:
            plan.errors.append(RowError(PERSON_SHEET, number, "姓名", "不能为空,且不超过 60 个字符。"))
        person = people.get(username)
        action = "create" if person is None else ("update" if person.full_name != full_name else "none")
        plan.people.append({"row": number, "username": username, "full_name": full_name, "action": action})


def _plan_posts(rows, plan: ImportPlan, resolver: _UnitResolver, people: dict) -> None:
    known = set(people) | {r["username"] for r in plan.people}
    seen: dict[tuple, int] = {}
    for number, row in rows:
        err = lambda col, msg, n=number: plan.errors.append(RowError(POST_SHEET, n, col, msg))  # noqa: E731
        username = row.get("用户名", "")
        if username not in known:
            err("用户名", f"人员“{username}”不存在,请先在“人员”表中列出。")
        unit_code, problem = resolver.resolve(row["单位"]) if row.get("单位") else (None, "不能为空。")
        if problem:
            err("单位", problem)
        title = row.get("职务", "")
        if not title or len(title) > 60:
            err("职务", "不能为空,且不超过 60 个字符。")
        flags = {}
        for col in ("一把手", "联络员"):
            if row.get(col, "") not in YES | NO:
                err(col, "请填写“是”或“否”。")
            flags[col] = row.get(col, "") in YES
        dates = {}
        for col in ("任职起", "任职止"):
            try:
                dates[col] = _parse_date(row.get(col, ""))
            except ValueError:
                err(col, "日期格式应为 2026-01-31。")
                dates[col] = None
        if dates["任职起"] and dates["任职止"] and dates["任职止"] < dates["任职起"]:
            err("任职止", "不能早于任职起日期。")
        post = {
            "row": number, "username": username, "unit_code": unit_code, "title": title,
            "is_head": flags["一把手"], "is_liaison": flags["联络员"],
            "valid_from": dates["任职起"] or timezone.localdate(), "valid_to": dates["任职止"], "action": "create",
        }
        key = (username, unit_code, title, post["valid_from"])
        if key in seen:
            err("职务", f"与第 {seen[key]} 行是同一任职。")
            continue
        seen[key] = number
        existing = None
        if username in people and unit_code and not problem:
            existing = Post.objects.filter(person=people[username], unit__code=unit_code, title=title,
                                           valid_from=post["valid_from"]).first()
        if existing is not None:
            post["action"] = _post_action(post, existing, err)
        plan.posts.append(post)


def _post_action(row: dict, post: Post, err) -> str:
    if (post.is_head, post.is_liaison) != (row["is_head"], row["is_liaison"]):
        err("一把手", "已有任职的一把手、联络员标记不能修改;请填写任职止日期结束原任职,再新增一行。")
    if post.valid_to is not None and row["valid_to"] != post.valid_to:
        err("任职止", f"该任职已于 {post.valid_to:%Y-%m-%d} 结束,不能修改。")
    return "update" if row["valid_to"] and post.valid_to is None else "none"


def _order_parents_first(planned: dict[str, dict], plan: ImportPlan) -> list[dict]:
    ordered, placed, visiting = [], set(), set()

    def place(code):
        if code in placed or code not in planned:
            return
        if code in visiting:
            plan.errors.append(RowError(UNIT_SHEET, planned[code]["row"], "上级单位", "上下级关系形成循环。"))
            return
        visiting.add(code)
        place(planned[code].get("parent_code"))
        visiting.discard(code)
        placed.add(code)
        ordered.append(planned[code])

    for code in planned:
        place(code)
    return ordered
