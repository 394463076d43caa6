"""督查督办 end to end in a real browser: HQ records a leader's instruction and splits it into
tasks for two communities; each community head signs for, reports and hands in (交账) on the
task page; the HQ office head accepts both; HQ closes the instruction (办结), which the page then
shows.  One community head works on a phone and reaches the task from the instruction.

Chromium runs in a child process (chuangwen/dashboard/tests/browser.py), as the task chain's
browser test does; the test then checks the database and the audit trail.
"""

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

TITLE = "关于和平路背街小巷环境问题的批示"


def _flow(job, browser, sessions, progress):
    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    def session(username, device=DESKTOP):
        s = BrowserSession(browser.new_context(**device, locale="zh-CN"), job["base"])
        sessions.append(s)
        s.login(username, job["password"])
        return s

    def click(s, name):
        s.page.get_by_role("button", name=name, exact=True).click()

    def task_status_is(s, label):
        expect(s.page.locator("#task-status")).to_have_text(label)

    progress["step"] = "hq records the instruction"
    hq = session("hq")
    hq.nav_link("督查督办").click()
    hq.page.locator(".cw-subnav").get_by_role("link", name="领导批示").click()
    hq.page.get_by_role("link", name="登记批示").click()
    hq.page.get_by_label("批示领导").select_option(label="乙市长")
    hq.page.get_by_label("批示日期").fill(job["today"])
    hq.page.get_by_label("批示事项(来文标题)").fill(TITLE)
    hq.page.get_by_label("批示内容").fill("请城东区组织和平、友谊两社区限期整改,整改情况报我。")
    hq.page.get_by_label("来文文号").fill("上创文〔2026〕12号")
    click(hq, "保存")
    expect(hq.page.locator("#item-stage")).to_contain_text("待分解")
    instruction_url = hq.page.url

    progress["step"] = "hq splits it into two tasks"
    hq.page.get_by_label("承办单位(编码或全称,多个用顿号分隔,每个单位一项任务)").fill("和平社区、友谊社区")
    hq.page.get_by_label("完成时限").fill(job["deadline"])
    # The other five fixes are proposed by the form (task name, content, standard, criteria,
    # points, the reward/penalty rule).
    expect(hq.page.get_by_label("任务名称")).to_have_value(f"落实乙市长批示:{TITLE}")
    click(hq, "分解任务")
    expect(hq.page.locator("body")).to_contain_text("已分解下达 2 项任务")
    expect(hq.page.locator("#item-tasks tbody tr")).to_have_count(2)
    expect(hq.page.locator("#item-stage")).to_contain_text("办理中")

    def unit_works(username, device, summary):
        unit = session(username, device)
        if device is DESKTOP:
            unit.nav_link("督查督办").click()
        else:  # the navigation is folded away on a phone
            unit.goto("/supervision/")
        unit.page.locator(".cw-subnav").get_by_role("link", name="领导批示").click()
        unit.page.get_by_role("link", name=TITLE).click()
        # A community sees its own task of the instruction, not the other community's.
        expect(unit.page.locator("#item-tasks tbody tr")).to_have_count(1)
        if device is PHONE:
            assert unit.scroll_width() <= 375, "the instruction page scrolls sideways on a phone"
        unit.page.locator("#item-tasks").get_by_role("link").first.click()
        click(unit, "签收")
        task_status_is(unit, "已签收")
        unit.page.get_by_label("完成进度(%)").fill("100")
        unit.page.get_by_label("进展情况").fill("背街小巷垃圾已清运,路面已修复")
        click(unit, "报送")
        task_status_is(unit, "办理中")
        unit.page.get_by_label("交账内容(完成情况、成效、佐证材料说明)").fill(summary)
        click(unit, "交账")
        task_status_is(unit, "已交账")
        return unit.page.url

    progress["step"] = "community C1 completes and hands in"
    c1_task = unit_works("c1_head", DESKTOP, "和平社区整改完成")
    progress["step"] = "community C2 completes and hands in on a phone"
    c2_task = unit_works("c2_head", PHONE, "友谊社区整改完成")

    progress["step"] = "the HQ office head accepts both"
    for url in (c1_task, c2_task):
        hq.page.goto(url)
        hq.page.get_by_label("意见/理由").fill("整改到位")
        click(hq, "验收")
        task_status_is(hq, "已验收")

    progress["step"] = "hq closes the instruction"
    hq.page.goto(instruction_url)
    expect(hq.page.locator("#item-stage")).to_contain_text("待办结")
    hq.page.get_by_label("办结意见").fill("两社区均已整改到位,已报乙市长。")
    click(hq, "办结")
    expect(hq.page.locator("#item-stage")).to_contain_text("已办结")
    expect(hq.page.locator("#closure")).to_contain_text("两社区均已整改到位")
    hq.page.locator(".cw-subnav").get_by_role("link", name="督办台账").click()
    expect(hq.page.locator("#ledger-phrases")).to_contain_text("市领导先后作出批示1次")

    progress["step"] = "the supervision pages fit a phone"
    phone = session("hq", PHONE)
    for path in ("/supervision/", "/supervision/agenda/", "/supervision/instructions/",
                 "/supervision/instructions/new/", "/supervision/meetings/", "/supervision/visits/",
                 "/supervision/visits/new/", instruction_url.removeprefix(job["base"])):
        phone.goto(path)
        assert phone.scroll_width() <= 375, f"{path} scrolls sideways on a phone"
    progress["step"] = "done"
    return {}


def _child_main():
    child_main(_flow)


def test_instruction_split_completed_and_closed(live_server, transactional_world, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from chuangwen.audit.models import Entry
    from chuangwen.supervision.models import Instruction, ItemStatus
    from chuangwen.tasks.catalogue import ensure_catalogue
    from chuangwen.tasks.models import Handover, RewardPolicy, Task, TaskStatus

    w = transactional_world
    ensure_catalogue(RewardPolicy)
    today = timezone.localdate()
    result = run_child(__name__, {"base": live_server.url, "password": w.password, "today": today.isoformat(),
                                  "deadline": (today + timedelta(days=20)).isoformat(), "name": "instruction",
                                  "screenshots": str(screenshot_dir(tmp_path))}, timeout=240)
    assert result["errors"] == [], "\n".join(result["errors"])

    item = Instruction.objects.get()
    assert (item.title, item.leader, item.status, item.closed_by) == (TITLE, w.mayor, ItemStatus.CLOSED, w.hq)
    tasks = list(Task.objects.filter(supervision_source__instruction=item).order_by("lead_unit__code"))
    assert [(t.lead_unit, t.status) for t in tasks] == [(w.community, TaskStatus.ACCEPTED),
                                                      (w.community2, TaskStatus.ACCEPTED)]
    assert list(Handover.objects.filter(task__in=tasks).order_by("task__lead_unit__code")
                .values_list("from_person__username", "to_person__username", "status")) == [
        ("c1_head", "hq", "accepted"), ("c2_head", "hq", "accepted")]

    def by(event, person, obj):
        return Entry.objects.filter(event=event, actor_id=person.pk, object_id=str(obj.pk)).count()

    assert by("instruction.create", w.hq, item) == 1 and by("instruction.split", w.hq, item) == 1
    assert by("instruction.close", w.hq, item) == 1
    assert by("task.hand_in", w.c1_head, tasks[0]) == 1 and by("task.hand_in", w.c2_head, tasks[1]) == 1
    assert by("task.accept", w.hq, tasks[0]) == 1 and by("task.accept", w.hq, tasks[1]) == 1
