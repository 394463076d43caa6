"""问题整改统计: a period's metrics by responsible unit, district or category, with a total row and
the backlog by age; every count links to the list of exactly the problems it counts, and the
table exports to Excel.

The figures come from `metrics.unit_metrics` and `metrics.backlog_by_age`, the selectors the API
and the reports use; this module reads the query, formats, sorts and links, and computes none.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from chuangwen.audit.log import record
from chuangwen.lib.xlsx import workbook_response
from chuangwen.org.models import Unit
from chuangwen.org.permissions import require
from chuangwen.workdays.selectors import work_calendar

from .. import selectors_pages as pages
from ..metrics import AGE_BUCKETS, NO_DISTRICT, NO_UNIT, age_cutoffs, backlog_by_age, unit_metrics
from ..models import Category
from .common import page

# --- the query: period, grouping, sort ------------------------------------------------------------

EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
# A custom period reads one summary row per day, unit and category: a year at most (a longer
# stretch is several years' figures, which the yearly view gives one at a time).
MAX_DAYS = 366
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
PERIOD_RE = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4])))?")
GROUPS = {"unit": "责任单位", "district": "区县", "category": "问题类别"}


def parse_day(raw: str, label: str) -> date:
    """A local date written 2026-09-01 (what a date input sends), within the years the platform
    counts; a ValidationError naming `label` otherwise."""
    raw = raw.strip()
    if not DAY_RE.fullmatch(raw):
        raise ValidationError(f"{label}“{raw[:20]}”不是有效日期,请按 2026-09-01 的格式填写。")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{label}“{raw}”不是有效日期。") from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"{label}超出可统计的范围(2000年至2099年)。")
    return day


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter", "year" or "custom"
    start: date
    end: date

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def params(self) -> dict:
        s = self.start
        if self.kind == "month":
            return {"period": f"{s:%Y-%m}"}
        if self.kind == "quarter":
            return {"period": f"{s.year}-Q{(s.month - 1) // 3 + 1}"}
        if self.kind == "year":
            return {"period": str(s.year)}
        return {"start": s.isoformat(), "end": self.end.isoformat()}

    def shifted(self, step: int) -> "Period | None":
        """The previous (-1) or next (+1) period of the same kind; None for a custom one or
        beyond the years counted."""
        months = {"month": 1, "quarter": 3, "year": 12}.get(self.kind)
        if months is None:
            return None
        index = self.start.year * 12 + self.start.month - 1 + step * months
        year, month = divmod(index, 12)
        if not EARLIEST.year <= year <= LATEST.year:
            return None
        return span(self.kind, year, month + 1)


def span(kind: str, year: int, month: int) -> Period:
    """The month, quarter or year that starts in `year`-`month`."""
    length = {"month": 1, "quarter": 3, "year": 12}[kind]
    after = year * 12 + month - 1 + length
    return Period(kind, date(year, month, 1), date(after // 12, after % 12 + 1, 1) - timedelta(days=1))


def parse_period(params, today: date) -> Period:
    """`period` = 2026-09 (a month), 2026-Q3 (a quarter) or 2026 (a year), or `start` and `end`
    (a custom span of at most MAX_DAYS); this month when none is given."""
    start, end = params.get("start", "").strip(), params.get("end", "").strip()
    if start or end:
        if not (start and end):
            raise ValidationError("自定义期间须同时填写开始日期和结束日期。")
        first, last = parse_day(start, "开始日期"), parse_day(end, "结束日期")
        if first > last:
            raise ValidationError("开始日期不能晚于结束日期。")
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationError(f"自定义期间最长 {MAX_DAYS} 天,请缩短期间或按年统计。")
        return Period("custom", first, last)
    raw = params.get("period", "").strip()
    if not raw:
        return span("month", today.year, today.month)
    m = PERIOD_RE.fullmatch(raw)
    if m is None:
        raise ValidationError(f"统计期间“{raw[:20]}”无法识别,应为 2026-09(月)、2026-Q3(季度)或 2026(年)。")
    year = int(m["year"])
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValidationError("统计期间超出可统计的范围(2000年至2099年)。")
    if m["month"]:
        if not 1 <= int(m["month"]) <= 12:
            raise ValidationError(f"统计期间“{raw}”的月份不正确。")
        return span("month", year, int(m["month"]))
    if m["quarter"]:
        return span("quarter", year, 3 * int(m["quarter"]) - 2)
    return span("year", year, 1)


def parse_group(params) -> str:
    group = params.get("group", "").strip() or "unit"
    if group not in GROUPS:
        raise ValidationError("分组方式只能是按责任单位、按区县或按问题类别。")
    return group


# --- the table's columns -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # a Metrics field or property
    label: str
    kind: str  # "count" (linked to the list), "rate" (a percentage) or "hours"
    help: str  # what it counts, or its formula (DOMAIN-NOTES §2.5, metrics.py)
    parts: tuple = ()  # (Metrics field, label) pairs shown beside the formula


# The two assessed rates first: on a phone they are what the table is read for (the unit's name
# stays in view while the rest scrolls).
COLUMNS = (
    Column("on_time_rate", "按期结案率", "rate", "按期结案数 ÷ (应结案数 − 挂账数)",
           (("due_on_time", "按期结案"), ("due", "应结案"), ("due_deferred", "挂账"))),
    Column("closure_rate", "结案率", "rate", "结案数 ÷ (应结案数 − 挂账数)",
           (("due_closed", "结案"), ("due", "应结案"), ("due_deferred", "挂账"))),
    Column("due", "应结案数", "count", "整改时限落在本期的已交办问题(含挂账,不含退回、作废)"),
    Column("due_on_time", "按期结案数", "count", "应结案问题中在整改时限前销号的"),
    Column("reported", "上报数", "count", "本期上报的问题(含作废)"),
    Column("assigned", "交办数", "count", "本期交办、现由责任单位办理的问题(不含退回、作废)"),
    Column("rework_rate", "返工率", "rate", "复查未通过次数 ÷ (复查未通过次数 + 销号数)",
           (("reworked", "复查未通过"), ("closed", "销号"))),
    Column("extension_rate", "延期率", "rate", "延期数 ÷ 应结案数", (("due_extended", "延期"), ("due", "应结案"))),
    Column("rebound_rate", "反弹率", "rate", "反弹数 ÷ 上报数", (("rebounds", "反弹"), ("reported", "上报"))),
    Column("avg_close_hours", "平均办结用时(工作小时)", "hours",
           "交办至销号的工作时间合计 ÷ 销号数(工作时间为工作日 8:30–17:30)", (("closed", "销号"),)),
)
SORT_KEYS = ("label", *(c.key for c in COLUMNS))


def parse_sort(params) -> str:
    raw = params.get("sort", "").strip()
    if raw and raw.removeprefix("-") not in SORT_KEYS:
        raise ValidationError(f"不能按“{raw[:20]}”排序。")
    return raw


@dataclass
class Cell:
    text: str
    value: object  # what the Excel cell holds: an int, a float (one decimal) or "—"
    title: str = ""
    url: str = ""
    muted: bool = False


def cell(metrics, column: Column, url: str) -> Cell:
    value = getattr(metrics, column.key)
    if column.kind == "count":
        return Cell(str(value), value, column.help, url, muted=not value)
    parts = ",".join(f"{label} {getattr(metrics, name)}" for name, label in column.parts)
    if value is None:
        return Cell("—", "—", f"{column.help};分母为 0,不计算({parts})", muted=True)
    shown = f"{value * 100:.1f}" if column.kind == "rate" else f"{value:.1f}"
    return Cell(f"{shown}%" if column.kind == "rate" else shown, float(shown), f"{column.help}({parts})")


def sort_rows(rows: list, sort: str) -> list:
    """Rows by one column (`-` for descending), the rows without a value ("—") last; ties keep
    the selector's order (the tree, the catalogue)."""
    if not sort:
        return rows
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    return sorted(present, key=lambda r: getattr(r, key), reverse=descending) + missing


# --- links to the list ---------------------------------------------------------------------------------

def list_url(params: dict) -> str:
    return f"{reverse('problems:mine')}?{urlencode({'tab': 'all', **params})}"


def dimension_codes(group: str, keys: set) -> dict:
    """Row key -> the list's filter value: a unit's or category's code, NONE for "none"."""
    ids = {k for k in keys if k}
    model = Category if group == "category" else Unit
    codes = dict(model.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}
    return {k: codes.get(k, "") if k else pages.NONE for k in keys}


def backlog_ranges(now) -> dict:
    """Each age bucket as the local days of assignment it holds, the way `backlog_by_age` draws
    them: {bucket: (first day or None, last day)}."""
    today = timezone.localtime(now).date()
    cutoffs = age_cutoffs(work_calendar(start=today - timedelta(days=60), end=today), today)
    floors = [k for _, _, k in AGE_BUCKETS]
    return {name: (cutoffs[upper] + timedelta(days=1) if upper is not None else None, cutoffs[k])
            for (name, _, k), upper in zip(AGE_BUCKETS, [*floors[1:], None], strict=True)}


# --- the figures ---------------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    cells: list
    total: bool = False
    key: object = None  # the selector's row key (a unit's, district's or category's id; 0 for none)


def figures(user, *, period: Period, group: str, sort: str, now) -> dict:
    """The table and the backlog, each row a list of formatted and linked cells."""
    rows = sort_rows(unit_metrics(user, start=period.start, end=period.end, group_by=group), sort)
    (total,) = unit_metrics(user, start=period.start, end=period.end, group_by=None)
    backlog = backlog_by_age(user, now=now, group_by=group)
    (backlog_total,) = backlog_by_age(user, now=now)
    codes = dimension_codes(group, {r.key for r in rows} | {r.key for r in backlog})
    span_params = {"from": period.start.isoformat(), "to": period.end.isoformat()}

    def metric_row(m, extra: dict, is_total=False) -> Row:
        cells = [cell(m, c, list_url({**pages.COUNT_FILTERS[c.key], **span_params, **extra})
                      if c.kind == "count" else "") for c in COLUMNS]
        return Row(m.label, cells, is_total, m.key)

    ranges = backlog_ranges(now)

    def backlog_row(b, extra: dict, is_total=False) -> Row:
        cells = []
        for name, label, _ in AGE_BUCKETS:
            first, last = ranges[name]
            days = {"date": "assigned", "to": last.isoformat()}
            if first is not None:
                days["from"] = first.isoformat()
            n = getattr(b, name)
            cells.append(Cell(str(n), n, f"已交办{label}未销号", list_url({"status": "backlog", **days, **extra}),
                              muted=not n))
        cells.append(Cell(str(b.total), b.total, "已交办未销号(不含挂账)", list_url({"status": "backlog", **extra}),
                          muted=not b.total))
        cells.append(Cell(str(b.overdue), b.overdue, "其中已过整改时限",
                          list_url({"status": "backlog", "overdue": "1", **extra}), muted=not b.overdue))
        return Row(b.label, cells, is_total, b.key)

    return {
        "rows": [metric_row(m, {group: codes[m.key]}) for m in rows],
        "total": metric_row(total, {}, True),
        "backlog": [backlog_row(b, {group: codes[b.key]}) for b in backlog],
        "backlog_total": backlog_row(backlog_total, {}, True),
    }


BACKLOG_HEADERS = (*(label for _, label, _ in AGE_BUCKETS), "合计", "其中超期")


# --- the page and the export ---------------------------------------------------------------------------

def metrics_page(request):
    require(request.user, "problem.view")
    params, today = request.GET, timezone.localdate()
    try:
        period, group, sort = parse_period(params, today), parse_group(params), parse_sort(params)
        fmt = params.get("format", "")
        if fmt not in ("", "xlsx"):
            raise ValidationError("导出格式只支持 xlsx。")
    except ValidationError as exc:
        context = controls(span("month", today.year, today.month), "unit", "", today)
        return page(request, "problems/metrics.html", {**context, "errors": exc.messages}, status=400)
    data = figures(request.user, period=period, group=group, sort=sort, now=timezone.now())
    if fmt == "xlsx":
        return export(request.user, period, group, data)
    return page(request, "problems/metrics.html", {**controls(period, group, sort, today), **data})


def controls(period: Period, group: str, sort: str, today: date) -> dict:
    """The period picker, the grouping tabs, the sortable headers and the export link."""
    state = {**period.params(), "group": group, **({"sort": sort} if sort else {})}

    def url(**changes) -> str:
        return "?" + urlencode({k: v for k, v in {**state, **changes}.items() if v})

    def period_url(p: Period | None) -> str:
        if p is None:
            return ""
        return "?" + urlencode({**p.params(), "group": group, **({"sort": sort} if sort else {})})

    headers = []
    for key, label, help_text in (("label", GROUPS[group], ""), *((c.key, c.label, c.help) for c in COLUMNS)):
        # A first click ranks the highest first; a second turns the order round.
        target = key if sort == f"-{key}" else f"-{key}"
        arrow = "▼" if sort == f"-{key}" else "▲" if sort == key else ""
        headers.append({"label": label, "help": help_text, "url": url(sort=target), "arrow": arrow})
    return {
        "sub": "metrics", "period": period, "group": group, "group_label": GROUPS[group], "headers": headers,
        "kinds": [(label, period_url(current), current == period) for label, current in (
            ("本月", span("month", today.year, today.month)),
            ("本季度", span("quarter", today.year, (today.month - 1) // 3 * 3 + 1)),
            ("本年", span("year", today.year, 1)))],
        "prev_url": period_url(period.shifted(-1)), "next_url": period_url(period.shifted(1)),
        "groups": [(label, url(group=key), key == group) for key, label in GROUPS.items()],
        "export_url": url(format="xlsx"), "backlog_headers": BACKLOG_HEADERS,
    }


def export(user, period: Period, group: str, data: dict):
    """The table and the backlog as the page shows them (same order, same rounding), and the
    definitions; the export is audited like the task ledger's."""
    table = [[r.label, *(c.value for c in r.cells)] for r in [*data["rows"], data["total"]]]
    backlog = [[r.label, *(c.value for c in r.cells)] for r in [*data["backlog"], data["backlog_total"]]]
    headers = [GROUPS[group], *(f"{c.label}(%)" if c.kind == "rate" else c.label for c in COLUMNS)]
    notes = [["统计期间", period.label, f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"],
             ["分组", f"按{GROUPS[group]}", ""],
             ["导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}", ""],
             *([c.label, c.help, ""] for c in COLUMNS),
             ["积压问题账龄", "已交办未销号(不含挂账)的问题,按交办后经过的工作日分档", "导出时的情况"],
             ["“—”", "分母为 0,不计算", ""],
             [NO_UNIT, "尚未交办或已退回的问题", ""], [NO_DISTRICT, "上报时未填区县的问题", ""]]
    record("problem.metrics_export", actor=user, object_type="problems.problem", object_repr="问题整改统计",
           changes={"start": [None, period.start], "end": [None, period.end], "group": [None, group],
                    "rows": [None, len(data["rows"])]})
    name = f"问题整改统计-{period.start:%Y%m%d}-{period.end:%Y%m%d}-按{GROUPS[group]}.xlsx"
    return workbook_response(name, [("问题整改统计", headers, table),
                                    ("积压问题账龄", [GROUPS[group], *BACKLOG_HEADERS], backlog),
                                    ("说明", ["项目", "口径", "备注"], notes)])
