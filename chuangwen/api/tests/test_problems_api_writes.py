"""Problems over the API, writes (1): the staff report, 交办, and the unit's 签收, 退回 and 整改完成
(JSON and multipart), with their refusals: out of scope (404), wrong verb or party (403), illegal
move or bad body (4xx, in Chinese), stale version (409), none of which changes anything; and
idempotent retries."""

import pytest
from django.test import Client

from chuangwen.api.services import token_issue
from chuangwen.attachments.models import Attachment
from chuangwen.attachments.tests.samples import upload
from chuangwen.audit.models import Entry
from chuangwen.problems import services
from chuangwen.problems.models import Problem
from chuangwen.problems.services.report import PHOTO_AFTER
from chuangwen.problems.tests.conftest import png

from .helpers import API, assert_error
from .problem_fixtures import report, unchanged

pytestmark = pytest.mark.django_db
KEY = "HTTP_IDEMPOTENCY_KEY"


def _report_body(**over):
    return {"source": "inspection", "category": "SJ0101", "description": "绿地内暴露垃圾", "district": "Q01",
            "address": "和平路20号", **over}


def _after_photos(problem) -> int:
    return Attachment.objects.filter(owner_kind=PHOTO_AFTER, owner_id=problem.pk).count()


# --- report ----------------------------------------------------------------------------------------


class TestReport:
    def test_staff_report_is_201_with_the_suggestion(self, world, pw, api_post):
        body = _report_body(severity="serious", lng=112.95, lat=28.2)
        response = api_post(world.inspector)(f"{API}/problems", body)
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["source"], body["severity"]) == ("reported", "inspection", "serious")
        assert body["suggested_unit"]["code"] == "Q01-J01-S01" and body["district"]["code"] == "Q01"
        assert (body["lng"], body["lat"]) == (112.95, 28.2) and body["tracking_code"] is None
        assert [e["kind"] for e in body["events"]] == ["report"]
        problem = Problem.objects.get(number=body["number"])
        assert problem.reported_by == world.inspector and problem.description == "绿地内暴露垃圾"
        assert Entry.objects.filter(event="problem.report", object_id=str(problem.pk),
                                    actor_id=world.inspector.pk).exists()

    def test_a_report_at_a_site_takes_its_district_and_unit(self, world, pw, api_post):
        from chuangwen.places import services as places
        from chuangwen.places.catalogue import ensure_site_types
        from chuangwen.places.models import SiteType

        ensure_site_types(SiteType)
        market = places.site_create(name="东街市场", site_type=SiteType.objects.get(code="T24"),
                                    district=world.district, responsible_unit=world.community2,
                                    address="东街1号", actor=world.hq)
        post = api_post(world.hq)
        body = post(f"{API}/problems", _report_body(district=None, address="", site=market.code)).json()
        assert body["site"] == {"code": market.code, "name": "东街市场"}
        assert body["suggested_unit"]["code"] == "Q01-J01-S02" and body["address"] == "东街1号"
        assert_error(post(f"{API}/problems", _report_body(site="NO-SUCH")), 422, "invalid", "点位“NO-SUCH”不存在")

    @pytest.mark.parametrize("over,message", [
        ({"category": "NO-SUCH"}, "问题类别“NO-SUCH”不存在。"),
        ({"description": "   "}, "请描述问题。"),
        ({"district": "Q01-J01"}, "区县“Q01-J01”不存在或已撤销。"),
        ({"lng": 112.9}, "经度、纬度须同时填写或同时留空。"),
        ({"lng": 2.35, "lat": 48.85}, "定位不在国内"),
        ({"source": "citizen"}, "请求参数不正确。"),
        ({"status": "closed"}, "请求参数不正确。"),
        ({"severity": "mild"}, "请求参数不正确。"),
        ({"description": "x" * 1001}, "请求参数不正确。"),
        ({"lat": 91, "lng": 10}, "请求参数不正确。"),
    ])
    def test_bad_reports_are_422_in_chinese_and_create_nothing(self, world, pw, api_post, over, message):
        before = Problem.objects.count()
        assert_error(api_post(world.hq)(f"{API}/problems", _report_body(**over)), 422, "invalid", message)
        assert Problem.objects.count() == before

    def test_an_inactive_category_is_refused(self, world, pw, api_post):
        pw.category.is_active = False
        pw.category.save()
        assert_error(api_post(world.hq)(f"{API}/problems", _report_body()), 422, "invalid", "该问题类别已停用。")

    def test_a_role_without_the_verb_is_403_and_audited(self, world, pw, api_post):
        before = Problem.objects.count()
        assert_error(api_post(world.auditor)(f"{API}/problems", _report_body()), 403, "forbidden", "上报问题")
        assert Problem.objects.count() == before
        assert Entry.objects.filter(event="permission.denied", actor_id=world.auditor.pk).exists()

    def test_a_retry_with_the_same_key_gets_the_first_answer_and_one_problem(self, world, pw, api_post):
        post = api_post(world.inspector)
        before = Problem.objects.count()
        first = post(f"{API}/problems", _report_body(), **{KEY: "report-7f3a"})
        assert first.status_code == 201, first.content
        retry = post(f"{API}/problems", _report_body(), **{KEY: "report-7f3a"})
        assert (retry.status_code, retry.content) == (201, first.content)
        assert retry["Idempotent-Replayed"] == "true"
        assert Problem.objects.count() == before + 1
        created = Problem.objects.get(number=first.json()["number"])
        assert Entry.objects.filter(event="problem.report", object_id=str(created.pk)).count() == 1
        other = post(f"{API}/problems", _report_body(description="另一处"), **{KEY: "report-7f3a"})
        assert_error(other, 422, "idempotency_key_reused")
        assert Problem.objects.count() == before + 1

    def test_a_body_that_is_not_json_is_400_and_a_session_is_not_a_token(self, world, pw, client, login):
        _, token = token_issue(person=world.hq, name="测试", actor=world.secadmin)
        response = Client().post(f"{API}/problems", "{nope", content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_error(response, 400, "bad_request", "请求体不是有效的 JSON。")
        login(world.hq)
        assert_error(client.post(f"{API}/problems", _report_body(), content_type="application/json"),
                     401, "unauthenticated")


# --- 交办 ------------------------------------------------------------------------------------------


class TestAssign:
    def test_assign_to_the_suggestion_then_to_a_chosen_unit(self, world, pw, act):
        body = act(world.hq, pw.new, "assign", {"version": pw.new.version}).json()
        assert body["status"] == "assigned" and body["responsible_unit"]["code"] == "Q01-J01-S01"
        assert body["deadline"] and body["responsible_name"] == world.c1_head.full_name
        assert body["version"] == pw.new.version + 1
        other = report(world, pw.category)
        body = act(world.hq, other, "assign", {"unit": "Q01-J01-S02", "severity": "urgent"}).json()
        assert (body["responsible_unit"]["code"], body["severity"]) == ("Q01-J01-S02", "urgent")
        assert Entry.objects.filter(event="problem.assign", object_id=str(other.pk),
                                    actor_id=world.hq.pk).exists()

    def test_an_unknown_unit_or_no_suggestion_is_422(self, world, pw, act):
        before = unchanged(pw.new)
        assert_error(act(world.hq, pw.new, "assign", {"unit": "ZZZ"}), 422, "invalid", "责任单位“ZZZ”不存在")
        stray = report(world, pw.category, district=world.other_district)
        assert_error(act(world.hq, stray, "assign"), 422, "invalid", "请选择责任单位。")
        assert unchanged(pw.new) == before

    def test_only_dispatchers_assign(self, world, pw, act):
        before = unchanged(pw.new)
        assert_error(act(world.district_head, pw.new, "assign"), 403, "forbidden", "交办问题")
        assert unchanged(pw.new) == before

    def test_a_stale_version_is_409_and_changes_nothing(self, world, pw, act):
        stale = pw.new.version
        assigned = services.problem_assign(problem=pw.new, actor=world.hq)
        services.problem_void(problem=assigned, actor=world.hq, reason="重复")
        before = unchanged(pw.new)
        assert_error(act(world.hq, pw.new, "assign", {"version": stale}), 409, "conflict",
                     "该问题已被他人修改,请刷新后重试。")
        assert unchanged(pw.new) == before

    def test_an_illegal_move_is_422_with_the_reason(self, world, pw, act):
        assert_error(act(world.hq, pw.c1, "assign"), 422, "invalid", "问题当前为“已交办”,不能交办。")


# --- 签收, 退回 ------------------------------------------------------------------------------------


class TestAcceptAndReturn:
    def test_accept_by_the_liaison(self, world, pw, act):
        body = act(world.c1_liaison, pw.c1, "accept", {"version": pw.c1.version}).json()
        assert body["status"] == "rectifying" and body["allowed_actions"] == ["submit", "park-request"]

    def test_accept_without_a_body(self, world, pw):
        _, token = token_issue(person=world.c1_head, name="测试", actor=world.secadmin)
        response = Client().post(f"{API}/problems/{pw.c1.number}/accept", "", content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200 and response.json()["status"] == "rectifying"

    def test_a_head_above_the_unit_is_not_its_party(self, world, pw, act):
        before = unchanged(pw.c1)
        assert_error(act(world.district_head, pw.c1, "accept"), 403, "forbidden",
                     "只有责任单位的负责人或联络员才能签收整改。")
        assert unchanged(pw.c1) == before
        assert Entry.objects.filter(event="permission.denied", actor_id=world.district_head.pk,
                                    object_id=str(pw.c1.pk)).exists()

    def test_another_districts_people_get_404_and_change_nothing(self, world, pw, act):
        before = unchanged(pw.e1)
        for step, body in (("accept", {}), ("return", {"reason": "x"}), ("submit", {}),
                           ("park-request", {"reason": "x"})):
            assert_error(act(world.c1_liaison, pw.e1, step, body), 404, "not_found")
        assert unchanged(pw.e1) == before

    def test_return_needs_a_reason_and_leaves_the_units_scope(self, world, pw, act, api_client):
        assert_error(act(world.c1_head, pw.c1, "return", {"reason": " "}), 422, "invalid", "退回须填写理由。")
        response = act(world.c1_head, pw.c1, "return", {"reason": "属市政设施", "version": pw.c1.version})
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["responsible_unit"]) == ("returned", None)
        assert body["events"][-1]["note"] == "属市政设施"
        # Back on the desk, outside 和平社区's scope.
        assert_error(api_client(world.c1_head)(f"{API}/problems/{pw.c1.number}"), 404, "not_found")
        assert api_client(world.hq)(f"{API}/problems/desk").json()["items"][0]["number"] == pw.c1.number

    def test_a_return_after_acceptance_is_422(self, world, rectifying, act):
        assert_error(act(world.c1_head, rectifying, "return", {"reason": "晚了"}), 422, "invalid",
                     "问题当前为“整改中”,不能退回。")


# --- 整改完成 ------------------------------------------------------------------------------------


class TestSubmit:
    def test_submit_without_any_after_photo_is_422(self, world, rectifying, act):
        before = unchanged(rectifying)
        assert_error(act(world.c1_head, rectifying, "submit", {"note": "已清理"}), 422, "invalid",
                     "请上传整改后照片。")
        assert unchanged(rectifying) == before

    def test_submit_with_photos_as_multipart(self, world, rectifying, multipart):
        form = {"note": "已清理完毕", "version": str(rectifying.version), "photos": [png(), png()]}
        response = multipart(world.c1_liaison)(f"{API}/problems/{rectifying.number}/submit", form)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "awaiting_recheck" and body["submitted_at"]
        assert len(body["photos_after"]) == 2 and body["events"][-1]["note"] == "已清理完毕"
        assert _after_photos(rectifying) == 2

    def test_a_rework_is_submitted_as_json_on_the_earlier_photo(self, world, submitted, act):
        services.problem_recheck(problem=submitted, actor=world.inspector, passed=False, note="仍有垃圾")
        response = act(world.c1_head, submitted, "submit", {"note": "再次清理"})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "awaiting_recheck" and len(response.json()["photos_after"]) == 1

    def test_a_stale_multipart_submit_is_409_and_keeps_no_photo(self, world, rectifying, multipart):
        stale = rectifying.version
        services.problem_request_park(problem=rectifying, actor=world.c1_head, reason="需改造")
        services.problem_decide_park(problem=rectifying, actor=world.hq, approve=False, note="继续整改")
        before = unchanged(rectifying)
        form = {"version": str(stale), "photos": [png()]}
        response = multipart(world.c1_head)(f"{API}/problems/{rectifying.number}/submit", form)
        assert_error(response, 409, "conflict")
        assert unchanged(rectifying) == before

    @pytest.mark.parametrize("data,field", [
        ({"version": "abc"}, "version"),
        ({"note": "x" * 1001}, "note"),
        ({"status": "closed"}, "status"),
        ({"note": ["a", "b"]}, "note"),
    ])
    def test_a_bad_form_is_422_naming_the_field(self, world, rectifying, multipart, data, field):
        before = unchanged(rectifying)
        response = multipart(world.c1_head)(f"{API}/problems/{rectifying.number}/submit", data)
        error = assert_error(response, 422, "invalid")
        assert field in {d["field"] for d in error["details"]}, error
        assert unchanged(rectifying) == before

    def test_a_file_that_is_not_a_photo_is_422_in_chinese(self, world, rectifying, multipart):
        before = unchanged(rectifying)
        post = multipart(world.c1_head)
        url = f"{API}/problems/{rectifying.number}/submit"
        fake = upload("整改.png", b"<script>alert(1)</script>", "image/png")
        assert "整改.png" in assert_error(post(url, {"photos": [fake]}), 422, "invalid")["message"]
        error = assert_error(post(url, {"file": png()}), 422, "invalid")
        assert "photos" in error["details"][0]["message"]
        assert unchanged(rectifying) == before

    @pytest.mark.parametrize("body,status,code", [
        ("{nope", 400, "bad_request"), ("[1, 2]", 422, "invalid"), ('{"version": 0}', 422, "invalid"),
        ('{"note": 5}', 422, "invalid"),
    ])
    def test_a_bad_json_body_is_refused_in_the_error_shape(self, world, rectifying, body, status, code):
        _, token = token_issue(person=world.c1_head, name="测试", actor=world.secadmin)
        response = Client().post(f"{API}/problems/{rectifying.number}/submit", body,
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_error(response, status, code)

    def test_a_multipart_retry_stores_the_photo_once(self, world, rectifying, multipart):
        post = multipart(world.c1_head)
        url = f"{API}/problems/{rectifying.number}/submit"
        first = post(url, {"note": "已清理", "photos": [png()]}, **{KEY: "submit-1"})
        assert first.status_code == 200, first.content
        # The same request again: new file objects holding the same bytes.
        retry = post(url, {"note": "已清理", "photos": [png()]}, **{KEY: "submit-1"})
        assert (retry.status_code, retry.content) == (200, first.content)
        assert retry["Idempotent-Replayed"] == "true" and _after_photos(rectifying) == 1
