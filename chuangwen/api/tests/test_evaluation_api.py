"""Evaluation over the API: the same figures as the pages, rankings public to business roles,
score cards and records within scope, HQ's writes (version checks, Chinese errors, audit)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from chuangwen.audit.models import Entry
from chuangwen.evaluation import services
from chuangwen.evaluation.models import PeriodKind, RankEntry
from chuangwen.evaluation.tests.independent import WEIGHTS, expected, round2
from chuangwen.evaluation.tests.pages import card_figures
from chuangwen.evaluation.tests.scenario import AFTER, END, START, build_september

from .helpers import API, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def period(world):
    build_september(world)
    with time_machine.travel(AFTER, tick=False):
        return services.period_create(kind=PeriodKind.MONTH, start=START, actor=world.hq)


@pytest.fixture
def clock():
    with time_machine.travel(AFTER, tick=False):
        yield


def test_the_card_over_the_api_is_the_pages_card(world, period, clock, api_client, client):
    body = api_client(world.c1_head)(f"{API}/evaluation/periods/{period.pk}/units/{world.community.code}").json()
    client.force_login(world.c1_head)
    page = card_figures(client.get(f"/evaluation/periods/{period.pk}/units/{world.community.code}/").content.decode())
    exp = expected(world.community, START, END)
    assert body["ranked"] and not body["frozen"] and body["group"] == "community"
    assert Decimal(str(body["score"])) == page["score"] == exp.score(WEIGHTS["community"])
    assert Decimal(str(body["weighted_score"])).quantize(Decimal("0.01")) == page["weighted"]
    assert body["rank"] == page["rank"] == 2 and body["group_size"] == 3
    parts = {p["code"]: p for p in body["components"]}
    for code, (num, den) in exp.counts.items():
        assert (parts[code]["numerator"], parts[code]["denominator"]) == (num, den) == page["parts"][code]["counts"]
    assert parts["mock"]["left_out"] and body["left_out"] == ["模拟测评得分率"]
    assert sum(p["weight_used"] for p in body["components"]) == pytest.approx(1)
    rules = {r["code"]: r for r in body["rules"]}
    assert (rules["city_problem"]["count"], rules["city_problem"]["on_spot"]) == (2, 1)
    assert rules["clean_site"]["no_data"] and body["rule_points"] == float(round2(exp.rules())) == 96.0
    assert body["component_share"] == 0.7 and body["include_subtree"] is False
    assert [t["label"] for t in body["trend"]] == ["2026年9月"]


def test_records_over_the_api_add_up_to_the_card(world, period, clock, api_client):
    get = api_client(world.district_head)
    exp = expected(world.community, START, END)
    for kind, counts in exp.counts.items():
        body = get(f"{API}/evaluation/periods/{period.pk}/units/{world.community.code}/records/{kind}").json()
        assert (body["numerator"], body["denominator"]) == counts == (body["frozen_numerator"],
                                                                     body["frozen_denominator"])
        assert len({(i["kind"], i["key"]) for i in body["items"]}) == len(body["items"])
    rules = get(f"{API}/evaluation/periods/{period.pk}/units/{world.community.code}/records/rules").json()
    assert [i["points"] for i in rules["items"]] == [-1.0, -2.0, -1.0]


def test_rankings_are_public_and_cards_are_scoped(world, period, clock, api_client):
    get = api_client(world.e1_head)
    body = get(f"{API}/evaluation/periods/{period.pk}/rankings/community").json()
    assert [(r["rank"], r["unit"]["code"], r["score"]) for r in body["items"]] == [
        (1, world.community2.code, 100.0), (2, world.community.code, 56.25), (3, world.other_community.code, 29.4)]
    assert not body["frozen"] and set(body["items"][0]) == {"rank", "unit", "score", "weighted_score", "rule_points"}
    assert_error(get(f"{API}/evaluation/periods/{period.pk}/units/{world.community.code}"), 404, "not_found")
    assert_error(get(f"{API}/evaluation/periods/{period.pk}/units/{world.community.code}/records/tasks"), 404,
                 "not_found")
    assert get(f"{API}/evaluation/periods/{period.pk}/units/{world.other_community.code}").status_code == 200
    outsider = api_client(world.outsider)
    assert_error(outsider(f"{API}/evaluation/periods"), 403, "forbidden")
    assert_error(outsider(f"{API}/evaluation/periods/{period.pk}/rankings/community"), 403, "forbidden")
    assert_error(get(f"{API}/evaluation/periods/{period.pk}/rankings/planet"), 422, "invalid")
    assert_error(get(f"{API}/evaluation/periods/{2**70}"), 404, "not_found")


def test_hq_finalises_over_the_api_once(world, period, clock, api_client, api_post):
    post = api_post(world.hq)
    assert_error(post(f"{API}/evaluation/periods/{period.pk}/finalise", {"version": 5}), 409, "conflict")
    body = post(f"{API}/evaluation/periods/{period.pk}/finalise", {"version": 1})
    assert body.status_code == 200, body.content
    assert body.json()["status"] == "finalised" and body.json()["finalised_by"] == world.hq.full_name
    assert_error(post(f"{API}/evaluation/periods/{period.pk}/finalise", {}), 422, "invalid", "不能重复定榜")
    ranking = api_client(world.mayor)(f"{API}/evaluation/periods/{period.pk}/rankings/district").json()
    assert ranking["frozen"] and [r["unit"]["code"] for r in ranking["items"]] == ["Q01", "Q02"]
    assert RankEntry.objects.filter(period=period).count() == 5
    assert Entry.objects.filter(event="evaluation.finalise", actor_id=world.hq.pk).count() == 1


def test_writes_need_hq_and_refuse_bad_input_in_chinese(world, period, clock, api_post, api_client):
    unit_head = api_post(world.district_head)
    assert_error(unit_head(f"{API}/evaluation/periods", {"kind": "month", "start": "2026-08-01"}), 403, "forbidden")
    assert_error(unit_head(f"{API}/evaluation/periods/{period.pk}/finalise", {}), 403, "forbidden")
    post = api_post(world.hq)
    assert_error(post(f"{API}/evaluation/periods", {"kind": "month", "start": "2026-08-15"}), 422, "invalid",
                 "月度考评周期应从当月1日开始")
    assert_error(post(f"{API}/evaluation/periods", {"kind": "month", "start": "2026-09-01"}), 422, "invalid",
                 "已存在")
    assert_error(post(f"{API}/evaluation/periods", {"kind": "month", "start": "2026-08-01", "status": "finalised"}),
                 422, "invalid")
    created = post(f"{API}/evaluation/periods", {"kind": "quarter", "start": "2026-07-01"})
    assert created.status_code == 201 and created.json()["label"] == "2026年第三季度"
    weights = {"version": 0, "w_tasks": 50, "w_problem_on_time": 50, "w_rework": 0, "w_handover": 0, "w_mock": 0,
               "component_share": 80}
    assert_error(post(f"{API}/evaluation/weights/community", {**weights, "w_mock": 5}), 422, "invalid",
                 "各项权重之和应为 100")
    body = post(f"{API}/evaluation/weights/community", weights)
    assert body.status_code == 200, body.content
    community = next(w for w in body.json()["weights"] if w["group"] == "community")
    assert (community["w_tasks"], community["component_share"], community["version"]) == (50, 80, 1)
    assert_error(post(f"{API}/evaluation/weights/community", weights), 409, "conflict")
    assert_error(post(f"{API}/evaluation/rules/city_problem", {"version": 0, "points": 1}), 422, "invalid",
                 "扣分项")
    assert post(f"{API}/evaluation/rules/city_problem", {"version": 0, "points": -3, "on_spot_points": -1}
                ).status_code == 200
    config = api_client(world.c1_head)(f"{API}/evaluation/config").json()
    assert next(r for r in config["rules"] if r["code"] == "city_problem")["points"] == -3.0
    assert date.fromisoformat(created.json()["end"]) == date(2026, 9, 30)


def test_the_evaluation_endpoints_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert f"{API}/evaluation/periods/{{id}}/rankings/{{group}}" in paths
    assert f"{API}/evaluation/periods/{{id}}/units/{{code}}/records/{{kind}}" in paths
