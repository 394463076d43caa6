"""一级负责 end to end in a real browser: HQ issues a task to a district; the district head signs
for it and decomposes it to a street; the street liaison reports 100%; the street head hands in
to the district head, who accepts; the district head hands in to the HQ office head, who returns
it once with a reason, then accepts.

Chromium runs in a child process (see dashboard/tests/browser.py); the test then checks the
database: statuses, handovers, the timeline and the audit trail, each by the right person.
"""

import pytest

from chuangwen.dashboard.tests.browser import child_main, run_child, screenshot_dir

pytestmark = [pytest.mark.browser]

RETURN_REASON = "缺少整治前后对比照片"


# --- the browser side (runs in the child process) ------------------------------------------------


def _flow(job, browser, sessions, progress):
    from playwright.sync_api import expect

    from chuangwen.dashboard.tests.browser import DESKTOP, PHONE, BrowserSession

    def session(username, device=DESKTOP):
        s = BrowserSession(browser.new_context(**device, locale="zh-CN"), job["base"])
        sessions.append(s)
        s.login(username, job["password"])
        return s

    def status_is(s, label):
        expect(s.page.locator("#task-status")).to_have_text(label)

    def click(s, name):
        s.page.get_by_role("button", name=name, exact=True).click()

    code, sub_code = job["code"], job["code"] + "-01"

    progress["step"] = "hq issues"
    hq = session("hq")
    # The bell polls as a background request, which never keeps an idle session alive.
    with hq.page.expect_request(lambda r: "/notifications/bell" in r.url) as bell:
        hq.goto(f"/tasks/t/{code}/")
    assert bell.value.headers.get("x-chuangwen-background") == "1", bell.value.headers
    click(hq, "下达")
    status_is(hq, "已下达")

    progress["step"] = "district head signs for and decomposes"
    district = session("district_head")
    district.nav_link("任务督办").click()
    district.page.get_by_role("link", name=job["title"]).first.click()
    click(district, "签收")
    status_is(district, "已签收")
    district.page.get_by_label("东街街道").check()
    click(district, "分解下达")
    expect(district.page.get_by_role("link", name=sub_code)).to_be_visible()
    status_is(district, "办理中")

    progress["step"] = "street liaison signs for and reports 100% on a phone"
    liaison = session("street_liaison", PHONE)
    liaison.goto("/tasks/")
    # On a phone the list folds the code under the title: open the task by its title.
    liaison.page.get_by_role("link", name=job["title"]).first.click()
    expect(liaison.page).to_have_url(liaison.url(f"/tasks/t/{sub_code}/"))
    click(liaison, "签收")
    status_is(liaison, "已签收")
    liaison.page.get_by_label("完成进度(%)").fill("100")
    liaison.page.get_by_label("进展情况").fill("辖区12条背街小巷全部整治完毕")
    click(liaison, "报送")
    status_is(liaison, "办理中")
    expect(liaison.page.locator("#task-completion")).to_have_text("100%")
    assert liaison.scroll_width() <= 375, "the task page scrolls sideways on a phone"

    progress["step"] = "street head hands in"
    street = session("street_head")
    street.goto(f"/tasks/t/{sub_code}/")
    street.page.get_by_label("交账内容(完成情况、成效、佐证材料说明)").fill("东街街道整治完成,附台账")
    click(street, "交账")
    status_is(street, "已交账")

    progress["step"] = "district head accepts the street's accounts"
    district.goto("/tasks/")
    district.page.locator("section", has_text="待我验收的交账").get_by_role("link").first.click()
    expect(district.page).to_have_url(district.url(f"/tasks/t/{sub_code}/"))
    click(district, "验收")
    status_is(district, "已验收")

    progress["step"] = "district head hands in to HQ"
    district.goto(f"/tasks/t/{code}/")
    district.page.get_by_label("交账内容(完成情况、成效、佐证材料说明)").fill("全区完成")
    click(district, "交账")
    status_is(district, "已交账")

    progress["step"] = "HQ office head returns once"
    hq.goto(f"/tasks/t/{code}/")
    hq.page.get_by_label("意见/理由").fill(RETURN_REASON)
    click(hq, "退回")
    status_is(hq, "办理中")
    expect(hq.page.locator("#timeline")).to_contain_text(RETURN_REASON)

    progress["step"] = "district head hands in again, HQ accepts"
    district.goto(f"/tasks/t/{code}/")
    expect(district.page.locator("#timeline")).to_contain_text(RETURN_REASON)
    district.page.get_by_label("交账内容(完成情况、成效、佐证材料说明)").fill("已补充对比照片")
    click(district, "交账")
    status_is(district, "已交账")
    hq.goto(f"/tasks/t/{code}/")
    click(hq, "验收")
    status_is(hq, "已验收")
    hq.goto("/tasks/handovers/")
    expect(hq.page.locator("body")).to_contain_text(RETURN_REASON)
    progress["step"] = "done"
    return {}


def _child_main():
    child_main(_flow)


# --- the test (runs in the pytest worker) --------------------------------------------------------


def test_hq_district_street_chain(live_server, transactional_world, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from chuangwen.accounts.roles import Role
    from chuangwen.accounts.services import user_create
    from chuangwen.audit.models import Entry
    from chuangwen.org import services as org
    from chuangwen.tasks import services
    from chuangwen.tasks.models import Handover, RewardPolicy, Task, TaskStatus

    from chuangwen.tasks.catalogue import ensure_catalogue

    w = transactional_world
    ensure_catalogue(RewardPolicy)
    street_head = user_create(username="street_head", full_name="东街主任", password=w.password,
                              roles=[Role.UNIT_HEAD], must_change_password=False)
    street_liaison = user_create(username="street_liaison", full_name="东街联络员", password=w.password,
                                 roles=[Role.LIAISON], must_change_password=False)
    org.post_appoint(person=street_head, unit=w.street, title="主任", is_head=True)
    org.post_appoint(person=street_liaison, unit=w.street, title="联络员", is_liaison=True)
    plan = services.plan_create(year=2026, title="创建全国文明城市工作方案", issuing_unit=w.hq_unit, actor=w.hq)
    task = services.task_create(
        plan=plan, actor=w.hq, title="背街小巷环境整治", content="完成背街小巷路面修复和垃圾清运。",
        standard="城市管理规范有序", deadline=timezone.localdate() + timedelta(days=30), lead_unit=w.district,
        criteria="实地检查无暴露垃圾", points=5, policy=RewardPolicy.objects.get(code="JC01"),
    )

    result = run_child(__name__, {"base": live_server.url, "password": w.password, "code": task.code,
                                  "title": task.title, "name": "task-chain",
                                  "screenshots": str(screenshot_dir(tmp_path))})
    assert result["errors"] == [], "\n".join(result["errors"])

    task.refresh_from_db()
    sub = Task.objects.get(parent=task)
    assert (task.status, sub.status) == (TaskStatus.ACCEPTED, TaskStatus.ACCEPTED)
    assert (sub.lead_unit, sub.issuing_unit, sub.responsible_person) == (w.street, w.district, street_head)
    assert sub.progress == 100
    handovers = list(Handover.objects.filter(task__in=[task, sub]).order_by("submitted_at")
                     .values_list("task__code", "from_person__username", "to_person__username", "status"))
    assert handovers == [
        (sub.code, "street_head", "district_head", "accepted"),
        (task.code, "district_head", "hq", "returned"),
        (task.code, "district_head", "hq", "accepted"),
    ]
    assert Handover.objects.get(task=task, status="returned").decision_note == RETURN_REASON

    def by(event, person, obj):
        return Entry.objects.filter(event=event, actor_id=person.pk, object_id=str(obj.pk)).count()

    assert by("task.issue", w.hq, task) == 1
    assert by("task.sign_for", w.district_head, task) == 1
    assert by("task.issue", w.district_head, sub) == 1
    assert by("task.sign_for", street_liaison, sub) == 1
    assert by("task.progress", street_liaison, sub) == 1
    assert by("task.hand_in", street_head, sub) == 1
    assert by("task.accept", w.district_head, sub) == 1
    assert by("task.hand_in", w.district_head, task) == 2
    assert by("task.return", w.hq, task) == 1 and by("task.accept", w.hq, task) == 1

    # Each step told the next person (after its commit), once.
    from chuangwen.notifications.models import Notification

    def told(person, kind):
        return Notification.objects.filter(recipient=person, kind=kind).count()

    assert told(w.district_head, "task.issued") == 1
    assert told(street_head, "task.issued") == 1
    assert told(w.district_head, "task.handed_in") == 1
    assert told(w.hq, "task.handed_in") == 2
    assert told(w.district_head, "task.handover_return") == 1
    assert told(w.district_head, "task.handover_accept") == 1
