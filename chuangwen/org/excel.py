"""Excel round trip of the organisation: units, people and posts in one workbook.

Import is all or nothing: every row of every sheet is checked first and errors are reported by
sheet, row and column in Chinese; only a file without errors is applied, in one transaction,
through the services (so every change is audited).  Re-importing updates by code/username
instead of creating duplicates.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangwen.accounts import services as account_services
from chuangwen.lib.xlsx_read import read_workbook

from . import services
from .models import Post, Unit, UnitKind
from .permissions import require

UNIT_SHEET, PERSON_SHEET, POST_SHEET = "单位", "人员", "任职"
UNIT_COLUMNS = ("单位编码", "单位名称", "类别", "上级单位", "简称", "排序", "地址")
PERSON_COLUMNS = ("用户名", "姓名")
POST_COLUMNS = ("用户名", "单位", "职务", "一把手", "联络员", "任职起", "任职止")
SHEET_VERBS = {UNIT_SHEET: "unit.manage", PERSON_SHEET: "user.manage", POST_SHEET: "post.manage"}
KIND_BY_LABEL = {label: value for value, label in UnitKind.choices}
YES, NO = {"是", "Y", "y", "1", "TRUE", "true"}, {"", "否", "N", "n", "0", "FALSE", "false"}


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
    units: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportResult:
    created: dict = field(default_factory=lambda: {"单位": 0, "人员": 0, "任职": 0})
    updated: dict = field(default_factory=lambda: {"单位": 0, "人员": 0, "任职": 0})


class ImportRejected(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


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
    """Find a unit by code (existing, or added by this file) or by the full path of an existing one."""

    def __init__(self, planned: dict[str, dict]):
        self.planned = planned  # code -> planned row (new or updated units in this file)

    def resolve(self, ref: str) -> tuple[str | None, str | None]:
        """(code, error) for a reference that is a code or a full path like 上川市/城东区/和平社区."""
        if ref in self.planned:
            return ref, None
        unit = Unit.objects.filter(code=ref).only("code").first()
        if unit:
            return unit.code, None
        by_path = list(Unit.objects.active().filter(full_name=ref).values_list("code", flat=True))
        if len(set(by_path)) == 1:
            return by_path[0], None
        if len(set(by_path)) > 1:
            return None, f"“{ref}”对应多个单位({'、'.join(sorted(set(by_path)))}),请填写单位编码。"
        name = ref.rsplit("/", 1)[-1]
        candidates = list(Unit.objects.active().filter(name=name).values_list("full_name", "code")[:5])
        if candidates:
            listed = ";".join(f"{full}({code})" for full, code in candidates)
            return None, f"找不到“{ref}”。同名单位有:{listed},请填写编码或完整路径。"
        return None, f"找不到单位“{ref}”。"


def plan_import(data: bytes) -> ImportPlan:
    sheets = read_workbook(data)
    plan = ImportPlan()
    if not any(s in sheets for s in SHEET_VERBS):
        plan.errors.append(RowError("文件", 1, "工作表", f"须包含“{UNIT_SHEET}”“{PERSON_SHEET}”“{POST_SHEET}”中的至少一个工作表。"))
        return plan
    for title, columns in ((UNIT_SHEET, UNIT_COLUMNS), (PERSON_SHEET, PERSON_COLUMNS), (POST_SHEET, POST_COLUMNS)):
        sheet = sheets.get(title)
        if sheet is None:
            continue
        missing = [c for c in columns[:2] if c not in sheet.header]
        if missing:
            plan.errors.append(RowError(title, 1, "表头", f"缺少列:{'、'.join(missing)}"))
    if plan.errors:
        return plan

    planned_units: dict[str, dict] = {}
    for number, row in sheets[UNIT_SHEET].rows if UNIT_SHEET in sheets else []:
        err = lambda col, msg, n=number: plan.errors.append(RowError(UNIT_SHEET, n, col, msg))  # noqa: E731
        code, name = row.get("单位编码", ""), row.get("单位名称", "")
        if not code:
            err("单位编码", "不能为空。")
            continue
        if len(code) > 32:
            err("单位编码", "不能超过 32 个字符。")
        if code in planned_units:
            err("单位编码", f"与第 {planned_units[code]['row']} 行重复。")
            continue
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
        planned_units[code] = {
            "row": number, "code": code, "name": name, "kind": kind, "parent_ref": row.get("上级单位", ""),
            "short_name": row.get("简称", "")[:40], "sort_order": int(order) if order.isdigit() else 0,
            "address": row.get("地址", "")[:200],
        }
    # Full paths of new units, so later rows (and posts) may name them by path.
    resolver = _UnitResolver(planned_units)
    for code, unit in planned_units.items():
        ref = unit["parent_ref"]
        if not ref:
            unit["parent_code"] = None
            continue
        parent_code, problem = resolver.resolve(ref)
        if problem:
            plan.errors.append(RowError(UNIT_SHEET, unit["row"], "上级单位", problem))
        elif parent_code == code:
            plan.errors.append(RowError(UNIT_SHEET, unit["row"], "上级单位", "不能是本单位。"))
        unit["parent_code"] = parent_code
    plan.units = _order_parents_first(planned_units, plan)

    User = get_user_model()
    seen_people: dict[str, int] = {}
    for number, row in sheets[PERSON_SHEET].rows if PERSON_SHEET in sheets else []:
        username, full_name = row.get("用户名", ""), row.get("姓名", "")
        if not username:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", "不能为空。"))
            continue
        if username in seen_people:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", f"与第 {seen_people[username]} 行重复。"))
            continue
        seen_people[username] = number
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError:
            plan.errors.append(RowError(PERSON_SHEET, number, "用户名", "只能包含字母、数字和 @/./+/-/_ 。"))
        if not full_name or len(full_name) > 60:
            plan.errors.append(RowError(PERSON_SHEET, number, "姓名", "不能为空,且不超过 60 个字符。"))
        plan.people.append({"row": number, "username": username, "full_name": full_name})

    known_people = set(seen_people) | set(
        User.objects.filter(username__in=[r.get("用户名", "") for _, r in sheets.get(POST_SHEET, _Empty).rows])
        .values_list("username", flat=True)
    )
    for number, row in sheets[POST_SHEET].rows if POST_SHEET in sheets else []:
        err = lambda col, msg, n=number: plan.errors.append(RowError(POST_SHEET, n, col, msg))  # noqa: E731
        username = row.get("用户名", "")
        if username not in known_people:
            err("用户名", f"人员“{username}”不存在,请先在“人员”表中列出。")
        unit_code, problem = resolver.resolve(row.get("单位", "")) if row.get("单位") else (None, "不能为空。")
        if problem:
            err("单位", problem)
        title = row.get("职务", "")
        if not title or len(title) > 60:
            err("职务", "不能为空,且不超过 60 个字符。")
        flags = {}
        for col in ("一把手", "联络员"):
            value = row.get(col, "")
            if value not in YES | NO:
                err(col, "请填写“是”或“否”。")
            flags[col] = value in YES
        dates = {}
        for col in ("任职起", "任职止"):
            try:
                dates[col] = _parse_date(row.get(col, ""))
            except ValueError:
                err(col, "日期格式应为 2026-01-31。")
                dates[col] = None
        if dates["任职起"] and dates["任职止"] and dates["任职止"] < dates["任职起"]:
            err("任职止", "不能早于任职起日期。")
        plan.posts.append({
            "row": number, "username": username, "unit_code": unit_code, "title": title,
            "is_head": flags["一把手"], "is_liaison": flags["联络员"],
            "valid_from": dates["任职起"] or timezone.localdate(), "valid_to": dates["任职止"],
        })
    return plan


class _Empty:
    rows: list = []


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


def import_workbook(*, data: bytes, actor) -> ImportResult:
    """Check the whole file, then apply it in one transaction; raise ImportRejected with every
    row error if anything is wrong (nothing is changed then)."""
    plan = plan_import(data)
    if plan.errors:
        raise ImportRejected(plan.errors)
    for sheet, rows in ((UNIT_SHEET, plan.units), (PERSON_SHEET, plan.people), (POST_SHEET, plan.posts)):
        if rows:
            require(actor, SHEET_VERBS[sheet])
    result = ImportResult()
    try:
        with transaction.atomic():
            _apply_units(plan.units, actor, result)
            _apply_people(plan.people, actor, result)
            _apply_posts(plan.posts, actor, result)
    except ValidationError as exc:
        # A rule only the service knows (e.g. moving a unit under its own subunit).
        raise ImportRejected([RowError("文件", 0, "", m) for m in exc.messages]) from exc
    return result


def _apply_units(rows, actor, result):
    for row in rows:
        parent = Unit.objects.get(code=row["parent_code"]) if row["parent_code"] else None
        unit = Unit.objects.filter(code=row["code"]).first()
        if unit is None:
            services.unit_create(code=row["code"], name=row["name"], kind=row["kind"], parent=parent, actor=actor,
                                 short_name=row["short_name"], sort_order=row["sort_order"], address=row["address"])
            result.created[UNIT_SHEET] += 1
            continue
        fields = {k: row[k] for k in ("name", "kind", "short_name", "sort_order", "address") if getattr(unit, k) != row[k]}
        changed = bool(fields)
        if fields:
            unit = services.unit_update(unit=unit, actor=actor, **fields)
        if parent is not None and unit.parent_id != parent.pk:
            services.unit_move(unit=unit, new_parent=parent, actor=actor)
            changed = True
        result.updated[UNIT_SHEET] += int(changed)


def _apply_people(rows, actor, result):
    User = get_user_model()
    for row in rows:
        person = User.objects.filter(username=row["username"]).first()
        if person is None:
            account_services.user_create(username=row["username"], full_name=row["full_name"], actor=actor)
            result.created[PERSON_SHEET] += 1
        elif person.full_name != row["full_name"]:
            account_services.user_update_name(user=person, full_name=row["full_name"], actor=actor)
            result.updated[PERSON_SHEET] += 1


def _apply_posts(rows, actor, result):
    User = get_user_model()
    for row in rows:
        person = User.objects.get(username=row["username"])
        unit = Unit.objects.get(code=row["unit_code"])
        existing = Post.objects.filter(person=person, unit=unit, title=row["title"], valid_from=row["valid_from"]).first()
        if existing is None:
            post = services.post_appoint(person=person, unit=unit, title=row["title"], is_head=row["is_head"],
                                         is_liaison=row["is_liaison"], valid_from=row["valid_from"], actor=actor)
            result.created[POST_SHEET] += 1
            if row["valid_to"]:
                services.post_end(post=post, on=row["valid_to"], actor=actor)
        elif row["valid_to"] and existing.valid_to is None:
            services.post_end(post=existing, on=row["valid_to"], actor=actor)
            result.updated[POST_SHEET] += 1


def export_rows(user):
    """The same three sheets the import reads, limited to what `user` sees."""
    from .selectors import people_visible_to, units_visible_to

    units = units_visible_to(user).select_related("parent").order_by("path")
    kinds = dict(UnitKind.choices)
    unit_rows = [
        (u.code, u.name, kinds.get(u.kind, u.kind), u.parent.code if u.parent_id else "", u.short_name,
         u.sort_order, u.address)
        for u in units.iterator(chunk_size=2000)
    ]
    person_rows = [(p.username, p.full_name) for p in people_visible_to(user).order_by("username")]
    posts = Post.objects.filter(unit__in=units_visible_to(user)).select_related("person", "unit").order_by("unit__path", "id")
    post_rows = [
        (p.person.username, p.unit.code, p.title, "是" if p.is_head else "否", "是" if p.is_liaison else "否",
         p.valid_from.isoformat(), p.valid_to.isoformat() if p.valid_to else "")
        for p in posts
    ]
    return [(UNIT_SHEET, UNIT_COLUMNS, unit_rows), (PERSON_SHEET, PERSON_COLUMNS, person_rows),
            (POST_SHEET, POST_COLUMNS, post_rows)]


