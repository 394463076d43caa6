"""The supervision pages: render for each persona, show only what is in scope, and drive the
services (recording, splitting, closing, findings) with Chinese messages for bad input."""

from datetime import date

import pytest
import time_machine

from chuangwen.attachments.models import Attachment
from chuangwen.attachments.selectors import attachment_url
from chuangwen.supervision import services
from chuangwen.supervision.models import Instruction, ItemStatus
from chuangwen.tasks.models import RewardPolicy, Task, TaskStatus

from .conftest import complete, fixes

pytestmark = pytest.mark.django_db


def _text(response):
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "{%" not in body and "{{" not in body
    return body


@pytest.fixture
def split(world, instruction):
    return services.instruction_split(instruction=instruction, units=[world.community], actor=world.hq,
                                      fixes=fixes())


def test_pages_render_for_hq_with_the_nav_item(client, login, world, instruction, split, meeting, visit):
    login(world.hq)
    decision = meeting.decisions.first()
    for url in ("/supervision/", "/supervision/?year=2026", "/supervision/agenda/",
                "/supervision/instructions/", "/supervision/instructions/new/",
                f"/supervision/instructions/{instruction.pk}/", "/supervision/meetings/",
                "/supervision/meetings/new/", f"/supervision/meetings/{meeting.pk}/",
                f"/supervision/decisions/{decision.pk}/", "/supervision/visits/", "/supervision/visits/new/",
                f"/supervision/visits/{visit.pk}/", "/supervision/instructions/?year=2026&status=open&q=背街"):
        body = _text(client.get(url))
        assert "督查督办" in body, url
    body = _text(client.get(f"/supervision/instructions/{instruction.pk}/"))
    assert split[0].code in body and "分解任务" in body


def test_a_unit_sees_the_instructions_with_its_tasks_only(client, login, world, instruction, split, today):
    other = services.instruction_create(leader=world.mayor, date=date(2026, 9, 11), title="西湖社区的批示",
                                        text="整改", actor=world.hq)
    services.instruction_split(instruction=other, units=[world.other_community], actor=world.hq,
                               fixes=fixes())
    login(world.c1_head)
    body = _text(client.get("/supervision/instructions/"))
    assert instruction.title in body and other.title not in body
    body = _text(client.get(f"/supervision/instructions/{instruction.pk}/"))
    assert "分解任务" not in body and split[0].code in body
    assert client.get(f"/supervision/instructions/{other.pk}/").status_code == 404
    # Acting is HQ's: the split endpoint refuses a unit head (and changes nothing).
    response = client.post(f"/supervision/instructions/{instruction.pk}/split/", {"units": "Q01-J01-S02"})
    assert response.status_code == 403
    assert Task.objects.count() == 2


def test_a_draft_task_does_not_show_its_instruction_to_the_unit(client, login, world, instruction):
    services.instruction_split(instruction=instruction, units=[world.community], actor=world.hq,
                               fixes=fixes(), issue=False)
    login(world.c1_head)
    assert client.get(f"/supervision/instructions/{instruction.pk}/").status_code == 404


def test_meeting_pages_show_a_unit_only_its_decisions(client, login, world, meeting):
    first, second = meeting.decisions.order_by("number")
    services.decision_split(decision=first, units=[world.community], actor=world.hq, fixes=fixes())
    services.decision_split(decision=second, units=[world.other_community], actor=world.hq, fixes=fixes())
    login(world.c1_head)
    body = _text(client.get(f"/supervision/meetings/{meeting.pk}/"))
    assert first.text in body and second.text not in body
    assert client.get(f"/supervision/decisions/{second.pk}/").status_code == 404
    login(world.district_head)
    assert client.get(f"/supervision/decisions/{first.pk}/").status_code == 200
    login(world.outsider)
    assert client.get("/supervision/").status_code == 403
    assert client.get(f"/supervision/meetings/{meeting.pk}/").status_code == 403


def test_visit_pages_show_findings_in_scope(client, login, world, visit, market, rubbish):
    services.finding_report(visit=visit, description="市场入口暴露垃圾", category=rubbish, site=market,
                            actor=world.hq)
    services.finding_report(visit=visit, description="西湖边垃圾", category=rubbish, district=world.other_district,
                            address="西湖路", actor=world.hq)
    login(world.district_head)
    body = _text(client.get(f"/supervision/visits/{visit.pk}/"))
    assert "市场入口暴露垃圾" in body and "西湖边垃圾" not in body
    login(world.c1_head)  # C1 answers for neither
    assert client.get(f"/supervision/visits/{visit.pk}/").status_code == 404


def test_hq_records_splits_and_closes_through_the_pages(client, login, world, today):
    login(world.hq)
    response = client.post("/supervision/instructions/new/", {
        "leader": world.mayor.pk, "date": "2026-09-15", "title": "关于农贸市场的批示", "text": "限期整改。",
        "doc_number": "上创文〔2026〕9号"})
    item = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/instructions/{item.pk}/"
    policy = RewardPolicy.objects.get(code="JC03")
    form = {"version": item.version, "units": "和平社区、Q01-J01-S02", "deadline": "2026-10-20",
            "title": "落实批示", "content": "限期整改。", "standard": "落实领导批示要求", "criteria": "按期办结",
            "points": "2", "policy": policy.pk, "issue": "on"}
    response = client.post(f"/supervision/instructions/{item.pk}/split/", form, follow=True)
    assert "已分解下达 2 项任务" in response.content.decode()
    tasks = list(Task.objects.filter(supervision_source__instruction=item).order_by("code"))
    assert [t.status for t in tasks] == [TaskStatus.ISSUED, TaskStatus.ISSUED]
    complete(tasks[0], world, world.c1_head)
    complete(tasks[1], world, world.c2_head)
    body = _text(client.get(f"/supervision/instructions/{item.pk}/"))
    assert "待办结" in body and "办结审核" in body
    item.refresh_from_db()
    response = client.post(f"/supervision/instructions/{item.pk}/close/", {"version": item.version,
                                                                           "note": "已整改到位"}, follow=True)
    assert "已办结" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED


def test_bad_input_on_the_pages_gives_chinese_messages(client, login, world, instruction):
    login(world.hq)
    response = client.post(f"/supervision/instructions/{instruction.pk}/split/", {
        "units": "不存在的单位", "deadline": "2026-10-20", "title": "t", "content": "c", "standard": "s",
        "criteria": "c", "points": "2", "policy": RewardPolicy.objects.get(code="JC01").pk}, follow=True)
    assert "单位“不存在的单位”不存在或已撤销" in response.content.decode()
    response = client.post(f"/supervision/instructions/{instruction.pk}/close/", {"note": "办结"}, follow=True)
    assert "尚未分解任务" in response.content.decode()
    response = client.post("/supervision/meetings/new/",
                           {"kind": "topic", "date": "2026-09-01", "title": "会"})
    assert "请选择主持人" in response.content.decode()
    assert not Task.objects.exists()


def test_the_source_document_is_downloaded_within_scope(client, login, world, today):
    from chuangwen.attachments.tests.samples import pdf_bytes, upload

    files = [upload("来文.pdf", pdf_bytes(), "application/pdf")]
    item = services.instruction_create(leader=world.mayor, date=date(2026, 9, 1), title="批示", text="内容",
                                       files=files, actor=world.hq)
    services.instruction_split(instruction=item, units=[world.community], actor=world.hq, fixes=fixes())
    url = attachment_url(Attachment.objects.get(owner_kind="supervision.instruction", owner_id=item.pk))
    login(world.c1_head)
    assert client.get(url).status_code == 200
    login(world.e1_head)
    assert client.get(url).status_code == 404


def test_the_agenda_lists_red_items_and_open_decisions(client, login, world, meeting, instruction, split):
    decision = meeting.decisions.get(number=1)
    services.decision_split(decision=decision, units=[world.community2], actor=world.hq, fixes=fixes())
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        login(world.hq)
        body = _text(client.get("/supervision/agenda/"))
    assert split[0].code in body and instruction.title in body
    assert "创文工作专题会议 第1项" in body and "农贸市场提档升级" in body


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_and_details_take_a_fixed_number_of_queries(client, login, world, meeting, visit, market,
                                                           rubbish):
    def add(n):
        for i in range(n):
            item = services.instruction_create(leader=world.mayor, date=date(2026, 9, 1), title=f"批示{i}",
                                               text="整改", actor=world.hq)
            services.instruction_split(instruction=item, units=[world.community, world.community2],
                                       actor=world.hq, fixes=fixes())
            decision = services.decision_add(meeting=meeting, text=f"事项{i}", actor=world.hq)
            services.decision_split(decision=decision, units=[world.community], actor=world.hq, fixes=fixes())
            services.finding_report(visit=visit, description=f"垃圾{i}", category=rubbish, site=market,
                                    actor=world.hq)

    urls = ("/supervision/", "/supervision/instructions/", "/supervision/meetings/", "/supervision/visits/",
            f"/supervision/meetings/{meeting.pk}/", f"/supervision/visits/{visit.pk}/",
            "/supervision/agenda/")
    for user in (world.hq, world.district_head):
        add(1)
        login(user)
        for url in urls:
            _queries(client, url)  # warm the per-process caches (calendar, content types)
        few = {url: _queries(client, url) for url in urls}
        add(6)
        assert {url: _queries(client, url) for url in urls} == few


def test_an_id_beyond_any_row_is_not_found(client, login, world):
    login(world.hq)
    for url in ("/supervision/instructions/{}/", "/supervision/meetings/{}/", "/supervision/decisions/{}/",
                "/supervision/visits/{}/"):
        assert client.get(url.format(2**70)).status_code == 404
