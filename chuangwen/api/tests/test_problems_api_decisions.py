"""Problems over the API, writes (2): 复查, 挂账 and its decision, 恢复整改, 作废 and 合并, with
their refusals (403, 409, 422, each changing nothing), and an action retried with its key."""

import pytest

from chuangwen.audit.models import Entry
from chuangwen.problems import services
from chuangwen.problems.models import Problem, ProblemStatus

from .helpers import API, assert_error
from .problem_fixtures import report, unchanged

pytestmark = pytest.mark.django_db


class TestRecheck:
    def test_pass_closes_and_fail_needs_a_reason(self, world, submitted, act):
        assert_error(act(world.inspector, submitted, "recheck", {"passed": False}), 422, "invalid",
                     "复查未通过,返工须填写理由。")
        body = act(world.inspector, submitted, "recheck", {"passed": False, "note": "仍有垃圾"}).json()
        assert (body["status"], body["rework_count"]) == ("rework", 1)
        services.problem_submit(problem=submitted, actor=world.c1_head)
        passed = {"passed": True, "version": body["version"] + 1}
        response = act(world.inspector, submitted, "recheck", passed)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "closed" and response.json()["closed_at"]

    def test_the_unit_cannot_recheck_its_own_work(self, world, submitted, act):
        before = unchanged(submitted)
        assert_error(act(world.c1_head, submitted, "recheck", {"passed": True}), 403, "forbidden", "复查问题")
        assert unchanged(submitted) == before

    def test_a_stale_recheck_is_409(self, world, submitted, act):
        before = unchanged(submitted)
        stale = {"passed": True, "version": submitted.version - 1}
        response = act(world.inspector, submitted, "recheck", stale)
        assert_error(response, 409, "conflict")
        assert unchanged(submitted) == before


class TestPark:
    def test_request_approve_and_unpark(self, world, rectifying, act):
        body = act(world.c1_head, rectifying, "park-request",
                   {"reason": "需纳入道路改造", "version": rectifying.version}).json()
        assert body["status"] == "park_requested"
        approve = {"approve": True, "version": body["version"]}
        body = act(world.hq, rectifying, "park-decision", approve).json()
        assert body["status"] == "parked"
        body = act(world.hq, rectifying, "unpark", {"note": "改造已排期", "version": body["version"]}).json()
        assert body["status"] == "rectifying" and body["events"][-1]["kind"] == "unpark"

    def test_refusing_a_park_needs_a_note(self, world, rectifying, act):
        services.problem_request_park(problem=rectifying, actor=world.c1_head, reason="需改造")
        assert_error(act(world.hq, rectifying, "park-decision", {"approve": False}), 422, "invalid",
                     "不同意挂账须填写理由。")
        body = act(world.hq, rectifying, "park-decision", {"approve": False, "note": "可先临时处置"}).json()
        assert body["status"] == "rectifying"

    def test_a_stale_park_request_is_409_and_changes_nothing(self, world, rectifying, act):
        stale = rectifying.version
        services.problem_request_park(problem=rectifying, actor=world.c1_head, reason="需改造")
        services.problem_decide_park(problem=rectifying, actor=world.hq, approve=False, note="继续")
        before = unchanged(rectifying)
        response = act(world.c1_liaison, rectifying, "park-request", {"reason": "再次申请", "version": stale})
        assert_error(response, 409, "conflict", "该问题已被他人修改,请刷新后重试。")
        assert unchanged(rectifying) == before

    def test_a_stale_decision_and_unpark_are_409(self, world, rectifying, act):
        services.problem_request_park(problem=rectifying, actor=world.c1_head, reason="需改造")
        rectifying.refresh_from_db()
        before = unchanged(rectifying)
        stale = {"approve": True, "version": rectifying.version - 1}
        assert_error(act(world.hq, rectifying, "park-decision", stale), 409, "conflict")
        services.problem_decide_park(problem=rectifying, actor=world.hq, approve=True)
        assert unchanged(rectifying) != before
        before = unchanged(rectifying)
        stale = {"version": rectifying.version - 1}
        assert_error(act(world.hq, rectifying, "unpark", stale), 409, "conflict")
        assert unchanged(rectifying) == before

    def test_the_wrong_party_is_403_and_the_denial_stays_audited(self, world, rectifying, act):
        before = unchanged(rectifying)
        response = act(world.district_head, rectifying, "park-request",
                       {"reason": "需改造", "version": rectifying.version})
        assert_error(response, 403, "forbidden", "只有责任单位的负责人或联络员才能申请挂账。")
        assert unchanged(rectifying) == before
        assert Entry.objects.filter(event="permission.denied", actor_id=world.district_head.pk,
                                    object_id=str(rectifying.pk)).exists()

    def test_only_hq_decides_and_unparks_only_a_parked_problem(self, world, rectifying, act):
        services.problem_request_park(problem=rectifying, actor=world.c1_head, reason="需改造")
        assert_error(act(world.c1_head, rectifying, "park-decision", {"approve": True}), 403, "forbidden",
                     "交办问题")
        assert_error(act(world.hq, rectifying, "unpark"), 422, "invalid", "问题当前为“申请挂账”,不能恢复整改。")


class TestVoidAndMerge:
    def test_void_needs_a_reason_and_checks_the_version(self, world, pw, act):
        assert_error(act(world.hq, pw.new, "void", {"reason": ""}), 422, "invalid", "作废须填写理由。")
        before = unchanged(pw.new)
        stale = {"reason": "无效", "version": pw.new.version + 1}
        assert_error(act(world.hq, pw.new, "void", stale), 409, "conflict")
        assert unchanged(pw.new) == before
        body = act(world.hq, pw.new, "void", {"reason": "不属创建范围", "version": pw.new.version}).json()
        assert body["status"] == "voided" and body["allowed_actions"] == []

    def test_merge_voids_the_duplicate_into_the_first(self, world, pw, act):
        dup = report(world, pw.category, address="解放路3号旁")
        merge = {"into": pw.new.number, "note": "同一处", "version": dup.version}
        body = act(world.hq, dup, "merge", merge).json()
        assert (body["status"], body["merged_into"]) == ("voided", pw.new.number)
        assert [e["kind"] for e in body["events"]][-2:] == ["void", "merge"]
        assert pw.new.events.filter(kind="merge", note__contains=dup.number).exists()

    def test_a_stale_merge_is_409(self, world, pw, act):
        dup = report(world, pw.category, address="解放路3号旁")
        before = unchanged(dup)
        assert_error(act(world.hq, dup, "merge", {"into": pw.new.number, "version": dup.version + 1}), 409,
                     "conflict")
        assert unchanged(dup) == before

    @pytest.mark.parametrize("into,message", [
        ("999999", "问题“999999”不存在,或您无权查看。"), ("self", "不能将问题并入其自身。"),
    ])
    def test_a_bad_merge_target_is_422(self, world, pw, act, into, message):
        before = unchanged(pw.new)
        target = pw.new.number if into == "self" else into
        assert_error(act(world.hq, pw.new, "merge", {"into": target}), 422, "invalid", message)
        assert unchanged(pw.new) == before

    def test_the_unit_cannot_void_or_merge(self, world, pw, act):
        for step, body in (("void", {"reason": "x"}), ("merge", {"into": pw.new.number})):
            assert_error(act(world.c1_head, pw.c1, step, body), 403, "forbidden", "交办问题")


def test_an_action_retried_with_its_key_is_replayed(world, pw, api_post):
    post = api_post(world.c1_head)
    url = f"{API}/problems/{pw.c1.number}/accept"
    first = post(url, {}, HTTP_IDEMPOTENCY_KEY="accept-1")
    assert first.status_code == 200 and first.json()["status"] == "rectifying"
    retry = post(url, {}, HTTP_IDEMPOTENCY_KEY="accept-1")
    assert (retry.status_code, retry.content) == (200, first.content)
    assert retry["Idempotent-Replayed"] == "true"
    assert pw.c1.events.filter(kind="accept").count() == 1
    assert Problem.objects.get(pk=pw.c1.pk).status == ProblemStatus.RECTIFYING
