"""Excel import and export of units, people and posts (org.excel, org.views_excel)."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from chuangwen.audit.models import Entry
from chuangwen.lib.xlsx import build_workbook
from chuangwen.lib.xlsx_read import defused_xml_in_use
from chuangwen.org import excel
from chuangwen.org import services as org
from chuangwen.org.models import Post, Unit, UnitKind

pytestmark = pytest.mark.django_db
User = get_user_model()


def workbook(**sheets) -> bytes:
    """workbook(单位=[rows], ...) with the import's own headers."""
    columns = dict(excel.SHEETS)
    return build_workbook([(title, columns[title], rows) for title, rows in sheets.items()])


def counts():
    return Unit.objects.count(), User.objects.count(), Post.objects.count(), Entry.objects.count()


def export_bytes(client, login, user) -> bytes:
    response = login(user, client).get("/org/export.xlsx")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def unit_row(code, name, parent="", kind="社区/村"):
    return (code, name, kind, parent, "", 0, "")


# --- round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hq", "secadmin", "sysadmin"])
def test_export_then_import_changes_nothing(world, client, login, persona):
    actor = getattr(world, persona)
    data = export_bytes(client, login, actor)
    assert set(load_workbook(io.BytesIO(data)).sheetnames) == {"单位", "人员", "任职"}
    before = counts()
    result = excel.import_workbook(data=data, actor=actor)
    assert sum(result.created.values()) + sum(result.updated.values()) == 0
    assert counts() == before


def test_export_edit_name_import_updates_by_code_without_duplicates(world, client, login):
    wb = load_workbook(io.BytesIO(export_bytes(client, login, world.hq)))
    for row in wb["单位"].iter_rows(min_row=2):
        if row[0].value == "Q01-J01-S01":
            row[1].value = "和平新社区"
    buf = io.BytesIO()
    wb.save(buf)
    units = Unit.objects.count()
    result = excel.import_workbook(data=buf.getvalue(), actor=world.hq)
    assert result.updated["单位"] == 1 and result.created["单位"] == 0
    assert Unit.objects.count() == units
    world.shop.refresh_from_db()
    assert world.shop.full_name == "测试市/城东区/东街街道/和平新社区/和平副食店"


def test_export_is_audited_as_a_personal_data_export(world, client, login):
    export_bytes(client, login, world.c1_head)
    entry = Entry.objects.filter(event="pi.export").latest("seq")
    assert entry.actor_id == world.c1_head.pk
    assert entry.changes["rows"][1]["人员"] >= 2


def test_export_is_refused_to_people_without_export_or_import_verbs(world, client, login):
    assert login(world.auditor).get("/org/export.xlsx").status_code == 403
    assert login(world.outsider).get("/org/export.xlsx").status_code == 403


def test_export_is_limited_to_the_scope(world, client, login):
    wb = load_workbook(io.BytesIO(export_bytes(client, login, world.e1_head)))
    codes = {r[0] for r in wb["单位"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"Q02-S01"}
    # The parent of the scope's root is outside the scope: not named.
    assert [r[3] for r in wb["单位"].iter_rows(min_row=2, values_only=True)] == [None]
    people = {r[0] for r in wb["人员"].iter_rows(min_row=2, values_only=True)}
    assert people == {"e1_head"}
    assert {r[1] for r in wb["任职"].iter_rows(min_row=2, values_only=True)} == {"Q02-S01"}


# --- matching units ---------------------------------------------------------------------------


def test_units_are_matched_by_code_or_full_path(world):
    data = workbook(单位=[unit_row("N1", "新社区", parent="测试市/城东区/东街街道"), unit_row("N2", "新小区", parent="N1")],
                    任职=[])
    excel.import_workbook(data=data, actor=world.hq)
    assert Unit.objects.get(code="N2").full_name == "测试市/城东区/东街街道/新社区/新小区"
    data = workbook(任职=[("c2_head", "测试市/城东区/东街街道/新社区", "兼职书记", "否", "否", "2026-01-05", "")])
    result = excel.import_workbook(data=data, actor=world.secadmin)
    assert result.created["任职"] == 1
    assert Post.objects.filter(person=world.c2_head, unit__code="N1", title="兼职书记").exists()


def test_a_name_used_in_two_counties_is_refused_with_both_full_paths(world):
    org.unit_create(code="Q02-S09", name="和平社区", kind=UnitKind.COMMUNITY, parent=world.other_district)
    data = workbook(任职=[("c2_head", "和平社区", "兼职", "否", "否", "2026-01-05", "")])
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(data=data, actor=world.secadmin)
    [error] = caught.value.row_errors
    assert (error.sheet, error.row, error.column) == ("任职", 2, "单位")
    assert "测试市/城东区/东街街道/和平社区(Q01-J01-S01)" in error.message
    assert "测试市/城西区/和平社区(Q02-S09)" in error.message


# --- all or nothing ---------------------------------------------------------------------------

BAD_FILES = {
    "单位": ("hq", [unit_row("N1", "新社区", parent="Q01-J01"), unit_row("N2", "", parent="Q01-J01"),
                   unit_row("N3", "新社区三", parent="Q01-J01"), unit_row("N4", "四", parent="无此单位")]),
    "人员": ("sysadmin", [("newbie", "新人"), ("bad name!", "坏用户名"), ("newbie2", "新人二"), ("newbie3", "")]),
    "任职": ("secadmin", [("c2_head", "Q01-J01", "兼职", "否", "否", "2026-01-05", ""),
                        ("nobody", "Q01-J01", "兼职", "否", "否", "2026-01-05", ""),
                        ("c2_head", "D01", "顾问", "否", "否", "2026-01-05", ""),
                        ("c2_head", "D01-01", "顾问", "也许", "否", "2026/13/01", "")]),
}


@pytest.mark.parametrize("sheet", BAD_FILES)
def test_a_partly_invalid_sheet_imports_nothing_and_reports_every_bad_row(world, sheet):
    persona, rows = BAD_FILES[sheet]
    before = counts()
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(data=workbook(**{sheet: rows}), actor=getattr(world, persona))
    errors = caught.value.row_errors
    assert {e.sheet for e in errors} == {sheet}
    assert {e.row for e in errors} == {3, 5}
    assert all(e.message for e in errors)
    assert counts() == before


def test_a_service_refusing_halfway_rolls_back_the_whole_file(world):
    data = workbook(单位=[unit_row("N1", "新社区", parent="Q01-J01"), unit_row("Q01-J01-S02", "友谊新社区", parent="Q01-J01"),
                         ("D01", "市住建局", "市直部门", "D01-01", "", 0, "")])
    before = counts()
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(data=data, actor=world.hq)
    [error] = caught.value.row_errors
    assert (error.sheet, error.row, error.column) == ("单位", 4, "上级单位")
    assert "下级单位" in error.message
    assert counts() == before
    assert Unit.objects.get(code="Q01-J01-S02").name == "友谊社区"


# --- formulas stay text -----------------------------------------------------------------------

FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)"]


def test_formula_like_names_import_as_text_and_export_as_text(world, client, login):
    rows = [unit_row(f"F{i}", text, parent="Q01-J01") for i, text in enumerate(FORMULAS)]
    excel.import_workbook(data=workbook(单位=rows), actor=world.hq)
    assert [Unit.objects.get(code=f"F{i}").name for i in range(len(FORMULAS))] == FORMULAS
    ws = load_workbook(io.BytesIO(export_bytes(client, login, world.hq)))["单位"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    for i, text in enumerate(FORMULAS):
        assert cells[f"F{i}"].value == text
        assert cells[f"F{i}"].data_type == "s"


# --- hostile uploads --------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[name] = content
    return _zip(members)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def _entity_bomb(part: str) -> bytes:
    data = workbook(单位=[unit_row("N1", "新社区", parent="Q01-J01")])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        original = zf.read(part)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    return _with_member(data, part, LAUGHS + body.replace(b"\xe6\x96\xb0\xe7\xa4\xbe\xe5\x8c\xba", b"&lol3;"))


HOSTILE = {
    "too_big": ("big.xlsx", lambda: b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1), "文件过大"),
    "not_xlsx": ("notes.xlsx", lambda: b"just some text, not a workbook", "无法读取文件"),
    "wrong_extension": ("units.csv", lambda: b"code,name\n", "无法读取文件"),
    "zip_not_workbook": ("other.xlsx", lambda: _zip({"readme.txt": b"hello"}), "无法读取文件"),
    "zip_bomb": ("bomb.xlsx", lambda: _zip({"xl/workbook.xml": b"<x/>", "xl/big.bin": b"\0" * (70 * 1024 * 1024)}),
                 "解压后过大"),
    "entities_in_sheet": ("lol.xlsx", lambda: _entity_bomb("xl/worksheets/sheet1.xml"), "无法读取文件"),
    "entities_in_workbook": ("lol.xlsx", lambda: _entity_bomb("xl/workbook.xml"), "无法读取文件"),
}


def test_openpyxl_parses_through_defusedxml():
    assert defused_xml_in_use()


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_uploads_are_refused_in_chinese_without_a_server_error(world, client, login, case):
    name, make, message = HOSTILE[case]
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts()
    response = login(world.hq).post("/org/import/", {"file": SimpleUploadedFile(name, make())})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts()[:3] == before[:3]


# --- who may import ---------------------------------------------------------------------------


def test_a_person_without_the_sheets_verb_is_refused_and_nothing_changes(world):
    before = counts()[:3]
    with pytest.raises(PermissionDenied, match="管理账号"):
        excel.import_workbook(data=workbook(人员=[("newbie", "新人")]), actor=world.hq)
    with pytest.raises(PermissionDenied, match="维护单位"):
        excel.import_workbook(data=workbook(单位=[unit_row("N1", "新社区", parent="Q01-J01")]), actor=world.secadmin)
    assert counts()[:3] == before
    assert Entry.objects.filter(event="permission.denied", actor_id=world.hq.pk).exists()


def test_import_page_is_refused_to_people_without_any_import_verb(world, client, login):
    assert login(world.c1_head).get("/org/import/").status_code == 403
    page = login(world.c1_head).get("/org/units/").content.decode()
    assert 'data-testid="org-import"' not in page


def test_import_page_shows_row_errors_and_then_a_summary(world, client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login(world.hq)
    assert 'data-testid="org-import"' in c.get("/org/units/").content.decode()
    bad = workbook(单位=[unit_row("N1", "", parent="Q01-J01")])
    response = c.post("/org/import/", {"file": SimpleUploadedFile("u.xlsx", bad)})
    assert response.status_code == 400
    assert "单位名称" in response.content.decode() and "未导入任何数据" in response.content.decode()
    good = workbook(单位=[unit_row("N1", "新社区", parent="Q01-J01")])
    response = c.post("/org/import/", {"file": SimpleUploadedFile("u.xlsx", good)})
    assert response.status_code == 200
    assert "单位:新增 1 条" in response.content.decode()
    assert Unit.objects.get(code="N1").parent == world.street
