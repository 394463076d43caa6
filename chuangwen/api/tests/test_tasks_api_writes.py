"""Progress updates, actions and handovers over the API: each write's happy path, and its
refusals: out of scope (404), wrong party or verb (403), illegal move or bad body (422), stale
version (409), none of which changes anything."""

from datetime import date

import pytest

from chuangwen.audit.models import Entry
from chuangwen.tasks import services
from chuangwen.tasks.models import Handover, HandoverStatus, ProgressUpdate, TaskStatus
from chuangwen.tasks.tests.conftest import draft_kwargs

from .helpers import API, assert_error, unchanged

pytestmark = pytest.mark.django_db


# --- progress updates ----------------------------------------------------------------------------


class TestProgress:
    def test_lists_the_reports_oldest_first(self, world, task_world, api_client):
        tw = task_world
        body = api_client(world.hq)(f"{API}/tasks/{tw.mine.code}/updates").json()
        assert [(u["percent"], u["text"], u["reported_by_name"]) for u in body["items"]] == [
            (100, "已全部完成", world.c1_liaison.full_name)
        ]
        assert body["items"][0]["task_code"] == tw.mine.code and body["next"] is None

    def test_a_report_starts_a_signed_task_and_ticks_milestones(
        self, world, plan, policy, api_post, api_client
    ):
        task = services.task_create(
            plan=plan,
            actor=world.hq,
            milestones=[{"title": "摸底", "due": date(2026, 9, 30)}],
            **draft_kwargs(world, policy, lead_unit=world.community),
        )
        services.task_issue(task=task, actor=world.hq)
        services.task_sign_for(task=task, actor=world.c1_head)
        task.refresh_from_db()
        milestone = task.milestones.get()
        response = api_post(world.c1_liaison)(
            f"{API}/tasks/{task.code}/updates",
            {
                "percent": 40,
                "text": "已完成摸底",
                "problems": "经费不足",
                "next_steps": "全面整治",
                "milestones_done": [milestone.pk],
                "version": task.version,
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["percent"], body["problems"], body["next_steps"]) == (40, "经费不足", "全面整治")
        task.refresh_from_db()
        milestone.refresh_from_db()
        assert task.status == TaskStatus.IN_PROGRESS and task.progress == 40 and milestone.done_at is not None
        assert ProgressUpdate.objects.get(pk=body["id"]).reported_by == world.c1_liaison
        listed = api_client(world.c1_head)(f"{API}/tasks/{task.code}/updates").json()["items"]
        assert [u["id"] for u in listed] == [body["id"]]

    def test_updates_page_by_id(self, world, task_world, api_client):
        tw = task_world
        services.handover_return(task=tw.mine, actor=world.hq, reason="缺照片")
        for percent in (60, 70, 80):
            services.progress_report(task=tw.mine, actor=world.c1_liaison, percent=percent, text="补充")
        get = api_client(world.hq)
        first = get(f"{API}/tasks/{tw.mine.code}/updates", {"limit": 3}).json()
        rest = get(f"{API}/tasks/{tw.mine.code}/updates", {"limit": 3, "after": first["next"]}).json()
        assert [u["percent"] for u in first["items"] + rest["items"]] == [100, 60, 70, 80] and rest[
            "next"
        ] is None

    def test_a_report_on_a_task_not_signed_for_is_422(self, world, task_world, api_post):
        tw = task_world
        before = unchanged(tw.e1s)
        response = api_post(world.e1_head)(
            f"{API}/tasks/{tw.e1s.code}/updates", {"percent": 10, "text": "开始"}
        )
        assert_error(response, 422, "invalid", "任务当前为“已下达”,不能报送进度。")
        assert unchanged(tw.e1s) == before

    @pytest.mark.parametrize(
        "body,field",
        [
            ({"percent": 101, "text": "x"}, "percent"),
            ({"text": "x"}, "percent"),
            ({"percent": 10}, "text"),
            ({"percent": 10, "text": "x", "status": "accepted"}, "status"),
            ({"percent": 10, "text": "x", "milestones_done": [2**70]}, "milestones_done.0"),
            ({"percent": 10, "text": "a\x00b"}, "text"),
        ],
    )
    def test_an_invalid_body_is_422_and_unknown_fields_are_refused(
        self, world, task_world, api_post, body, field
    ):
        tw = task_world
        services.task_sign_for(task=tw.e1s, actor=world.e1_head)
        before = unchanged(tw.e1s)
        error = assert_error(
            api_post(world.e1_head)(f"{API}/tasks/{tw.e1s.code}/updates", body), 422, "invalid"
        )
        assert field in {d["field"] for d in error["details"]}, error
        assert unchanged(tw.e1s) == before

    def test_a_blank_text_gets_the_services_message(self, world, task_world, api_post):
        services.task_sign_for(task=task_world.e1s, actor=world.e1_head)
        response = api_post(world.e1_head)(
            f"{API}/tasks/{task_world.e1s.code}/updates", {"percent": 5, "text": " "}
        )
        assert_error(response, 422, "invalid", "请填写进展情况。")


# --- actions -------------------------------------------------------------------------------------


class TestActions:
    def test_issue_sign_for_start_and_cancel(self, world, draft, api_post):
        hq, head = api_post(world.hq), api_post(world.district_head)
        body = hq(f"{API}/tasks/{draft.code}/actions/issue", {"version": draft.version}).json()
        assert body["status"] == "issued" and body["issued_at"] and body["version"] == draft.version + 1
        body = head(f"{API}/tasks/{draft.code}/actions/sign_for", {}).json()
        assert (
            body["status"] == "signed" and body["allowed_actions"] == ["start"] and body["can_report"] is True
        )
        body = head(f"{API}/tasks/{draft.code}/actions/start", {"version": body["version"]}).json()
        assert body["status"] == "in_progress"
        body = hq(f"{API}/tasks/{draft.code}/actions/cancel", {"note": "并入其他任务"}).json()
        assert body["status"] == "cancelled" and body["events"][-1]["note"] == "并入其他任务"
        draft.refresh_from_db()
        assert [e["kind"] for e in body["events"]] == ["create", "issue", "sign_for", "start", "cancel"]
        assert Entry.objects.filter(
            event="task.cancel", object_id=str(draft.pk), actor_id=world.hq.pk
        ).exists()

    def test_cancel_needs_a_reason(self, world, issued, api_post):
        before = unchanged(issued)
        response = api_post(world.hq)(f"{API}/tasks/{issued.code}/actions/cancel", {"note": "  "})
        assert_error(response, 422, "invalid", "撤销须填写理由。")
        assert unchanged(issued) == before

    def test_an_illegal_transition_is_422_with_the_reason(self, world, issued, api_post):
        before = unchanged(issued)
        response = api_post(world.district_head)(f"{API}/tasks/{issued.code}/actions/start", {})
        assert_error(response, 422, "invalid", "任务当前为“已下达”,不能开始办理。")
        assert unchanged(issued) == before

    def test_issuing_without_the_five_fixes_is_422(self, world, plan, policy, api_post):
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, criteria=""))
        response = api_post(world.hq)(f"{API}/tasks/{task.code}/actions/issue", {})
        assert_error(response, 422, "invalid", "五定未到位")
        task.refresh_from_db()
        assert task.status == TaskStatus.DRAFT

    def test_a_stale_version_is_409_and_changes_nothing(self, world, issued, api_post):
        stale = issued.version
        services.task_update(task=issued, actor=world.hq, expected_version=stale, title="新名称")
        before = unchanged(issued)
        response = api_post(world.district_head)(
            f"{API}/tasks/{issued.code}/actions/sign_for", {"version": stale}
        )
        assert_error(response, 409, "conflict", "该任务已被他人修改,请刷新后重试。")
        assert unchanged(issued) == before

    def test_the_wrong_party_is_403_and_audited(self, world, task_world, api_post):
        tw = task_world
        # District D's head sees community C1's task but does not lead it.
        before = unchanged(tw.d_only)
        response = api_post(world.district_head)(f"{API}/tasks/{tw.d_only.code}/actions/sign_for", {})
        assert_error(response, 403, "forbidden", "只有牵头单位的负责人或联络员才能签收。")
        assert unchanged(tw.d_only) == before
        assert Entry.objects.filter(
            event="permission.denied", actor_id=world.district_head.pk, object_id=str(tw.d_only.pk)
        ).exists()

    def test_a_role_without_task_work_is_403(self, world, task_world, api_post):
        response = api_post(world.mayor)(f"{API}/tasks/{task_world.e1s.code}/actions/cancel", {"note": "x"})
        assert_error(response, 403, "forbidden", "办理任务")

    @pytest.mark.parametrize(
        "path,body",
        [
            ("/actions/sign_for", {}),
            ("/actions/cancel", {"note": "撤销"}),
            ("/updates", {"percent": 10, "text": "x"}),
            ("/handovers", {"summary": "x"}),
            ("/handovers/accept", {}),
            ("/handovers/return", {"reason": "x"}),
        ],
    )
    def test_writes_on_a_task_out_of_scope_are_404_and_change_nothing(
        self, world, task_world, api_post, path, body
    ):
        tw = task_world
        before = unchanged(tw.mine)
        assert_error(api_post(world.e1_head)(f"{API}/tasks/{tw.mine.code}{path}", body), 404, "not_found")
        assert unchanged(tw.mine) == before

    def test_an_unknown_action_is_422(self, world, issued, api_post):
        for action in ("accept", "hand_in", "nonsense"):
            assert_error(
                api_post(world.hq)(f"{API}/tasks/{issued.code}/actions/{action}", {}), 422, "invalid"
            )


# --- handovers -----------------------------------------------------------------------------------


class TestHandovers:
    def test_head_hands_in_and_the_issuing_head_accepts(self, world, task_world, api_post, api_client):
        tw = task_world
        e1 = api_post(world.e1_head)
        e1(f"{API}/tasks/{tw.e1s.code}/actions/sign_for", {})
        e1(f"{API}/tasks/{tw.e1s.code}/updates", {"percent": 100, "text": "完成"})
        response = e1(f"{API}/tasks/{tw.e1s.code}/handovers", {"summary": "西片整治完成"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["from_unit"]["code"], body["to_unit"]["code"]) == (
            "submitted",
            "Q02-S01",
            "HQ",
        )
        assert body["from_name"] == world.e1_head.full_name and body["to_name"] == world.hq.full_name
        response = api_post(world.hq)(f"{API}/tasks/{tw.e1s.code}/handovers/accept", {"note": "同意"})
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["decision_note"]) == ("accepted", "同意")
        tw.e1s.refresh_from_db()
        assert tw.e1s.status == TaskStatus.ACCEPTED
        listed = api_client(world.e1_head)(f"{API}/tasks/{tw.e1s.code}/handovers").json()["items"]
        assert [h["status"] for h in listed] == ["accepted"]

    def test_return_needs_a_reason_and_reopens_the_task(self, world, task_world, api_post):
        tw = task_world
        hq = api_post(world.hq)
        assert_error(
            hq(f"{API}/tasks/{tw.mine.code}/handovers/return", {"reason": ""}),
            422,
            "invalid",
            "退回须填写理由。",
        )
        body = hq(f"{API}/tasks/{tw.mine.code}/handovers/return", {"reason": "缺少整治前后照片"}).json()
        assert body["status"] == "returned" and body["decision_note"] == "缺少整治前后照片"
        tw.mine.refresh_from_db()
        assert tw.mine.status == TaskStatus.IN_PROGRESS

    def test_only_the_lead_units_head_hands_in(self, world, task_world, api_post):
        tw = task_world
        services.handover_return(task=tw.mine, actor=world.hq, reason="补充材料")
        before = unchanged(tw.mine)
        response = api_post(world.c1_liaison)(f"{API}/tasks/{tw.mine.code}/handovers", {"summary": "完成"})
        assert_error(response, 403, "forbidden", "只有牵头单位的主要负责人才能交账。")
        assert unchanged(tw.mine) == before

    def test_only_the_issuing_head_accepts(self, world, task_world, api_post):
        response = api_post(world.c1_head)(f"{API}/tasks/{task_world.mine.code}/handovers/accept", {})
        assert_error(response, 403, "forbidden", "主要负责人")
        assert Handover.objects.get(pk=task_world.handover.pk).status == HandoverStatus.SUBMITTED

    def test_accepting_with_a_stale_version_is_409(self, world, task_world, api_post):
        response = api_post(world.hq)(
            f"{API}/tasks/{task_world.mine.code}/handovers/accept", {"version": task_world.mine.version - 1}
        )
        assert_error(response, 409, "conflict")


def test_a_token_writes_without_a_csrf_token(world, issued):
    from django.test import Client

    from chuangwen.api.services import token_issue

    _, token = token_issue(person=world.district_head, name="测试", actor=world.secadmin)
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/tasks/{issued.code}/actions/sign_for",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200 and response.json()["status"] == "signed"


def test_a_session_login_does_not_write(world, issued, client, login):
    login(world.district_head)
    response = client.post(f"{API}/tasks/{issued.code}/actions/sign_for", {}, content_type="application/json")
    assert_error(response, 401, "unauthenticated")
    issued.refresh_from_db()
    assert issued.status == TaskStatus.ISSUED


def test_a_body_that_is_not_json_is_400_in_chinese(world, issued):
    from django.test import Client

    from chuangwen.api.services import token_issue

    _, token = token_issue(person=world.district_head, name="测试", actor=world.secadmin)
    response = Client().post(
        f"{API}/tasks/{issued.code}/actions/sign_for",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert_error(response, 400, "bad_request", "请求体不是有效的 JSON。")


class TestSignOffAndMilestones:
    def test_office_head_signs_off_then_issues(self, world, plan, policy, api_post):
        services.plan_update(plan=plan, actor=world.hq, requires_signoff=True)
        plan.refresh_from_db()
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))
        response = api_post(world.hq)(f"{API}/tasks/{task.code}/actions/issue", {})
        assert response.status_code == 422 and "审签" in response.json()["error"]["message"]
        assert api_post(world.hq)(f"{API}/tasks/{task.code}/actions/sign_off", {}).status_code == 200
        assert api_post(world.hq)(f"{API}/tasks/{task.code}/actions/issue", {}).status_code == 200
        task.refresh_from_db()
        assert task.status == TaskStatus.ISSUED and task.signed_off_by == world.hq

    def test_a_milestone_of_another_task_is_refused(self, world, plan, policy, api_post):
        other = services.task_create(plan=plan, actor=world.hq,
                                     milestones=[{"title": "别的节点", "due": date(2026, 9, 30)}],
                                     **draft_kwargs(world, policy))
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy))
        services.task_issue(task=task, actor=world.hq)
        services.task_sign_for(task=task, actor=world.district_head)
        response = api_post(world.district_head)(f"{API}/tasks/{task.code}/updates", {
            "percent": 10, "text": "开始", "milestones_done": [other.milestones.get().pk]})
        assert response.status_code == 422 and "不属于" in response.json()["error"]["message"]
        assert not ProgressUpdate.objects.filter(task=task).exists()
