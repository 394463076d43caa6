"""The 任务分解表 import and the task ledger export (tasks.excel, tasks.views.excel), with real
.xlsx files and the real database."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from chuangwen.audit.models import Entry
from chuangwen.org import services as org
from chuangwen.org.models import UnitKind
from chuangwen.tasks import excel, services
from chuangwen.tasks.excel import cells
from chuangwen.tasks.models import Task, TaskStatus

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db

BASIC = ("序号", "任务内容", "牵头单位", "配合单位", "责任人", "完成时限", "考评标准", "分值", "奖惩规则")


def row(**over) -> dict:
    values = {"序号": "1", "任务名称": "背街小巷整治", "任务内容": "完成辖区背街小巷路面修复和垃圾清运。",
              "对应测评标准": "城市管理规范有序", "牵头单位": "Q01", "配合单位": "", "责任人": "",
              "完成时限": "2026-10-30", "考评标准": "实地检查无暴露垃圾", "分值": 5, "奖惩规则": "JC01"}
    values.update(over)
    return values


def xlsx(*rows: dict, columns=None) -> bytes:
    """A workbook as a person would type it (openpyxl, not the app's writer)."""
    columns = columns or list(dict.fromkeys(c for r in rows for c in r))
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(columns))
    for r in rows:
        ws.append([r.get(c, "") for c in columns])
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # typed as text ('=1+1), not as a formula
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def import_(world, plan, *rows, columns=None, actor=None):
    return excel.import_tasks(data=xlsx(*rows, columns=columns), plan=plan, actor=actor or world.hq)


def rejected(world, plan, *rows, columns=None) -> list:
    before = (Task.objects.count(), Entry.objects.count())
    with pytest.raises(excel.ImportRejected) as caught:
        import_(world, plan, *rows, columns=columns)
    assert (Task.objects.count(), Entry.objects.count()) == before
    return caught.value.row_errors


def export_bytes(client, login, user, query="") -> bytes:
    response = login(user, client).get(f"/tasks/export.xlsx{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def ledger(data: bytes) -> list[dict]:
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def task_updates() -> int:
    return Entry.objects.filter(event="task.update").count()


# --- creating drafts ---------------------------------------------------------------------------


class TestImportCreates:
    def test_creates_drafts_with_units_by_code_and_by_full_path(self, world, plan):
        result = import_(world, plan,
                         row(序号="1", 牵头单位="Q01", 配合单位="D01、测试市/城东区/东街街道"),
                         row(序号="2", 牵头单位="测试市/城东区/东街街道/和平社区", 任务名称="",
                             任务内容="社区公益广告全覆盖,做到每个小区不少于两处。"))
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        first, second = Task.objects.filter(plan=plan).order_by("code")
        assert (first.code, second.code) == ("2026-001", "2026-002")
        assert first.status == TaskStatus.DRAFT and first.lead_unit == world.district
        assert set(first.cooperating_units.all()) == {world.dept, world.street}
        assert first.responsible_person == world.district_head  # empty 责任人: the lead unit's head
        assert first.deadline == first.original_deadline == date(2026, 10, 30) and first.points == 5
        assert first.policy.code == "JC01" and first.standard == "城市管理规范有序"
        assert second.lead_unit == world.community
        assert second.title == "社区公益广告全覆盖,做到每个小区不少于两处。"[:30]
        assert services.missing_fixes(first) == []

    def test_each_new_task_is_audited_and_the_import_once_with_counts(self, world, plan):
        import_(world, plan, row(序号="1"), row(序号="2"))
        assert Entry.objects.filter(event="task.create").count() == 2
        entry = Entry.objects.get(event="task.import")
        assert entry.actor_id == world.hq.pk and entry.object_id == str(plan.pk)
        assert entry.changes["created"] == [None, 2] and entry.changes["unchanged"] == [None, 0]

    def test_code_column_with_a_code_keeps_it_and_numbers_are_generated_around_it(self, world, plan):
        import_(world, plan, row(序号="1"), row(序号="2026-001", 任务名称="指定编号"), row(序号="2"),
                columns=[*BASIC, "任务名称"])
        assert dict(Task.objects.values_list("code", "title")) == {
            "2026-001": "指定编号", "2026-002": "背街小巷整治", "2026-003": "背街小巷整治"}

    def test_full_width_separators_as_typed_on_a_chinese_keyboard(self, world, plan):
        import_(world, plan, row(配合单位="D01\uff0cQ01-J01\uff1b测试市\uff0f城东区",
                                 节点="摸底\uff1a2026-10-10\uff1b整治\uff1a2026-10-20"))
        task = Task.objects.get()
        assert set(task.cooperating_units.all()) == {world.dept, world.street, world.district}
        assert [m.title for m in task.milestones.all()] == ["摸底", "整治"]

    @pytest.mark.parametrize("typed", ["2026-10-30", "2026/10/30", "2026年10月30日", date(2026, 10, 30)])
    def test_deadline_as_text_or_date_cell(self, world, plan, typed):
        import_(world, plan, row(完成时限=typed), columns=BASIC)
        assert Task.objects.get().deadline == date(2026, 10, 30)

    def test_responsible_person_by_full_name_or_username(self, world, plan):
        import_(world, plan, row(序号="1", 牵头单位="Q01-J01-S01", 责任人="己联络"),
                row(序号="2", 牵头单位="Q01-J01-S01", 责任人="c1_head"))
        assert list(Task.objects.order_by("code").values_list("responsible_person__username", flat=True)) == [
            "c1_liaison", "c1_head"]

    def test_optional_columns_work_group_policy_by_name_and_milestones(self, world, plan, policy):
        milestones = "摸底排查:2026-10-10;集中整治:2026-10-25"
        import_(world, plan, row(工作组="优美环境组", 奖惩规则=policy.name, 节点=milestones))
        task = Task.objects.get()
        assert task.work_group == world.group and task.policy == policy
        assert [(m.title, m.due) for m in task.milestones.all()] == [
            ("摸底排查", date(2026, 10, 10)), ("集中整治", date(2026, 10, 25))]


# --- refusing ----------------------------------------------------------------------------------


class TestImportRefuses:
    def test_a_name_used_twice_lists_both_full_paths(self, world, plan):
        org.unit_create(code="Q02-S09", name="和平社区", kind=UnitKind.COMMUNITY, parent=world.other_district)
        [error] = rejected(world, plan, row(牵头单位="和平社区"))
        assert (error.row, error.column) == (2, "牵头单位")
        assert "测试市/城东区/东街街道/和平社区(Q01-J01-S01)" in error.message
        assert "测试市/城西区/和平社区(Q02-S09)" in error.message

    def test_every_bad_row_is_reported_by_number_and_nothing_is_imported(self, world, plan):
        errors = rejected(
            world, plan,
            row(序号="1"),
            row(序号="2", 牵头单位="城东"),
            row(序号="3", 完成时限="2026-13-45"),
            row(序号="4", 分值=-1),
            row(序号="5", 奖惩规则="JC99"),
            row(序号="6", 牵头单位="Q01", 责任人="戊书记"),  # head of a community, not of the district
            row(序号="7"),
        )
        by_row = {e.row: e for e in errors}
        assert sorted(by_row) == [3, 4, 5, 6, 7]
        assert str(by_row[3]).startswith("第3行:牵头单位“城东”不存在")
        assert "测试市/城东区(Q01)" in by_row[3].message  # a near name is suggested
        assert by_row[4].column == "完成时限" and "2026-13-45" in by_row[4].message
        assert by_row[5].column == "分值" and "负数" in by_row[5].message
        assert by_row[6].column == "奖惩规则" and "JC01" in by_row[6].message  # the choices are listed
        assert by_row[7].column == "责任人" and "城东区" in by_row[7].message

    def test_duplicate_keys_and_unknown_parent_are_row_errors(self, world, plan):
        errors = rejected(world, plan, row(序号="1"), row(序号="1"), row(序号="2", 上级任务编号="9"))
        assert [(e.row, e.column) for e in errors] == [(3, "序号"), (4, "上级任务编号")]

    @pytest.mark.parametrize(("data", "expected"), [
        (b"not a spreadsheet at all", "无法读取文件"),
        (b"", "无法读取文件"),
    ])
    def test_a_file_that_is_not_xlsx_is_refused_whole(self, world, plan, data, expected):
        with pytest.raises(excel.ImportRejected) as caught:
            excel.import_tasks(data=data, plan=plan, actor=world.hq)
        [error] = caught.value.row_errors
        assert error.row == 0 and expected in error.message

    def test_an_entity_bomb_in_the_sheet_is_refused(self, world, plan):
        laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
        with zipfile.ZipFile(io.BytesIO(xlsx(row()))) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        sheet = members["xl/worksheets/sheet1.xml"]
        members["xl/worksheets/sheet1.xml"] = laughs + sheet.split(b"?>", 1)[-1]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in members.items():
                zf.writestr(name, content)
        with pytest.raises(excel.ImportRejected) as caught:
            excel.import_tasks(data=buf.getvalue(), plan=plan, actor=world.hq)
        assert "无法读取文件" in caught.value.row_errors[0].message
        assert not Task.objects.exists()

    def test_wrong_headers_name_the_missing_columns(self, world, plan):
        [error] = rejected(world, plan, {"编号": "1", "内容": "x"})
        assert "缺少列" in error.message and "任务内容" in error.message and "奖惩规则" in error.message

    def test_a_header_without_rows_is_refused(self, world, plan):
        [error] = rejected(world, plan, columns=BASIC)
        assert "没有任务" in error.message

    def test_more_rows_than_the_limit_are_refused_before_any_check(self, world, plan):
        [error] = rejected(world, plan, *[row(序号=str(i)) for i in range(excel.MAX_ROWS + 1)])
        assert error.row == 0 and f"最多导入 {excel.MAX_ROWS} 行" in error.message

    def test_only_hq_staff_import(self, world, plan):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            import_(world, plan, row(), actor=world.district_head)
        assert not Task.objects.exists()


# --- updating by code --------------------------------------------------------------------------


class TestReimport:
    def test_updates_a_draft_by_code_without_duplicating(self, world, plan, draft, client, login):
        rows = ledger(export_bytes(client, login, world.hq, f"?plan={plan.pk}"))
        rows[0]["任务内容"] = "新的任务内容"
        rows[0]["牵头单位"] = "Q01-J01"
        rows[0]["责任人"] = ""  # the district head does not work in the street: default to its head
        result = import_(world, plan, *rows)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
        task = Task.objects.get()
        assert task.pk == draft.pk and task.version == draft.version + 1
        assert (task.content, task.lead_unit) == ("新的任务内容", world.street)
        assert task.responsible_person is None  # the street has no head: the gate will say so
        assert Entry.objects.filter(event="task.update", object_id=str(task.pk)).count() == 1

    def test_issued_task_takes_live_fields(self, world, plan, issued, client, login):
        rows = ledger(export_bytes(client, login, world.hq))
        rows[0]["考评标准"] = "实地检查两次"
        rows[0]["分值"] = 8
        result = import_(world, plan, *rows)
        assert result.updated == 1
        task = Task.objects.get()
        assert (task.criteria, task.points, task.status) == ("实地检查两次", Decimal(8), TaskStatus.ISSUED)

    @pytest.mark.parametrize(("column", "value", "words"), [
        ("完成时限", "2026-11-30", "已下达任务的完成时限须通过延期申请调整"),
        ("牵头单位", "Q01-J01-S01", "已下达任务的牵头单位不能修改"),
        ("责任人", "庚书记", "已下达任务的责任人不能修改"),
        ("配合单位", "D01", "已下达任务的配合单位不能通过导入修改"),
    ])
    def test_issued_task_refuses_deadline_and_parties(self, world, plan, issued, client, login,
                                                       column, value, words):
        org.post_appoint(person=world.c2_head, unit=world.district, title="副区长",
                         valid_from=date(2026, 1, 1))
        rows = ledger(export_bytes(client, login, world.hq))
        if column == "牵头单位":
            rows[0]["责任人"] = ""
        rows[0][column] = value
        [error] = rejected(world, plan, *rows)
        assert (error.row, error.column) == (2, column) and words in error.message
        task = Task.objects.get()
        assert (task.deadline, task.version) == (date(2026, 10, 30), issued.version)

    def test_task_of_another_plan_is_refused(self, world, plan, draft):
        other = services.plan_create(year=2027, title="另一方案", issuing_unit=world.hq_unit, actor=world.hq)
        [error] = rejected(world, other, row(序号=draft.code), columns=BASIC)
        assert error.column == "序号" and "不能导入到本方案" in error.message

    def test_a_service_refusing_halfway_rolls_back_the_whole_file(self, world, plan):
        # The subtask code generated from a 39-character parent code is too long for the field:
        # only the service's full_clean knows, after the parent (row 2) is already written.
        long_code = "X" * 39
        errors = rejected(world, plan, row(序号=long_code, 牵头单位="HQ"),
                          row(序号="1", 上级任务编号=long_code), row(序号="2"))
        [error] = errors
        assert error.row == 3 and "40" in error.message


# --- parent and child --------------------------------------------------------------------------


class TestSubtasks:
    def test_child_rows_become_subtasks_issued_by_the_parents_lead_unit(self, world, plan):
        child = dict(上级任务编号="1", 完成时限="2026-10-20")
        result = import_(world, plan,
                         row(序号="2", 牵头单位="Q01", 任务名称="城东区宣传", **child),
                         row(序号="1", 牵头单位="HQ", 任务名称="公益广告宣传"),
                         row(序号="3", 牵头单位="Q02", 任务名称="城西区宣传", **child))
        assert result.created == 3
        parent = Task.objects.get(title="公益广告宣传")
        children = list(parent.subtasks.order_by("code"))
        assert [c.code for c in children] == [f"{parent.code}-01", f"{parent.code}-02"]
        assert [c.lead_unit for c in children] == [world.district, world.other_district]
        assert {c.issuing_unit for c in children} == {world.hq_unit}

    def test_child_of_a_task_led_by_a_district_is_for_that_district_to_draft(self, world, plan, draft):
        [error] = rejected(world, plan, row(序号="1", 上级任务编号=draft.code, 牵头单位="Q01-J01"))
        assert error.column == "上级任务编号" and "城东区" in error.message

    def test_a_childs_own_code_must_extend_its_parents(self, world, plan, policy):
        kwargs = draft_kwargs(world, policy, lead_unit=world.hq_unit)
        parent = services.task_create(plan=plan, actor=world.hq, **kwargs)
        errors = rejected(world, plan, row(序号="2026-009", 上级任务编号=parent.code),
                          row(序号=f"{parent.code}-07", 任务名称="子任务"),
                          columns=[*BASIC, "上级任务编号", "任务名称"])
        assert [(e.row, e.column) for e in errors] == [(2, "序号"), (3, "序号")]
        assert f"{parent.code}-01" in errors[0].message and "形如已有任务的下级任务编号" in errors[1].message

    def test_child_deadline_after_parents_is_a_row_error(self, world, plan):
        [error] = rejected(world, plan, row(序号="1", 牵头单位="HQ"),
                           row(序号="2", 上级任务编号="1", 完成时限="2026-11-30"))
        assert (error.row, error.column) == (3, "完成时限")


# --- export, and the round trip ----------------------------------------------------------------


def _city_with_tasks(world, plan, policy):
    """A draft with every kind of value, an issued task with a report, and a subtask."""
    services.task_create(plan=plan, actor=world.hq, cooperating_units=[world.dept, world.street],
                         milestones=[{"title": "摸底", "due": date(2026, 10, 10)}], work_group=world.group,
                         **draft_kwargs(world, policy, points=Decimal("2.5"), content="多行\n内容  "))
    issued = services.task_issue(task=services.task_create(plan=plan, actor=world.hq, **draft_kwargs(
        world, policy, lead_unit=world.community, responsible_person=world.c1_liaison)), actor=world.hq)
    issued = services.task_sign_for(task=issued, actor=world.c1_head)
    issued = services.task_start(task=issued, actor=world.c1_head)
    services.progress_report(task=issued, actor=world.c1_liaison, percent=40, text="=1+1 已完成四成")
    parent = services.task_create(plan=plan, actor=world.hq,
                                  **draft_kwargs(world, policy, lead_unit=world.hq_unit))
    services.task_create(plan=plan, actor=world.hq, parent=parent, **draft_kwargs(world, policy))
    return issued


class TestExport:
    def test_export_then_import_changes_nothing(self, world, plan, policy, client, login):
        _city_with_tasks(world, plan, policy)
        data = export_bytes(client, login, world.hq, f"?plan={plan.pk}")
        versions = dict(Task.objects.values_list("code", "version"))
        updates = task_updates()
        result = excel.import_tasks(data=data, plan=plan, actor=world.hq)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
        assert dict(Task.objects.values_list("code", "version")) == versions
        assert task_updates() == updates
        assert Entry.objects.filter(event="task.import").count() == 1

    def test_ledger_columns_status_colour_and_latest_report(self, world, plan, policy, client, login):
        issued = _city_with_tasks(world, plan, policy)
        rows = {r["任务编号"]: r for r in ledger(export_bytes(client, login, world.hq))}
        assert list(next(iter(rows.values()))) == list(excel.LEDGER_COLUMNS)
        got = rows[issued.code]
        assert (got["状态"], got["督办颜色"]) == ("办理中", "正常")
        assert got["牵头单位"] == "测试市/城东区/东街街道/和平社区"
        assert got["最近报送"] == "2026-09-16 进度40%:=1+1 已完成四成"
        assert got["责任人"] == "己联络" and got["完成时限"].date() == date(2026, 10, 30)
        draft = rows["2026-001"]
        assert draft["配合单位"] == "测试市/市住建局、测试市/城东区/东街街道" and draft["分值"] == 2.5
        assert draft["节点"] == "摸底:2026-10-10" and draft["状态"] == "草拟" and draft["督办颜色"] is None

    def test_formula_like_text_is_exported_as_text_and_comes_back_the_same(self, world, plan, client, login):
        import_(world, plan, row(序号="1", 任务内容="=1+1", 任务名称="@SUM(A1)"),
                row(序号="2", 任务内容="+1", 考评标准="-1"))
        data = export_bytes(client, login, world.hq)
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        header = [c.value for c in ws[1]]
        cells = {r[0].value: r for r in ws.iter_rows(min_row=2)}
        content = cells["2026-001"][header.index("任务内容")]
        assert (content.value, content.data_type) == ("=1+1", "s")
        assert cells["2026-001"][header.index("任务名称")].value == "@SUM(A1)"
        assert cells["2026-002"][header.index("考评标准")].value == "-1"
        result = excel.import_tasks(data=data, plan=plan, actor=world.hq)
        assert result.unchanged == 2 and Task.objects.get(code="2026-001").content == "=1+1"

    def test_district_head_exports_only_what_they_see(self, world, plan, policy, client, login):
        def issue(**over):
            task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, **over))
            return services.task_issue(task=task, actor=world.hq)

        mine = issue()
        theirs = issue(lead_unit=world.other_community)  # in 城西区, the other district
        # A draft led by the district is not the district's yet.
        services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))
        codes = [r["任务编号"] for r in ledger(export_bytes(client, login, world.district_head))]
        assert codes == [mine.code] and theirs.code not in codes
        entry = Entry.objects.filter(event="task.export").latest("seq")
        assert entry.actor_id == world.district_head.pk and entry.changes["rows"] == [None, 1]

    def test_export_filters_by_plan_and_hides_plans_out_of_sight(self, world, plan, draft, client, login):
        other = services.plan_create(year=2027, title="另一方案", issuing_unit=world.hq_unit, actor=world.hq)
        assert ledger(export_bytes(client, login, world.hq, f"?plan={other.pk}")) == []
        assert len(ledger(export_bytes(client, login, world.hq, f"?plan={plan.pk}"))) == 1
        assert login(world.district_head).get(f"/tasks/export.xlsx?plan={plan.pk}").status_code == 404
        assert client.get("/tasks/export.xlsx?plan=x").status_code == 404
        assert client.get("/tasks/export.xlsx?plan=\u00b2").status_code == 404

    def test_export_queries_do_not_grow_with_the_tasks(self, world, plan, policy, client, login,
                                                      django_assert_max_num_queries):
        _city_with_tasks(world, plan, policy)
        c = login(world.hq)
        c.get("/tasks/export.xlsx")  # warm the session and per-process caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            c.get("/tasks/export.xlsx")
        for n in range(6):
            services.task_create(plan=plan, actor=world.hq, cooperating_units=[world.dept],
                                 **draft_kwargs(world, policy, title=f"任务{n}"))
        with django_assert_max_num_queries(len(few)):
            c.get("/tasks/export.xlsx")

    def test_template_has_the_columns_and_a_guide(self, world, client, login):
        wb = load_workbook(io.BytesIO(export_bytes(client, login, world.hq, "?template=1")))
        assert wb.sheetnames == ["任务分解表", "填写说明"]
        assert [c.value for c in wb["任务分解表"][1]] == list(excel.COLUMNS)
        assert wb["任务分解表"].max_row == 1

    def test_people_without_the_verbs_are_refused(self, world, plan, client, login):
        assert login(world.outsider).get("/tasks/export.xlsx").status_code == 403
        assert login(world.outsider).get("/tasks/import/").status_code == 403
        assert login(world.district_head).get("/tasks/import/").status_code == 403
        assert Entry.objects.filter(event="permission.denied", actor_id=world.outsider.pk).count() == 2


# --- the page ----------------------------------------------------------------------------------


class TestImportPage:
    def post(self, client, plan, data: bytes, name="分解表.xlsx"):
        return client.post("/tasks/import/", {"plan": plan.pk, "file": SimpleUploadedFile(name, data)})

    def test_page_offers_the_template_and_preselects_the_plan(self, world, plan, client, login):
        response = login(world.hq).get(f"/tasks/import/?plan={plan.pk}")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/tasks/export.xlsx?template=1" in html and f'value="{plan.pk}" selected' in html
        assert "<script" not in html.split("<main")[1] and "style=" not in html.split("<main")[1]

    def test_success_redirects_to_the_plan_with_a_summary(self, world, plan, client, login):
        login(world.hq)
        response = self.post(client, plan, xlsx(row(序号="1"), row(序号="2")))
        assert response.status_code == 302 and response["Location"] == f"/tasks/plans/{plan.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert "新增2条,更新0条,未变0条" in page

    def test_errors_are_shown_as_a_table_and_nothing_is_imported(self, world, plan, client, login):
        login(world.hq)
        response = self.post(client, plan, xlsx(row(序号="1"), row(序号="2", 牵头单位="城东")))
        assert response.status_code == 400
        html = response.content.decode()
        assert 'data-testid="import-errors"' in html and "第3行" in html and "牵头单位“城东”不存在" in html
        assert not Task.objects.exists()

    def test_a_non_xlsx_upload_gets_a_message(self, world, plan, client, login):
        login(world.hq)
        response = self.post(client, plan, b"%PDF-1.4", name="分解表.pdf")
        assert response.status_code == 400 and "xlsx" in response.content.decode()
        response = self.post(client, plan, b"%PDF-1.4", name="伪装.xlsx")
        assert response.status_code == 400 and "无法读取文件" in response.content.decode()
        assert not Task.objects.exists() and not Entry.objects.filter(event="task.import").exists()


# --- cells, without the database ---------------------------------------------------------------


class TestCells:
    @pytest.mark.parametrize(("text", "expected"), [
        ("", None), ("2026-10-30", date(2026, 10, 30)), ("2026/1/5", date(2026, 1, 5)),
        ("2026年10月30日", date(2026, 10, 30)), ("2026.10.30", date(2026, 10, 30)),
        ("2026-10-30 00:00:00", date(2026, 10, 30)),
    ])
    def test_dates(self, text, expected):
        assert cells.parse_date(text) == expected

    @pytest.mark.parametrize("text", ["2026-02-30", "10/30/2026", "明年"])
    def test_bad_dates(self, text):
        with pytest.raises(ValueError):
            cells.parse_date(text)

    @pytest.mark.parametrize(("text", "expected"), [
        ("", None), ("5", Decimal(5)), ("2.5", Decimal("2.5")), ("5分", Decimal(5)), ("0", Decimal(0)),
        ("2.3000000000000003", Decimal("2.3")),
    ])
    def test_points(self, text, expected):
        assert cells.parse_points(text) == expected

    @pytest.mark.parametrize(("text", "why"), [
        ("-1", "负数"), ("abc", "数字"), ("NaN", "数字"), ("1.234", "两位小数"), ("10000", "超过"),
    ])
    def test_bad_points(self, text, why):
        with pytest.raises(ValueError, match=why):
            cells.parse_points(text)

    def test_milestones_split_on_semicolons_and_the_last_colon(self):
        assert cells.parse_milestones("阶段一\uff1a摸底:2026-10-10;集中整治\uff1a2026-10-25\n") == [
            {"title": "阶段一\uff1a摸底", "due": date(2026, 10, 10)},
            {"title": "集中整治", "due": date(2026, 10, 25)},
        ]
        with pytest.raises(ValueError, match="格式"):
            cells.parse_milestones("摸底 2026-10-10")

    @pytest.mark.parametrize(("key", "is_code"), [
        ("2026-001", True), ("2026-001-02", True), ("JC1", True), ("1", False), ("12", False), ("1.2", False),
        ("一", False), ("(一)", False),
    ])
    def test_code_or_serial_number(self, key, is_code):
        assert cells.looks_like_code(key) is is_code
