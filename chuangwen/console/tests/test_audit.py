"""The auditor's pages: filters, keyset pages, one entry, the export and the chain check."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from chuangwen.audit.log import record
from chuangwen.audit.models import Entry, Outcome
from chuangwen.console.selectors import AUDIT_PAGE_SIZE

from .conftest import events_since, last_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_aud(world, login):
    return login(world.auditor)


def _seqs(body: str) -> list[int]:
    parts = body.split('href="/console/audit/')[1:]
    return [int(part.split("/", 1)[0]) for part in parts if part[0].isdigit()]


def test_lists_newest_first_and_filters(world, client_aud):
    record("demo.event", actor=world.hq, changes={"x": [1, 2]})
    record("demo.event", actor=world.mayor, outcome=Outcome.FAILURE)
    body = client_aud.get("/console/audit/").content.decode()
    seqs = _seqs(body)
    assert seqs == sorted(seqs, reverse=True) and 0 < len(seqs) <= AUDIT_PAGE_SIZE
    assert seqs[0] == last_seq()
    body = client_aud.get("/console/audit/", {"event": "demo.event", "actor": "甲指挥"}).content.decode()
    assert len(_seqs(body)) == 1
    body = client_aud.get("/console/audit/", {"event": "demo.", "outcome": "failure"}).content.decode()
    assert len(_seqs(body)) == 1 and "乙市长" in body
    today = timezone.localdate()
    tomorrow = str(today + timedelta(days=1))
    body = client_aud.get("/console/audit/", {"event": "demo.event", "date_from": tomorrow}).content.decode()
    assert _seqs(body) == []
    params = {"event": "demo.event", "date_from": str(today), "date_to": str(today)}
    body = client_aud.get("/console/audit/", params).content.decode()
    assert len(_seqs(body)) == 2


def test_pages_by_keyset_in_a_fixed_number_of_queries(world, client_aud, django_assert_max_num_queries):
    for i in range(2 * AUDIT_PAGE_SIZE + 5):
        record("bulk.event", actor=world.hq, changes={"i": [None, i]})
    pages = []
    url, params = "/console/audit/", {"event": "bulk.event"}
    for _ in range(4):
        with django_assert_max_num_queries(8):
            response = client_aud.get(url, params)
        page = response.context["page"]
        pages.append([e.seq for e in page.entries])
        if page.older is None:
            break
        params = {"event": "bulk.event", "before": page.older}
    assert [len(p) for p in pages] == [AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE, 5]
    seen = sum(pages, [])
    assert seen == sorted(set(seen), reverse=True)
    # The "newer" link of the last page leads back to the page before it.
    response = client_aud.get(url, {"event": "bulk.event", "after": page.newer})
    assert [e.seq for e in response.context["page"].entries] == pages[1]
    assert response.context["page"].older == pages[1][-1]


def test_the_list_query_uses_no_offset_and_no_count(world, client_aud):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client_aud.get("/console/audit/", {"before": last_seq()})
    sql = " ".join(q["sql"] for q in ctx.captured_queries if "audit_entry" in q["sql"]).upper()
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_shows_an_entry_with_before_and_after(world, client_aud):
    entry = record("demo.change", actor=world.hq, changes={"title": ["旧标题", "新标题"], "note": "单值"})
    body = client_aud.get(f"/console/audit/{entry.seq}/").content.decode()
    assert "旧标题" in body and "新标题" in body and "单值" in body and "甲指挥" in body


def test_exports_the_filtered_entries_and_logs_the_export(world, client_aud):
    record("demo.export", actor=world.hq, changes={"formula": [None, "=1+1"]})
    seq = last_seq()
    response = client_aud.post("/console/audit/export.xlsx", {"event": "demo.export"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "序号" and len(rows) == 2 and rows[1][2] == "demo.export"
    assert events_since(seq) == ["audit.export"]
    entry = Entry.objects.get(seq=seq + 1)
    assert entry.actor_id == world.auditor.pk and entry.changes["rows"] == [None, 1]
    assert entry.changes["filters"][1]["event"] == "demo.export"


def test_export_is_capped(world, client_aud, monkeypatch):
    monkeypatch.setattr("chuangwen.console.views.audit.EXPORT_LIMIT", 3)
    response = client_aud.post("/console/audit/export.xlsx", {})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.values)) == 4
    assert Entry.objects.order_by("-seq").first().changes["truncated"] == [None, True]


def test_export_by_get_is_refused(world, client_aud):
    seq = last_seq()
    assert client_aud.get("/console/audit/export.xlsx").status_code == 405
    assert events_since(seq) == []


def test_verifies_the_chain(world, client_aud):
    body = client_aud.get("/console/audit/verify/").content.decode()
    assert "开始校验" in body and "verify-result" not in body
    body = client_aud.post("/console/audit/verify/").content.decode()
    assert "校验通过" in body
    assert Entry.objects.order_by("-seq").first().event == "audit.verify"


def test_a_broken_chain_is_reported(world, client_aud, monkeypatch):
    from chuangwen.audit.chain import VerifyResult

    broken = VerifyResult(False, 7, "第 8 条记录的内容被改动(校验码不符)", 8)
    monkeypatch.setattr("chuangwen.audit.chain.verify", lambda: broken)
    body = client_aud.post("/console/audit/verify/").content.decode()
    assert "校验未通过:第 8 条记录的内容被改动" in body
    last = Entry.objects.order_by("-seq").first()
    assert (last.event, last.outcome) == ("audit.verify", Outcome.FAILURE)
