"""The 督办单 (.docx): what it says, read back with python-docx, and who may print it."""

import io
from datetime import date
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from chuangwen.audit.models import Entry
from chuangwen.tasks import services, supervision_notice
from chuangwen.workdays.services import calendar_seed

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def make(world, plan, policy):
    calendar_seed(years=[2026])

    def _make(deadline, **over):
        fields = draft_kwargs(world, policy, deadline=deadline, **over)
        task = services.task_create(plan=plan, actor=world.hq, **fields)
        return services.task_issue(task=task, actor=world.hq)

    return _make


def oct9():
    """The Friday after National Day, from Shanghai midnight (log in after travelling: a session
    from Sep 16 has long expired)."""
    return time_machine.travel("2026-10-09 00:00 +0800", tick=False)


def url(task) -> str:
    return reverse("tasks:supervision_docx", args=[task.code])


def read(response) -> tuple[list[str], dict[str, str], Document]:
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    table = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    return paragraphs, table, doc


def test_red_notice_carries_every_field(world, make, login, client):
    task = make(d(9, 18), lead_unit=world.dept, title="主干道占道经营整治",
                content="清理占道经营。\n设置疏导点。")
    with oct9():
        login(world.hq)
        response = client.get(url(task))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    filename = f"红色督办单-{task.code}.docx"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    paragraphs, table, doc = read(response)
    code_tail = task.code.removeprefix("2026-")
    assert paragraphs[:2] == ["红色督办单", f"红督〔2026〕第{code_tail}号"]
    assert table == {
        "任务编号": task.code,
        "任务名称": "主干道占道经营整治",
        "任务内容": "清理占道经营。\n设置疏导点。",
        "牵头单位": "市住建局",
        "主要负责人": "丙局长",
        "责任人": "丙局长",
        "完成时限": "2026年9月18日",
        # Sep 20 (make-up Sunday) counts; Sep 25 (Mid-autumn) and Oct 1-7 do not.
        "逾期工作日": "10个工作日",
        "完成进度": "0%",
        "挂钩领导": "乙市长",
        "交办单位": "创建全国文明城市指挥部办公室",
        "督办要求": table["督办要求"],
        "签发日期": "2026年10月9日",
    }
    assert "红色督办" in table["督办要求"] and "乙市长" in table["督办要求"]
    assert "原定时限" not in table
    assert "创建全国文明城市指挥部办公室" in paragraphs and "2026年10月9日" in paragraphs
    # A4 in 宋体 (Chinese glyphs come from w:eastAsia).
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # stored in twips
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体" and normal.get(qn("w:ascii")) == "SimSun"
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None  # a theme font would win
    runs = [r for p in doc.paragraphs for r in p.runs] + [
        r for row in doc.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs} <= {"宋体", "黑体"}
    entry = Entry.objects.filter(event="task.supervision_notice").get()
    assert entry.object_id == str(task.pk) and entry.actor_id == world.hq.pk
    assert entry.changes["colour"] == [None, "red"]


def test_yellow_notice_counts_working_days_over_the_holiday_and_shows_the_original_deadline(
        world, make, login, client):
    task = make(d(9, 29))
    ext = services.extension_request(task=task, actor=world.district_head, new_deadline=d(9, 30),
                                     reason="雨天")
    services.extension_decide(extension=ext, actor=world.hq, approve=True)
    with oct9():
        login(world.district_head)
        response = client.get(url(task))
    assert response.status_code == 200
    paragraphs, table, _ = read(response)
    assert paragraphs[0] == "黄色督办单" and paragraphs[1].startswith("黄督〔2026〕")
    assert table["完成时限"] == "2026年9月30日" and table["原定时限"] == "2026年9月29日"
    assert table["逾期工作日"] == "2个工作日"  # Oct 8 and 9; the National Day week counts nothing
    assert table["主要负责人"] == "丁区长" and table["挂钩领导"] == "—"
    assert "黄色督办" in table["督办要求"]


def get_on_oct9(client, login, user, task):
    with oct9():
        if user is not None:
            login(user)
        return client.get(url(task))


@pytest.mark.parametrize("deadline, state", [(d(10, 12), "蓝色"), (d(10, 30), "未逾期")])
def test_refused_unless_yellow_or_red(world, make, login, client, deadline, state):
    task = make(deadline)
    response = get_on_oct9(client, login, world.hq, task)
    assert response.status_code == 302
    assert response.url == reverse("tasks:task_detail", args=[task.code])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"只有黄色或红色督办的任务才能打印督办单,该任务当前为“{state}”。"]
    assert not Entry.objects.filter(event="task.supervision_notice").exists()


def test_a_cancelled_task_has_no_colour(world, make, login, client):
    task = make(d(9, 18))
    services.task_cancel(task=task, actor=world.hq, reason="任务调整")
    assert get_on_oct9(client, login, world.hq, task).status_code == 302


def test_someone_outside_the_scope_gets_404(world, make, login, client):
    task = make(d(9, 18))  # led by district D; e1_head heads a community of district E
    assert get_on_oct9(client, login, world.e1_head, task).status_code == 404
    with oct9():
        assert client.get(reverse("tasks:supervision_docx", args=["2026-999"])).status_code == 404


def test_the_lead_units_head_may_print_it(world, make, login, client):
    task = make(d(9, 18))
    assert get_on_oct9(client, login, world.district_head, task).status_code == 200


def test_an_administrator_without_task_view_is_refused(world, make, login, client):
    task = make(d(9, 18))
    assert get_on_oct9(client, login, world.sysadmin, task).status_code == 403


def test_anonymous_is_sent_to_login(world, make, client, login):
    task = make(d(9, 18))
    response = get_on_oct9(client, login, None, task)
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_number_drops_the_plan_year_from_the_code(world, make):
    task = make(d(10, 30))
    assert supervision_notice.number_of(task, "red", d(10, 9)) == f"红督〔2026〕第{task.code[5:]}号"
