"""The supervision endpoints (督查督办): scoped reads (out of scope is 404), writes through the
services with Chinese refusals (422), stale versions (409), idempotent retries, and the ledger
with the page's figures."""

from datetime import date

import pytest

from chuangwen.api.models import IdempotencyRecord
from chuangwen.audit.models import Entry
from chuangwen.problems.models import Problem, Source
from chuangwen.supervision import services
from chuangwen.supervision.ledger import ledger
from chuangwen.supervision.models import Instruction, ItemStatus, Meeting
from chuangwen.supervision.tests.conftest import complete, fixes, market, rubbish, visit  # noqa: F401
from chuangwen.tasks.models import Task, TaskSource, TaskStatus

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db
KEY = "HTTP_IDEMPOTENCY_KEY"
S = f"{API}/supervision"


@pytest.fixture
def instruction(world, today):
    return services.instruction_create(leader=world.mayor, date=date(2026, 9, 10), title="背街小巷批示",
                                       text="限期整改。", actor=world.hq)


@pytest.fixture
def split(world, instruction):
    return services.instruction_split(instruction=instruction, units=[world.community], actor=world.hq,
                                      fixes=fixes())


def _split_body(**over):
    body = {"units": ["Q01-J01-S01", "Q01-J01-S02"], "deadline": "2026-10-20"}
    body.update(over)
    return body


class TestReads:
    def test_hq_lists_and_reads_an_instruction_with_its_tasks(self, world, instruction, split, api_client):
        get = api_client(world.hq)
        body = get(f"{S}/instructions").json()
        assert [i["title"] for i in body["items"]] == ["背街小巷批示"] and body["next"] is None
        item = body["items"][0]
        assert (item["stage"], item["task_total"], item["task_accepted"]) == ("working", 1, 0)
        detail = get(f"{S}/instructions/{instruction.pk}").json()
        assert [t["code"] for t in detail["tasks"]] == [split[0].code]
        assert detail["leader_name"] == "乙市长" and detail["tasks"][0]["lead_unit"]["code"] == "Q01-J01-S01"

    def test_a_unit_reads_only_what_its_tasks_reach(self, world, instruction, split, api_client):
        assert api_client(world.c1_head)(f"{S}/instructions/{instruction.pk}").status_code == 200
        get = api_client(world.e1_head)
        assert get(f"{S}/instructions").json()["items"] == []
        assert_error(get(f"{S}/instructions/{instruction.pk}"), 404, "not_found")
        assert_error(api_client(world.outsider)(f"{S}/instructions"), 403, "forbidden")
        assert_error(get(f"{S}/instructions/{2**70}"), 404, "not_found")

    def test_the_ledger_has_the_pages_figures(self, world, instruction, split, api_client):
        body = api_client(world.district_head)(f"{S}/ledger", {"year": 2026}).json()
        expected = ledger(world.district_head, year=2026)
        assert body["phrases"] == expected["phrases"]
        assert body["totals"][0] == expected["totals"]["instruction"].as_dict()
        assert body["totals"][0]["tasks"] == 1


class TestInstructionWrites:
    def test_record_split_and_close(self, world, today, api_post, api_client):
        post = api_post(world.hq)
        response = post(f"{S}/instructions", {"leader": "mayor", "date": "2026-09-15", "title": "农贸市场批示",
                                              "text": "请抓紧整改。", "doc_number": "上创文〔2026〕9号"})
        assert response.status_code == 201, response.content
        item = response.json()
        assert item["stage"] == "new" and item["version"] == 1
        response = post(f"{S}/instructions/{item['id']}/tasks", _split_body(version=1))
        assert response.status_code == 201, response.content
        detail = response.json()
        assert [t["status"] for t in detail["tasks"]] == ["issued", "issued"]
        tasks = list(Task.objects.filter(supervision_source__instruction_id=item["id"]).order_by("code"))
        assert {t.source for t in tasks} == {TaskSource.INSTRUCTION}
        assert tasks[0].title == "落实乙市长批示:农贸市场批示" and tasks[0].policy.code == "JC03"
        refused = post(f"{S}/instructions/{item['id']}/close", {"note": "办结"})
        assert_error(refused, 422, "invalid", "尚有 2 项任务未验收")
        complete(tasks[0], world, world.c1_head)
        complete(tasks[1], world, world.c2_head)
        response = post(f"{S}/instructions/{item['id']}/close", {"note": "已整改到位"})
        assert response.status_code == 200 and response.json()["status"] == "closed"
        assert response.json()["stage"] == "closed"
        assert Entry.objects.filter(event="instruction.close", actor_id=world.hq.pk).count() == 1

    @pytest.mark.parametrize("body, message", [
        ({"leader": "nobody"}, "批示领导“nobody”不存在"),
        ({"leader": "c1_head"}, "批示领导须为在职的市领导"),
        ({"date": "2026-12-01"}, "批示日期不能晚于今天"),
        ({"text": ""}, "请填写批示内容"),
    ])
    def test_bad_instructions_are_refused_in_chinese(self, world, today, api_post, body, message):
        full = {"leader": "mayor", "date": "2026-09-15", "title": "批示", "text": "内容", **body}
        assert_error(api_post(world.hq)(f"{S}/instructions", full), 422, "invalid", message)
        assert not Instruction.objects.exists()

    def test_unknown_fields_and_units_are_refused(self, world, instruction, api_post):
        post = api_post(world.hq)
        url = f"{S}/instructions/{instruction.pk}/tasks"
        assert_error(post(url, _split_body(status="closed")), 422, "invalid")
        assert_error(post(url, _split_body(units=["Q09"])), 422, "invalid", "以下单位编码不存在:Q09")
        assert_error(post(url, _split_body(deadline="2026-09-01")), 422, "invalid", "不能早于今天")
        assert not Task.objects.exists()

    def test_a_stale_version_is_a_conflict(self, world, instruction, split, api_post):
        response = api_post(world.hq)(f"{S}/instructions/{instruction.pk}/tasks",
                                      _split_body(units=["Q01-J01-S02"], version=1))
        assert_error(response, 409, "conflict", "已被他人修改")

    def test_a_unit_head_may_not_write(self, world, instruction, split, api_post):
        post = api_post(world.c1_head)
        assert_error(post(f"{S}/instructions/{instruction.pk}/tasks", _split_body()), 403, "forbidden")
        assert_error(post(f"{S}/instructions/{instruction.pk}/close", {"note": "办结"}), 403, "forbidden")
        instruction.refresh_from_db()
        assert instruction.status == ItemStatus.OPEN and Task.objects.count() == 1


class TestIdempotency:
    def test_a_retried_post_records_one_instruction_and_replays_the_answer(self, world, today, api_post):
        post = api_post(world.hq)
        body = {"leader": "mayor", "date": "2026-09-15", "title": "批示", "text": "内容"}
        first = post(f"{S}/instructions", body, **{KEY: "instr-1"})
        retry = post(f"{S}/instructions", body, **{KEY: "instr-1"})
        assert first.status_code == retry.status_code == 201 and retry.content == first.content
        assert retry["Idempotent-Replayed"] == "true"
        assert Instruction.objects.count() == 1 and IdempotencyRecord.objects.count() == 1

    def test_a_retried_split_issues_the_tasks_once(self, world, instruction, api_post):
        post = api_post(world.hq)
        url = f"{S}/instructions/{instruction.pk}/tasks"
        first = post(url, _split_body(), **{KEY: "split-1"})
        retry = post(url, _split_body(), **{KEY: "split-1"})
        assert first.status_code == retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
        assert Task.objects.filter(status=TaskStatus.ISSUED).count() == 2

    def test_the_document_offers_the_header_on_supervision_posts(self, world, api_client):
        doc = api_client(world.hq)(f"{API}/openapi.json").json()
        post = doc["paths"][f"{S}/visits/{{id}}/findings"]["post"]
        assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]


class TestMeetingsAndVisits:
    def test_a_meeting_and_its_decisions_become_tasks(self, world, today, api_post, api_client):
        post = api_post(world.hq)
        response = post(f"{S}/meetings", {"kind": "onsite", "date": "2026-09-12", "title": "现场办公会",
                                          "chair": "mayor", "decisions": ["拆除违建", "修复路灯"]})
        assert response.status_code == 201, response.content
        meeting = response.json()
        assert [d["number"] for d in meeting["decisions"]] == [1, 2]
        decision = meeting["decisions"][1]["id"]
        response = post(f"{S}/decisions/{decision}/tasks", _split_body(units=["Q01"], title="修复路灯"))
        assert response.status_code == 201, response.content
        assert [t["title"] for t in response.json()["tasks"]] == ["修复路灯"]
        added = post(f"{S}/meetings/{meeting['id']}/decisions", {"text": "更新公益广告"})
        assert added.status_code == 201 and added.json()["number"] == 3
        # The district sees the meeting with the one decision that reached it.
        seen = api_client(world.district_head)(f"{S}/meetings/{meeting['id']}").json()
        assert [d["number"] for d in seen["decisions"]] == [2]
        assert_error(api_client(world.e1_head)(f"{S}/meetings/{meeting['id']}"), 404, "not_found")
        bad = {"kind": "party", "date": "2026-09-12", "title": "x", "chair": "mayor"}
        assert_error(post(f"{S}/meetings", bad), 422, "invalid")
        assert Meeting.objects.count() == 1

    def test_a_finding_becomes_a_deputy_problem(self, world, visit, market, rubbish, api_post, api_client):
        post = api_post(world.hq)
        response = post(f"{S}/visits/{visit.pk}/findings", {"description": "市场入口暴露垃圾", "category": "SJ0101",
                                                            "site": market.code, "raised_by": "张代表"})
        assert response.status_code == 201, response.content
        (finding,) = response.json()["findings"]
        problem = Problem.objects.get(number=finding["problem_number"])
        assert problem.source == Source.DEPUTY and finding["suggested_unit"]["code"] == "Q01-J01-S02"
        # Seen by the district it lies in; not yet by C2, which it is only suggested to.
        assert api_client(world.district_head)(f"{S}/visits/{visit.pk}").status_code == 200
        assert_error(api_client(world.c2_head)(f"{S}/visits/{visit.pk}"), 404, "not_found")
        bad = {"description": "x", "category": "NOPE", "address": "a"}
        assert_error(post(f"{S}/visits/{visit.pk}/findings", bad), 422, "invalid", "以下问题类别不存在:NOPE")

    def test_records_a_visit(self, world, market, api_post):
        response = api_post(world.hq)(f"{S}/visits", {"kind": "joint", "date": "2026-09-14", "title": "联合视察",
                                                      "members": "代表委员10人", "sites": [market.code]})
        assert response.status_code == 201, response.content
        assert response.json()["sites"] == [{"code": market.code, "name": market.name}]
