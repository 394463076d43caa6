"""The rewards pages: the desk (confirm, dismiss), the register (scope, filters, Excel), the
rules, the periods, and the navigation."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chuangwen.audit.models import Entry
from chuangwen.rewards.models import Ladder, Proposal, ProposalStatus, Record, Rule
from chuangwen.tasks.models import RewardKind

pytestmark = pytest.mark.django_db


def texts(response):
    return response.content.decode()


class TestDesk:
    def test_only_confirmers_reach_the_desk(self, world, desk, login, client):
        for who in ("c1_head", "mayor", "inspector"):
            login(getattr(world, who))
            assert client.get(reverse("rewards:proposals")).status_code == 403
            assert client.get(reverse("rewards:proposal", args=[desk.pending[0].pk])).status_code == 403
            assert client.post(reverse("rewards:confirm", args=[desk.pending[0].pk])).status_code == 403
        assert Record.objects.count() == 2

    def test_lists_what_waits_and_confirms_with_the_edited_reason(self, world, desk, login, client):
        login(world.hq)
        page = client.get(reverse("rewards:proposals"))
        assert page.status_code == 200
        for p in desk.pending:
            assert f'data-proposal="{p.pk}"' in texts(page)
        target = desk.pending[0]
        detail = client.get(reverse("rewards:proposal", args=[target.pk]))
        assert 'id="confirm-form"' in texts(detail) and target.reason in texts(detail)
        response = client.post(reverse("rewards:confirm", args=[target.pk]), {
            "version": target.version, "reason": "经研究,授予流动红旗。", "doc_number": "上创文指〔2026〕23号"})
        assert response.status_code == 302
        rec = Record.objects.get(proposal=target)
        assert rec.reason == "经研究,授予流动红旗。" and rec.doc_number == "上创文指〔2026〕23号"
        # Straight on to the next proposal waiting.
        assert response["Location"] == reverse("rewards:proposal", args=[desk.pending[1].pk])

    def test_dismissing_without_a_reason_says_so_and_changes_nothing(self, world, desk, login, client):
        login(world.hq)
        target = desk.pending[0]
        response = client.post(reverse("rewards:dismiss", args=[target.pk]),
                               {"version": target.version, "note": ""}, follow=True)
        assert "请填写不予采纳的理由" in texts(response)
        target.refresh_from_db()
        assert target.status == ProposalStatus.PROPOSED and target.version == 1

    def test_a_stale_form_is_told_not_overwritten(self, world, desk, login, client):
        login(world.hq)
        target = desk.pending[0]
        client.post(reverse("rewards:dismiss", args=[target.pk]), {"version": target.version, "note": "重复"})
        response = client.post(reverse("rewards:confirm", args=[target.pk]),
                               {"version": target.version, "reason": "事由"}, follow=True)
        assert "已被他人处理" in texts(response)
        assert not Record.objects.filter(proposal=target).exists()

    def test_get_never_decides(self, world, desk, login, client):
        login(world.hq)
        assert client.get(reverse("rewards:confirm", args=[desk.pending[0].pk])).status_code == 405
        assert client.get(reverse("rewards:run_tasks")).status_code == 405

    def test_the_periods_page_counts_within_the_scope(self, world, desk, login, client):
        def counts():
            page = texts(client.get(reverse("rewards:periods")))
            return re.findall(r"<tr><td><a [^>]*>(2026年\d+月)</a>.*?</td>\s*<td[^>]*>[^<]*</td><td>(\d+)</td>",
                              page, re.S)

        login(world.e1_head)
        assert counts() == [("2026年9月", "1"), ("2026年8月", "0")]
        login(world.hq)
        assert counts() == [("2026年9月", "1"), ("2026年8月", "1")]

    def test_runs_the_period_rules_from_the_periods_page(self, world, desk, login, client):
        login(world.hq)
        page = client.get(reverse("rewards:period", args=[desk.sep.pk]))
        assert "运行排名规则" in texts(page)
        before = Proposal.objects.count()
        response = client.post(reverse("rewards:run_period", args=[desk.sep.pk]), follow=True)
        assert "新增 0 条奖惩建议" in texts(response) and Proposal.objects.count() == before


class TestRegister:
    def test_hq_sees_every_record_a_unit_only_its_own(self, world, desk, login, client):
        login(world.hq)
        page = texts(client.get(reverse("rewards:records")))
        assert f'data-record="{desk.c1_record.pk}"' in page and f'data-record="{desk.e1_record.pk}"' in page
        login(world.e1_head)
        page = texts(client.get(reverse("rewards:records")))
        assert f'data-record="{desk.e1_record.pk}"' in page
        assert f'data-record="{desk.c1_record.pk}"' not in page
        assert client.get(reverse("rewards:record", args=[desk.c1_record.pk])).status_code == 404
        assert client.get(reverse("rewards:record", args=[desk.e1_record.pk])).status_code == 200

    def test_people_without_reward_view_are_refused(self, world, desk, login, client):
        for who in ("auditor", "outsider"):
            login(getattr(world, who))
            assert client.get(reverse("rewards:records")).status_code == 403
            assert client.get(reverse("rewards:export")).status_code == 403

    @pytest.mark.parametrize("query,expected", [
        ({"kind": "red_flag"}, ["c1"]),
        ({"kind": "talk"}, ["e1"]),
        ({"unit": "Q01"}, ["c1"]),
        ({"unit": "NO-SUCH"}, []),
        ({"q": "22号"}, ["e1"]),
        ({"year": "2026"}, ["c1", "e1"]),
        ({"year": "2025"}, []),
        ({"kind": "nonsense", "year": "²⁰²⁶", "period": "x"}, ["c1", "e1"]),
    ])
    def test_filters(self, world, desk, login, client, query, expected):
        login(world.hq)
        page = texts(client.get(reverse("rewards:records"), query))
        records = {"c1": desk.c1_record, "e1": desk.e1_record}
        assert [k for k, r in records.items() if f'data-record="{r.pk}"' in page] == expected

    def test_period_filter(self, world, desk, login, client):
        login(world.hq)
        page = texts(client.get(reverse("rewards:records"), {"period": desk.sep.pk}))
        assert f'data-record="{desk.e1_record.pk}"' in page
        assert f'data-record="{desk.c1_record.pk}"' not in page

    def test_excel_has_the_same_rows_as_the_page_and_is_audited(self, world, desk, login, client):
        login(world.e1_head)
        response = client.get(reverse("rewards:export"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:4] == ("发生日期", "单位", "人员", "奖惩方式")
        assert [(r[1], r[2], r[3], r[5]) for r in rows[1:]] == [("城西区西湖社区", "辛书记", "约谈", "上创文指〔2026〕22号")]
        entry = Entry.objects.get(event="reward.export")
        assert entry.actor_id == world.e1_head.pk and entry.changes["rows"] == [None, 1]

    def test_the_list_costs_a_fixed_number_of_queries(self, world, desk, login, client,
                                                       django_assert_max_num_queries):
        login(world.hq)
        client.get(reverse("rewards:records"))
        with django_assert_max_num_queries(12):
            client.get(reverse("rewards:records"))


class TestRules:
    def test_everyone_reads_the_rules_hq_edits_them(self, world, rules, login, client):
        login(world.c1_head)
        page = texts(client.get(reverse("rewards:rules")))
        assert "JC-R01" in page and reverse("rewards:rule_edit", args=[rules["JC-R01"].pk]) not in page
        rule = rules["JC-R01"]
        assert client.post(reverse("rewards:rule_edit", args=[rule.pk]), {"name": "x"}).status_code == 403
        login(world.hq)
        response = client.post(reverse("rewards:rule_edit", args=[rule.pk]), {
            "version": rule.version, "name": rule.name, "kind": "red_flag", "group": "community",
            "period_kind": "", "n": 5, "consecutive": 1, "days": 0, "description": rule.description, "is_active": "on"})
        assert response.status_code == 302
        rule.refresh_from_db()
        assert (rule.n, rule.group, rule.version) == (5, "community", 2)
        assert Entry.objects.get(event="reward.rule_update").changes["n"] == [10, 5]

    def test_a_bad_rule_is_refused_in_chinese(self, world, rules, login, client):
        login(world.hq)
        rule = rules["JC-R02"]
        response = client.post(reverse("rewards:rule_edit", args=[rule.pk]), {
            "version": rule.version, "name": rule.name, "kind": "talk", "group": "", "period_kind": "",
            "n": 0, "consecutive": 2, "days": 0, "is_active": "on"})
        assert response.status_code == 400 and "名次数至少为 1" in texts(response)
        rule.refresh_from_db()
        assert rule.n == 3 and rule.version == 1

    def test_creates_a_rule(self, world, rules, login, client):
        login(world.hq)
        response = client.post(reverse("rewards:rule_create"), {
            "code": "JC-R05", "trigger": "rank_top", "name": "季度第一名表彰", "kind": "commendation",
            "group": "district", "period_kind": "quarter", "n": 1, "consecutive": 1, "days": 0,
            "is_active": "on"})
        assert response.status_code == 302
        assert Rule.objects.get(code="JC-R05").kind == RewardKind.COMMENDATION
        duplicate = client.post(reverse("rewards:rule_create"), {
            "code": "JC-R05", "trigger": "rank_top", "name": "重复", "kind": "praise", "n": 1, "consecutive": 1,
            "days": 0})
        assert duplicate.status_code == 400 and "规则编号已存在" in texts(duplicate)

    def test_edits_the_ladder(self, world, rules, login, client):
        login(world.hq)
        ladder = Ladder.objects.get()
        client.post(reverse("rewards:ladder"), {
            "version": ladder.version, "rung1": "criticism", "rung2": "talk", "rung3": "accountability",
            "rung4": "", "window_months": 6, "is_active": "on"})
        ladder.refresh_from_db()
        assert ladder.rungs == ["criticism", "talk", "accountability"] and ladder.window_months == 6
        response = client.post(reverse("rewards:ladder"), {
            "version": ladder.version, "rung1": "talk", "rung2": "talk", "window_months": 6}, follow=True)
        assert "不能重复" in texts(response)


def test_the_navigation_shows_rewards_to_those_who_may_see_it(world, login, client):
    login(world.c1_head)
    assert reverse("rewards:records") in texts(client.get(reverse("rewards:rules")))
    login(world.auditor)
    assert ">奖惩<" not in texts(client.get("/", follow=True))
