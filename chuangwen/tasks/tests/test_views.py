"""The task pages: render for each persona, show only what is in scope, and drive the services."""

from datetime import date

import pytest

from chuangwen.tasks import services
from chuangwen.tasks.models import Task, TaskStatus

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db


def test_pages_render_for_hq(client, login, world, issued):
    login(world.hq)
    for url in ("/tasks/", "/tasks/board/", "/tasks/list/", "/tasks/handovers/", "/tasks/plans/",
                f"/tasks/plans/{issued.plan_id}/", f"/tasks/t/{issued.code}/", f"/tasks/t/{issued.code}/edit/",
                "/tasks/plans/new/", f"/tasks/plans/{issued.plan_id}/new-task/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "任务" in body
        assert "{#" not in body and "{%" not in body, f"template syntax leaked on {url}"


def test_my_tasks_lists_the_units_tasks_and_handovers_to_accept(client, login, world, issued):
    login(world.district_head)
    body = client.get("/tasks/").content.decode()
    assert issued.title in body
    services.task_sign_for(task=issued, actor=world.district_head)
    services.progress_report(task=issued, actor=world.district_head, percent=100, text="完成")
    services.handover_submit(task=issued, actor=world.district_head, summary="完成")
    login(world.hq)
    body = client.get("/tasks/").content.decode()
    assert "待我验收的交账" in body and issued.title in body


def test_other_district_sees_nothing(client, login, world, issued):
    login(world.e1_head)
    assert client.get(f"/tasks/t/{issued.code}/").status_code == 404
    assert issued.title not in client.get("/tasks/board/").content.decode()
    assert issued.title not in client.get("/tasks/list/").content.decode()
    assert client.post(f"/tasks/t/{issued.code}/act/sign_for/").status_code == 404
    issued.refresh_from_db()
    assert issued.status == TaskStatus.ISSUED


def test_draft_is_hidden_from_the_lead_unit_until_issued(client, login, world, draft):
    login(world.district_head)
    assert client.get(f"/tasks/t/{draft.code}/").status_code == 404


def test_outsider_is_refused(client, login, world, issued):
    login(world.outsider)
    assert client.get("/tasks/").status_code == 403
    assert client.get(f"/tasks/t/{issued.code}/").status_code == 403


def test_detail_shows_missing_fixes_of_a_draft(client, login, world, plan):
    task = services.task_create(plan=plan, actor=world.hq, title="缺项任务")
    login(world.hq)
    body = client.get(f"/tasks/t/{task.code}/").content.decode()
    assert "五定未到位" in body and "定奖惩" in body
    response = client.post(f"/tasks/t/{task.code}/act/issue/", {"version": task.version}, follow=True)
    assert "五定未到位,不能下达" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT


def test_create_and_issue_through_the_forms(client, login, world, plan, policy):
    login(world.hq)
    response = client.post(f"/tasks/plans/{plan.pk}/new-task/", {
        "title": "农贸市场提升", "content": "完成农贸市场改造", "standard": "农贸市场管理规范",
        "deadline": "2026-10-30", "lead_unit": "城东区", "cooperating_units": "D01", "criteria": "实地检查",
        "points": "4", "weight": "2", "policy": policy.pk, "milestones": "完成设计:2026-09-30\n开工:2026-10-10",
    })
    task = Task.objects.get(title="农贸市场提升")
    assert response.status_code == 302
    assert task.lead_unit == world.district and list(task.cooperating_units.all()) == [world.dept]
    assert [m.title for m in task.milestones.all()] == ["完成设计", "开工"]
    client.post(f"/tasks/t/{task.code}/act/issue/", {"version": task.version})
    task.refresh_from_db()
    assert task.status == TaskStatus.ISSUED


def test_bad_unit_in_form_changes_nothing(client, login, world, plan, policy):
    login(world.hq)
    before = Task.objects.count()
    response = client.post(f"/tasks/plans/{plan.pk}/new-task/", {"title": "x", "lead_unit": "不存在的单位",
                                                                  "weight": "1"})
    assert response.status_code == 200 and "不存在" in response.content.decode()
    assert Task.objects.count() == before


def test_stale_form_is_refused_with_a_message(client, login, world, draft):
    login(world.hq)
    stale = draft.version
    services.task_update(task=draft, actor=world.hq, expected_version=stale, title="别人先改了")
    response = client.post(f"/tasks/t/{draft.code}/edit/", {
        "version": stale, "title": "我的修改", "weight": "1", "lead_unit": "Q01"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "别人先改了"


def test_progress_form_prefills_from_the_last_update(client, login, world, issued):
    services.task_sign_for(task=issued, actor=world.district_head)
    services.progress_report(task=issued, actor=world.district_head, percent=40, text="已完成摸底", problems="资金不足")
    login(world.district_head)
    body = client.get(f"/tasks/t/{issued.code}/").content.decode()
    assert 'value="40"' in body and "已完成摸底</textarea>" in body and "资金不足</textarea>" in body


def test_decompose_and_hand_in_through_the_pages(client, login, world, issued):
    services.task_sign_for(task=issued, actor=world.district_head)
    login(world.district_head)
    client.post(f"/tasks/t/{issued.code}/decompose/", {"other_units": "Q01-J01-S01、友谊社区",
                                                       "deadline": "2026-10-20"})
    subs = list(issued.subtasks.order_by("code"))
    assert [s.lead_unit for s in subs] == [world.community, world.community2]
    assert all(s.deadline == date(2026, 10, 20) and s.status == TaskStatus.ISSUED for s in subs)


def test_get_never_changes_a_task(client, login, world, issued):
    login(world.district_head)
    assert client.get(f"/tasks/t/{issued.code}/act/sign_for/").status_code == 405


def test_extension_keeps_the_original_deadline(client, login, world, issued):
    services.task_sign_for(task=issued, actor=world.district_head)
    login(world.district_head)
    client.post(f"/tasks/t/{issued.code}/extension/", {"new_deadline": "2026-11-20", "reason": "汛期影响施工"})
    ext = issued.extensions.get()
    login(world.hq)
    client.post(f"/tasks/extensions/{ext.pk}/decide/", {"decision": "approve", "note": "同意"})
    issued.refresh_from_db()
    assert issued.deadline == date(2026, 11, 20) and issued.original_deadline == date(2026, 10, 30)


def test_board_lists_by_colour(client, login, world, plan, policy, today):
    task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, deadline=date(2026, 9, 17)))
    services.task_issue(task=task, actor=world.hq)
    login(world.district_head)
    response = client.get("/tasks/board/?colour=blue")
    assert task.title in response.content.decode()
    assert response.context["counts"] == {"red": 0, "yellow": 0, "blue": 1}
    assert task.title not in client.get("/tasks/board/?colour=red").content.decode()


def test_list_queries_do_not_grow_with_rows(client, login, world, plan, policy, django_assert_max_num_queries):
    for n in range(12):
        t = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, title=f"任务{n}"))
        services.task_issue(task=t, actor=world.hq)
    login(world.district_head)
    with django_assert_max_num_queries(14):
        client.get("/tasks/board/")
    with django_assert_max_num_queries(14):
        client.get("/tasks/list/")
    with django_assert_max_num_queries(16):
        client.get("/tasks/")


def test_home_and_board_show_the_same_colour_counts(client, login, world, plan, policy, today):
    for deadline in (date(2026, 9, 17), date(2026, 9, 18), date(2026, 12, 1)):
        t = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, deadline=deadline))
        services.task_issue(task=t, actor=world.hq)
    login(world.district_head)
    home = client.get("/").content.decode()
    board = client.get("/tasks/board/")
    assert board.context["counts"] == {"red": 0, "yellow": 0, "blue": 2}
    assert 'id="home-blue">2<' in home and 'id="count-blue">2<' in board.content.decode()


def test_red_threshold_is_configurable(client, login, world, plan, policy, settings):
    import time_machine

    with time_machine.travel("2026-09-16 10:00 +0800", tick=False):
        t = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, deadline=date(2026, 9, 16)))
        services.task_issue(task=t, actor=world.hq)
    # Thursday 17th to Tuesday 22nd: 17, 18, 21, 22 are 4 working days overdue.
    with time_machine.travel("2026-09-22 10:00 +0800", tick=False):
        login(world.hq)
        assert client.get("/tasks/board/").context["counts"]["yellow"] == 1
        settings.CHUANGWEN_TASK_RED_AFTER = 3
        response = client.get("/tasks/board/")
        assert response.context["counts"]["red"] == 1 and "逾期超过3个工作日" in response.content.decode()
