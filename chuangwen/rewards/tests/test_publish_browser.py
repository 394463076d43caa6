"""The month is finalised and the 红黑榜 page and the Word 通报 show the same ranking — in a real
browser, all through the pages: HQ finalises September (定榜), runs the ranking rules on the
rewards period page and confirms every proposal on the desk with a document number; then an
anonymous visitor on a 375-px phone reads the published list and downloads the 通报.  The rows
read from the page, the rows parsed from the .docx and the frozen `RankEntry` rows are the same,
and so are the confirmed entries — no console error, nothing blocked by the CSP.

September is evaluation's scenario (scored through the real services); August is a frozen
snapshot with 西湖社区 last as well, so the bottom rule (two periods running) puts it on the 黑榜.
Chromium runs in a child process (see dashboard/tests/browser.py).
"""

from datetime import date
from pathlib import Path

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

DOC_NUMBERS = ["上创文指〔2026〕31号", "上创文指〔2026〕32号", "上创文指〔2026〕33号"]

# The page's ranking tables and lists, as a visitor reads them.
_READ_PAGE = """() => {
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, " ").trim() : "");
  const tables = [...document.querySelectorAll("table[data-group]")].map((t) => ({
    label: text(t.parentElement.previousElementSibling),
    rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map(text)),
  }));
  const listed = (id) => [...document.querySelectorAll(`#${id} li`)].map((li) => {
    const strong = li.querySelector("strong");
    const after = strong.nextSibling;
    return {unit: text(strong), person: after && after.nodeType === Node.TEXT_NODE ? text(after) : "",
            kind: text(li.querySelector(".badge")), detail: text(li.querySelector(".small"))};
  });
  return {tables, red: listed("red-list"), black: listed("black-list")};
}"""


def _flow(job, browser, sessions, progress):
    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    def session(username=None, device=DESKTOP):
        s = BrowserSession(browser.new_context(**device, locale="zh-CN", accept_downloads=True), job["base"])
        sessions.append(s)
        if username:
            s.login(username, job["password"])
        return s

    progress["step"] = "hq finalises September"
    hq = session("hq")
    hq.nav_link("考评").click()
    hq.page.get_by_role("link", name="2026年9月").click()
    hq.page.locator("summary", has_text="定榜").click()
    hq.page.get_by_role("button", name="确认定榜").click()
    expect(hq.page.locator(".alert-success")).to_contain_text("已定榜")

    progress["step"] = "hq runs the ranking rules"
    hq.nav_link("奖惩").click()
    hq.page.locator(".cw-subnav").get_by_role("link", name="考评周期").click()
    hq.page.locator("#periods").get_by_role("link", name="2026年9月").click()
    hq.page.get_by_role("button", name="运行排名规则").click()
    expect(hq.page.locator(".alert-success")).to_contain_text(f"新增 {len(job['doc_numbers'])} 条")

    progress["step"] = "hq confirms every proposal on the desk"
    hq.page.locator(".cw-subnav").get_by_role("link", name="待确认建议").click()
    expect(hq.page.locator("#proposals [data-proposal]")).to_have_count(len(job["doc_numbers"]))
    hq.page.locator("#proposals [data-proposal]").first.click()
    confirmed = {}
    for doc_number in job["doc_numbers"]:
        expect(hq.page.locator("#proposal-status")).to_have_text("待确认")
        unit = hq.page.locator("#proposal").locator("xpath=dt[.='单位']/following-sibling::dd[1]").inner_text()
        hq.page.get_by_label("发文字号").fill(doc_number)
        hq.page.locator("#confirm-form button[type=submit]").click()
        expect(hq.page.locator(".alert-success")).to_contain_text("已确认")
        confirmed[unit.strip()] = doc_number
    # The last decision leads back to an empty desk.
    expect(hq.page.locator("#proposals")).to_contain_text("没有待确认的奖惩建议")

    progress["step"] = "a visitor reads the published list on a phone"
    visitor = session(device=PHONE)
    visitor.goto("/honours/")
    visitor.page.locator("#public-periods").get_by_role("link", name="2026年9月").click()
    expect(visitor.page.locator("table[data-group]").first).to_be_visible()
    page = visitor.page.evaluate(_READ_PAGE)
    assert visitor.scroll_width() <= 375, "the published list scrolls sideways on a phone"
    visitor.screenshot(Path(job["screenshots"]), "publish-honours-phone")

    progress["step"] = "the visitor downloads the Word 通报"
    with visitor.page.expect_download() as info:
        visitor.page.locator("#notice-link").click()
    download = info.value
    saved = Path(job["downloads"]) / download.suggested_filename
    download.save_as(str(saved))
    progress["step"] = "done"
    return {"page": page, "docx": str(saved), "filename": download.suggested_filename, "confirmed": confirmed}


def _child_main():
    child_main(_flow)


def _read_docx(path):
    """The 通报's ranking tables (with the group label above each) and its numbered 红榜 and 黑榜
    lines, in document order."""
    import re

    from docx import Document

    doc = Document(path)
    paragraphs = [p.text.strip() for p in doc.paragraphs if p.text.strip()]
    ranking, red, black = paragraphs.index("一、考评排名"), paragraphs.index("二、红榜"), paragraphs.index("三、黑榜")
    labels = [p.split(")", 1)[1] for p in paragraphs[ranking + 1:red] if p.startswith("(")]
    tables = [[[c.text.strip() for c in row.cells] for row in t.rows] for t in doc.tables]
    assert all(t[0] == ["名次", "单位", "得分", "榜单"] for t in tables), tables
    numbered = {p for p in paragraphs if re.match(r"\d+\. ", p)}
    return {
        "tables": [{"label": label, "rows": t[1:]} for label, t in zip(labels, tables, strict=True)],
        "red": [p for p in paragraphs[red + 1:black] if p in numbered],
        "black": [p for p in paragraphs[black + 1:] if p in numbered],
    }


def _line(n, x):
    """How the 通报 numbers a listed entry: the same unit, person, kind and reason as the page."""
    return f"{n}. {x['unit']}{x['person']}:{x['kind']}。{x['detail']}"


def test_the_finalised_month_publishes_the_same_ranking_on_the_page_and_in_the_notice(
        live_server, transactional_world, tmp_path, settings):
    import time_machine

    from chuangwen.evaluation import services
    from chuangwen.evaluation.models import PeriodKind, PeriodStatus, RankEntry, RankGroup
    from chuangwen.evaluation.tests.scenario import AFTER, START, build_september
    from chuangwen.rewards.catalogue import ensure_defaults
    from chuangwen.rewards.models import Ladder, Record, Rule, display_name

    from .conftest import scores_for, snapshot

    settings.MEDIA_ROOT = tmp_path / "files"
    w = transactional_world
    ensure_defaults(Rule, Ladder)  # a transactional test's flush takes the migration's rows
    build_september(w)
    snapshot(w.hq, date(2026, 8, 1), RankGroup.COMMUNITY,
             scores_for([w.community, w.community2, w.other_community], [0, 1, 2]))
    with time_machine.travel(AFTER, tick=False):
        sep = services.period_create(kind=PeriodKind.MONTH, start=START, actor=w.hq)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    result = run_child(__name__, {"base": live_server.url, "password": w.password, "doc_numbers": DOC_NUMBERS,
                                  "name": "publish", "screenshots": str(screenshot_dir(tmp_path)),
                                  "downloads": str(downloads)})
    assert result["errors"] == [], "\n".join(result["errors"])
    sep.refresh_from_db()
    assert sep.status == PeriodStatus.FINALISED and sep.finalised_by == w.hq
    assert result["filename"] == "红黑榜通报-2026年9月.docx"

    page, notice = result["page"], _read_docx(result["docx"])
    # The same ranking: group by group, row by row (rank, unit, score, list).
    assert notice["tables"] == page["tables"]
    entries = list(RankEntry.objects.filter(period=sep).order_by("rank", "unit__path"))
    frozen = [{"label": RankGroup(g).label,
               "rows": [[str(e.rank), display_name(e.unit_name), f"{e.score:.2f}"]
                        for e in entries if e.group == g]}
              for g in RankGroup.values if any(e.group == g for e in entries)]
    assert [{"label": t["label"], "rows": [r[:3] for r in t["rows"]]} for t in page["tables"]] == frozen
    names = {t["label"]: [r[1] for r in t["rows"]] for t in page["tables"]}
    assert names["社区"] == ["城东区东街街道友谊社区", "城东区东街街道和平社区", "城西区西湖社区"]
    assert names["县区"] == ["城东区", "城西区"]
    boards = {(r[1], r[3]) for t in page["tables"] for r in t["rows"] if r[3]}
    assert boards == {("城东区东街街道友谊社区", "红榜"), ("城东区", "红榜"), ("城西区西湖社区", "黑榜")}

    # The same confirmed entries, in the same order, each with the number HQ gave it.
    assert notice["red"] == [_line(n, x) for n, x in enumerate(page["red"], start=1)]
    assert notice["black"] == [_line(n, x) for n, x in enumerate(page["black"], start=1)]
    listed = {(x["unit"], x["kind"], x["detail"].rsplit("(", 1)[-1].rstrip(")"))
              for x in page["red"] + page["black"]}
    records = {(display_name(r.unit_name), r.get_kind_display(), r.doc_number)
               for r in Record.objects.filter(period=sep)}
    assert listed == records and {doc for *_, doc in records} == set(DOC_NUMBERS)
    assert {(x["unit"], x["kind"]) for x in page["red"]} == {("城东区东街街道友谊社区", "流动红旗"),
                                                              ("城东区", "流动红旗")}
    assert [(x["unit"], x["person"], x["kind"]) for x in page["black"]] == [
        ("城西区西湖社区", "(主要负责人:辛书记)", "约谈")]
    # Each record carries the number HQ typed on that proposal's page.
    assert result["confirmed"] == {display_name(r.unit_name): r.doc_number
                                   for r in Record.objects.filter(period=sep)}
