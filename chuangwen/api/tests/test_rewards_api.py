"""Rewards over the API: the register and the published list in scope, proposals for confirmers
only, confirming and dismissing through the services (Chinese refusals, 409 on a stale version),
the rules run by hand."""

import pytest

from chuangwen.rewards.models import Proposal, ProposalStatus, Record
from chuangwen.rewards.selectors import honours
from chuangwen.rewards.tests.conftest import communities, desk, rules  # noqa: F401

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


class TestRecords:
    def test_register_in_scope(self, world, desk, api_client):
        assert ids(api_client(world.hq)(f"{API}/rewards/records")) == [desk.c1_record.pk, desk.e1_record.pk]
        assert ids(api_client(world.e1_head)(f"{API}/rewards/records")) == [desk.e1_record.pk]
        assert ids(api_client(world.c1_head)(f"{API}/rewards/records")) == [desk.c1_record.pk]
        other = api_client(world.e1_head)(f"{API}/rewards/records/{desk.c1_record.pk}")
        assert_error(other, 404, "not_found")
        assert_error(api_client(world.auditor)(f"{API}/rewards/records"), 403, "forbidden", "查看奖惩")

    def test_a_record_as_the_page_shows_it(self, world, desk, api_client):
        body = api_client(world.e1_head)(f"{API}/rewards/records/{desk.e1_record.pk}").json()
        assert body["kind"] == "talk" and body["kind_label"] == "约谈" and body["person_name"] == "辛书记"
        assert body["unit"] == {"code": "Q02-S01", "name": "城西区西湖社区"}
        assert body["doc_number"] == "上创文指〔2026〕22号" and body["period"]["label"] == "2026年9月"
        assert body["rule"]["code"] == "JC-R02"

    @pytest.mark.parametrize("params,expected", [
        ({"kind": "red_flag"}, ["c1"]),
        ({"unit": "Q02"}, ["e1"]),
        ({"unit": "NO-SUCH"}, []),
        ({"year": 2025}, []),
        ({"q": "21号"}, ["c1"]),
    ])
    def test_filters(self, world, desk, api_client, params, expected):
        records = {"c1": desk.c1_record.pk, "e1": desk.e1_record.pk}
        assert ids(api_client(world.hq)(f"{API}/rewards/records", params)) == [records[k] for k in expected]

    def test_filter_by_period(self, world, desk, api_client):
        got = ids(api_client(world.hq)(f"{API}/rewards/records", {"period": desk.aug.pk}))
        assert got == [desk.c1_record.pk]
        assert ids(api_client(world.hq)(f"{API}/rewards/records", {"period": 999999})) == []

    def test_honours_is_the_published_list(self, world, desk, api_client):
        body = api_client(world.c1_head)(f"{API}/rewards/periods/{desk.sep.pk}/honours").json()
        h = honours(desk.sep)
        assert [(r["rank"], r["unit_name"], r["board"]) for r in body["tables"][0]["rows"]] == [
            (r.rank, r.unit_name, r.board) for r in h.tables[0].rows]
        assert [x["unit_name"] for x in body["black"]] == ["城西区西湖社区"] and body["red"] == []


class TestProposals:
    def test_only_confirmers_see_proposals(self, world, desk, api_client):
        waiting = ids(api_client(world.hq)(f"{API}/rewards/proposals", {"status": "proposed"}))
        assert waiting == [p.pk for p in desk.pending]
        assert_error(api_client(world.c1_head)(f"{API}/rewards/proposals"), 403, "forbidden", "确认奖惩")
        assert_error(api_client(world.mayor)(f"{API}/rewards/proposals/{desk.c1_flag.pk}"), 403, "forbidden")

    def test_confirm_issues_the_record(self, world, desk, api_post):
        target = desk.pending[0]
        response = api_post(world.hq)(f"{API}/rewards/proposals/{target.pk}/confirm",
                                      {"doc_number": "上创文指〔2026〕30号", "version": target.version})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["proposal_id"] == target.pk and body["doc_number"] == "上创文指〔2026〕30号"
        assert body["reason"] == target.reason and Record.objects.filter(proposal=target).exists()

    def test_dismiss_needs_a_reason(self, world, desk, api_post):
        target = desk.pending[0]
        post = api_post(world.hq)
        assert_error(post(f"{API}/rewards/proposals/{target.pk}/dismiss", {"reason": " "}), 422, "invalid",
                     "请填写不予采纳的理由")
        assert_error(post(f"{API}/rewards/proposals/{target.pk}/dismiss", {}), 422, "invalid")
        response = post(f"{API}/rewards/proposals/{target.pk}/dismiss", {"reason": "排名数据待核实"})
        assert response.status_code == 200 and response.json()["status"] == "dismissed"
        assert response.json()["decision_note"] == "排名数据待核实"

    def test_stale_version_is_409_and_decided_is_422(self, world, desk, api_post):
        target = desk.pending[0]
        post = api_post(world.hq)
        assert post(f"{API}/rewards/proposals/{target.pk}/confirm", {"version": 1}).status_code == 200
        assert_error(post(f"{API}/rewards/proposals/{target.pk}/dismiss", {"reason": "x", "version": 1}), 409,
                     "conflict", "已被他人处理")
        assert_error(post(f"{API}/rewards/proposals/{target.pk}/dismiss", {"reason": "x"}), 422, "invalid",
                     "已确认,不能再处理")

    def test_a_unit_head_cannot_confirm(self, world, desk, api_post):
        target = desk.pending[0]
        response = api_post(world.c1_head)(f"{API}/rewards/proposals/{target.pk}/confirm", {})
        assert_error(response, 403, "forbidden")
        target.refresh_from_db()
        assert target.status == ProposalStatus.PROPOSED

    def test_no_field_beyond_the_documented_ones(self, world, desk, api_post):
        target = desk.pending[0]
        response = api_post(world.hq)(f"{API}/rewards/proposals/{target.pk}/confirm",
                                      {"kind": "accountability", "unit": "Q02"})
        assert_error(response, 422, "invalid")
        assert not Record.objects.filter(proposal=target).exists()

    def test_out_of_range_ids_are_404(self, world, desk, api_client, api_post):
        assert_error(api_client(world.hq)(f"{API}/rewards/proposals/{2**70}"), 404, "not_found")
        assert_error(api_post(world.hq)(f"{API}/rewards/proposals/999999/confirm", {}), 404, "not_found")

    def test_runs_the_rules_by_hand_without_duplicates(self, world, desk, api_post):
        post = api_post(world.hq)
        before = Proposal.objects.count()
        response = post(f"{API}/rewards/periods/{desk.sep.pk}/propose")
        assert response.status_code == 200 and response.json() == {"proposed": 0, "proposal_ids": []}
        assert post(f"{API}/rewards/tasks/propose").json()["proposed"] == 0
        assert Proposal.objects.count() == before
        assert_error(api_post(world.c1_head)(f"{API}/rewards/tasks/propose"), 403, "forbidden")
