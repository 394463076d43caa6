"""The cells of a 任务分解表: its columns, how a typed value is read (dates, points, milestones),
and how a name in a cell finds its unit, person, policy or working group.  Problems come back
as Chinese text for the row error; nothing here writes."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from chuangwen.org.models import Post, Unit
from chuangwen.org.selectors import units_visible_to

CODE = "任务编号"
# A real 任务分解表 often heads the column 序号; the export writes 任务编号.
CODE_ALIASES = (CODE, "序号/任务编号", "序号", "编号")
REQUIRED = ("任务内容", "牵头单位", "配合单位", "责任人", "完成时限", "考评标准", "分值", "奖惩规则")
COLUMNS = (CODE, "上级任务编号", "任务名称", "任务内容", "对应测评标准", "工作组", "牵头单位",
           "配合单位", "责任人", "完成时限", "节点", "考评标准", "分值", "奖惩规则")
# A file holds a plan's decomposition, not a city's database.  Each new row is one task_create
# (about 35 ms on SQLite), so 500 rows keep the request well under half a minute.
MAX_ROWS = 500
TITLE_FROM_CONTENT = 30
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
# Separators as typed on a Chinese keyboard or not: 、 ， ； ： are \u3001 \uff0c \uff1b \uff1a.
LIST_SPLIT = re.compile("[\u3001,\uff0c;\uff1b\n]+")
MILESTONE_SPLIT = re.compile("[;\uff1b\n]+")
# The date follows the last colon, so a title may hold colons of its own.
MILESTONE_ITEM = re.compile("^(?P<title>.*)[:\uff1a](?P<due>[^:\uff1a]*)$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
MAX_POINTS = Decimal("9999.99")


def clean_text(value) -> str:
    """What a text cell holds after a round trip through the file: no control characters, no
    surrounding blanks.  Database text is compared in this form, so an export re-imported is
    equal to the database."""
    return ILLEGAL_CHARACTERS_RE.sub("", value or "").strip()


def parse_date(text: str) -> date | None:
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_points(text: str) -> Decimal | None:
    """A number of points ≥ 0 with at most two decimals ("5", "2.5", "5分"); ValueError says why not."""
    text = text.removesuffix("分").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("须为数字") from exc
    if not value.is_finite():
        raise ValueError("须为数字")
    if value < 0:
        raise ValueError("不能为负数")
    if value > MAX_POINTS:
        raise ValueError(f"不能超过 {MAX_POINTS}")
    rounded = value.quantize(Decimal("0.01"))
    # A float cell may carry binary noise (2.3000000000000003); more real decimals are refused.
    if abs(value - rounded) > Decimal("1e-9"):
        raise ValueError("最多保留两位小数")
    return rounded


def parse_milestones(text: str) -> list[dict]:
    """"标题:2026-10-15;标题:2026-10-25" (full-width separators too)."""
    result = []
    for part in MILESTONE_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        m = MILESTONE_ITEM.match(part)
        title, due = (m["title"].strip(), m["due"]) if m else ("", "")
        if not title:
            raise ValueError(f"节点“{part}”格式应为“节点名称:2026-10-15”,多个节点用分号隔开。")
        if len(title) > 200:
            raise ValueError(f"节点名称“{title[:20]}…”不能超过 200 个字。")
        try:
            day = parse_date(due.strip())
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"节点“{title}”的日期“{due.strip()}”无效,应如 2026-10-15。")
        result.append({"title": title, "due": day})
    return result


def milestone_key(items) -> list[tuple]:
    return sorted((m["due"], m["title"]) for m in items)


def format_milestones(milestones) -> str:
    return ";".join(f"{m.title}:{m.due.isoformat()}" for m in milestones)


def looks_like_code(key: str) -> bool:
    return bool(CODE_RE.match(key)) and bool(re.search(r"[A-Za-z-]", key))


# --- references ----------------------------------------------------------------------------------


class UnitResolver:
    """A unit is named by its code, its full path (测试市/城东区, or its tail 城东区/东街街道) or a
    name that is unique; only units the importer sees count.  Answers are cached per text."""

    def __init__(self, actor):
        self.units = units_visible_to(actor)
        self.cache: dict[str, tuple[Unit | None, str]] = {}

    def resolve(self, ref: str, column: str) -> tuple[Unit | None, str]:
        ref = ref.replace("\uff0f", "/").strip()  # a full-width slash in a typed path
        if ref not in self.cache:
            self.cache[ref] = self._resolve(ref)
        unit, problem = self.cache[ref]
        return unit, f"{column}{problem}" if problem else ""

    def _resolve(self, ref: str) -> tuple[Unit | None, str]:
        found = list(self.units.filter(code=ref)[:1])
        if found:
            return found[0], ""
        if "/" in ref:
            candidates = list(self.units.filter(full_name=ref)[:10]) or list(
                self.units.filter(full_name__endswith=f"/{ref}")[:10])
        else:
            candidates = list(self.units.filter(name=ref)[:10])
        active = [u for u in candidates if u.is_active]
        if len(candidates) == 1 or len(active) == 1:
            return (candidates[0] if len(candidates) == 1 else active[0]), ""
        if candidates:
            listed = ";".join(f"{u.full_name}({u.code})" for u in sorted(active or candidates, key=_by_path))
            return None, f"“{ref}”对应多个单位:{listed},请填写单位编码或完整路径。"
        name = ref.rsplit("/", 1)[-1]
        near = self.units.active().filter(Q(name__contains=name) | Q(short_name=name)).order_by("path")[:5]
        hint = f"相近的单位:{';'.join(f'{u.full_name}({u.code})' for u in near)}。" if near else ""
        return None, f"“{ref}”不存在,请填写单位编码或完整路径(如 上级单位/本单位)。{hint}"


def _by_path(unit: Unit) -> str:
    return unit.path


class PersonResolver:
    """责任人: a full name or username of someone holding a current post in the lead unit."""

    def __init__(self):
        self.posts: dict[int, list] = {}

    def resolve(self, ref: str, unit: Unit) -> tuple[object | None, str]:
        if unit.pk not in self.posts:
            posts = Post.objects.current().filter(unit=unit).select_related("person")
            self.posts[unit.pk] = [p.person for p in posts]
        people = {p.pk: p for p in self.posts[unit.pk] if p.is_active and ref in (p.username, p.full_name)}
        if len(people) == 1:
            return next(iter(people.values())), ""
        if people:
            names = "、".join(sorted(p.username for p in people.values()))
            return None, f"责任人“{ref}”在{unit.name}有重名(账号:{names}),请填写账号。"
        return None, (f"责任人“{ref}”不在牵头单位“{unit.name}”任职,"
                      "请填写该单位在职人员的姓名或账号,或留空(默认为一把手)。")


def named(items, ref: str, label: str) -> tuple[object | None, str]:
    """A policy or working group by code, by name, or as exported ("JC01 名称")."""
    by_code = {i.code: i for i in items}
    if ref in by_code:
        return by_code[ref], ""
    by_name = [i for i in items if i.name == ref]
    head, _, tail = ref.partition(" ")
    if not by_name and head in by_code and by_code[head].name == tail.strip():
        by_name = [by_code[head]]
    if len(by_name) == 1:
        return by_name[0], ""
    if by_name:
        return None, f"{label}“{ref}”有重名,请填写编号:{'、'.join(i.code for i in by_name)}。"
    choices = ";".join(f"{i.code} {i.name}" for i in items if getattr(i, "is_active", True))
    return None, f"{label}“{ref}”不存在,可选:{choices}。"
