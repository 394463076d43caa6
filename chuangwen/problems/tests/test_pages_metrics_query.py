"""问题整改统计, its query and its outputs: bad periods, groupings, sorts and list filters get a
Chinese message (never a 500); the period picker and the sort; the Excel export holds the page's
numbers; the list and the page cost a fixed number of queries; a phone shows the table without
the page scrolling sideways."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from chuangwen.audit.models import Entry
from chuangwen.problems.views.metrics import COLUMNS, parse_period

from .metrics_support import READ_AT, SEPTEMBER, at, build_book, get_page, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_september(world, rubbish):
    build_book(world, rubbish)
    with time_machine.travel(READ_AT, tick=False):
        yield


# --- the query ------------------------------------------------------------------------------------

@pytest.mark.parametrize("params,message", [
    ({"period": "2026-13"}, "月份不正确"),
    ({"period": "九月"}, "无法识别"),
    ({"period": "1999"}, "超出可统计的范围"),
    ({"start": "2026-09-31", "end": "2026-10-01"}, "不是有效日期"),
    ({"start": "2026/09/01", "end": "2026-10-01"}, "不是有效日期"),
    ({"start": "2026-10-01", "end": "2026-09-01"}, "开始日期不能晚于结束日期"),
    ({"start": "2026-09-01"}, "须同时填写开始日期和结束日期"),
    ({"start": "2024-01-01", "end": "2026-01-01"}, "最长 366 天"),
    ({"group": "street"}, "分组方式只能是"),
    ({"sort": "password"}, "不能按“password”排序"),
    ({"format": "pdf"}, "只支持 xlsx"),
])
def test_a_bad_query_gets_a_chinese_message_not_an_error(client, login, world, params, message):
    login(world.hq)
    response = client.get("/problems/metrics/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "rows" not in response.context


@pytest.mark.parametrize("query,message", [
    ("date=reported&from=2026-02-30", "不是有效日期"),
    ("from=2026-09-01", "须选择日期口径"),
    ("date=signed&from=2026-09-01", "日期口径只能是"),
    ("date=closed&from=2026-09-02&to=2026-09-01", "开始日期不能晚于结束日期"),
    ("unit=NOPE", "找不到编码为“NOPE”的责任单位"),
    ("category=XX", "找不到编码为“XX”的问题类别"),
    ("status=lost", "状态不正确"),
])
def test_a_bad_list_filter_gets_a_chinese_message(client, login, world, query, message):
    login(world.hq)
    response = client.get(f"/problems/?tab=all&{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_periods_read_as_months_quarters_years_and_custom_spans():
    today = date(2026, 9, 16)
    assert parse_period({}, today).label == "2026年9月"
    q = parse_period({"period": "2026-Q4"}, today)
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度")
    y = parse_period({"period": "2024"}, today)
    assert (y.start, y.end) == (date(2024, 1, 1), date(2024, 12, 31))
    feb = parse_period({"period": "2024-02"}, today)
    assert feb.end == date(2024, 2, 29)
    assert (feb.shifted(-1).start, feb.shifted(1).start) == (date(2024, 1, 1), date(2024, 3, 1))
    assert parse_period({"period": "2026-12"}, today).shifted(1).label == "2027年1月"
    assert parse_period({"period": "2026-q1"}, today).shifted(-1).label == "2025年第4季度"
    custom = parse_period({"start": "2026-09-10", "end": "2026-09-10", "period": "2026"}, today)
    assert (custom.kind, custom.start, custom.end, custom.shifted(1)) == ("custom", date(2026, 9, 10),
                                                                         date(2026, 9, 10), None)
    assert parse_period({"period": "2099"}, today).shifted(1) is None
    with pytest.raises(ValidationError):
        parse_period({"period": "2026-00"}, today)


def test_the_period_picker_links_keep_the_grouping(client, login, world):
    login(world.hq)
    with time_machine.travel(at(9, 16, 10), tick=False):
        ctx = get_page(client, {"group": "district"}).context
    assert ctx["period"].label == "2026年9月"
    assert [(label, url) for label, url, _ in ctx["kinds"]] == [
        ("本月", "?period=2026-09&group=district"), ("本季度", "?period=2026-Q3&group=district"),
        ("本年", "?period=2026&group=district")]
    assert ctx["prev_url"] == "?period=2026-08&group=district"
    assert ctx["next_url"] == "?period=2026-10&group=district"


# --- sorting --------------------------------------------------------------------------------------

def test_sorting_by_a_column_puts_the_rows_without_a_figure_last(client, login, world, late_september):
    login(world.hq)
    down = get_page(client, {**SEPTEMBER, "sort": "-on_time_rate"}).context
    assert [r.label for r in down["rows"]] == ["市住建局", "和平社区", "友谊社区", "西湖社区", "未交办"]
    up = get_page(client, {**SEPTEMBER, "sort": "on_time_rate"}).context
    assert [r.label for r in up["rows"]] == ["友谊社区", "和平社区", "市住建局", "西湖社区", "未交办"]
    assert texts(up["total"]) == texts(down["total"])  # the total row stays at the bottom, unchanged
    headers = {h["label"]: h for h in up["headers"]}
    assert headers["按期结案率"]["url"] == "?period=2026-09&group=unit&sort=-on_time_rate"
    assert headers["按期结案率"]["arrow"] == "▲"
    by_reported = get_page(client, {**SEPTEMBER, "sort": "-reported"}).context["rows"]
    assert [r.label for r in by_reported][:1] == ["和平社区"]


# --- Excel ----------------------------------------------------------------------------------------

def test_the_excel_export_holds_the_page_numbers(client, login, world, late_september):
    login(world.district_head)
    params = {**SEPTEMBER, "group": "district", "sort": "-reported"}
    ctx = get_page(client, params).context
    response = client.get("/problems/metrics/", {**params, "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["问题整改统计", "积压问题账龄", "说明"]
    table = list(wb["问题整改统计"].iter_rows(values_only=True))
    assert table[0] == ("区县", *(f"{c.label}(%)" if c.kind == "rate" else c.label for c in COLUMNS))
    shown = [(r.label, *(c.value for c in r.cells)) for r in [*ctx["rows"], ctx["total"]]]
    assert table[1:] == shown
    # The numbers are the page's: "33.3%" on the page is 33.3 in the cell, "—" stays "—".
    for row, (label, *values) in zip([*ctx["rows"], ctx["total"]], table[1:], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            assert cell.text == "—" if value == "—" else float(cell.text.removesuffix("%")) == value
    backlog = list(wb["积压问题账龄"].iter_rows(values_only=True))
    rows = [*ctx["backlog"], ctx["backlog_total"]]
    assert backlog[1:] == [(r.label, *(c.value for c in r.cells)) for r in rows]
    entry = Entry.objects.filter(event="problem.metrics_export").latest("seq")
    assert entry.actor_id == world.district_head.pk and entry.changes["group"] == [None, "district"]


# --- the list's cost ------------------------------------------------------------------------------

def test_the_list_costs_the_same_queries_for_one_problem_or_many(client, login, world, late_september):
    login(world.hq)
    client.get("/problems/?tab=all")  # the session's first reads
    counts = []
    for query in ("date=assigned&from=2026-09-30&to=2026-09-30",  # p11 alone
                  "date=reported&from=2026-09-01&to=2026-09-30"):  # thirteen
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/problems/?tab=all&{query}")
        counts.append(len(ctx.captured_queries))
        assert response.context["total"] in (1, 13)
        # Keyset pages: no OFFSET, and the count is bounded by a LIMIT.
        assert not any(" OFFSET " in q["sql"] and "LIMIT 31" in q["sql"] for q in ctx.captured_queries)
    assert counts[0] == counts[1] <= 12


def test_the_metrics_page_costs_a_fixed_number_of_queries(client, login, world, late_september):
    login(world.district_head)
    get_page(client, SEPTEMBER)
    with CaptureQueriesContext(connection) as ctx:
        get_page(client, {**SEPTEMBER, "group": "category"})
    assert len(ctx.captured_queries) <= 16
