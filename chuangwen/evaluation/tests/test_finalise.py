"""定榜: the frozen snapshot, ties, what may not happen after it, and the audit trail."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.evaluation import selectors, services
from chuangwen.evaluation.models import PeriodKind, PeriodStatus, RankEntry
from chuangwen.org import services as org
from chuangwen.org.models import UnitKind
from chuangwen.problems import services as ps
from chuangwen.tasks import services as ts
from chuangwen.tasks.catalogue import ensure_catalogue
from chuangwen.tasks.models import RewardPolicy

from .pages import card_figures, ranking_rows
from .scenario import AFTER, START, at

pytestmark = pytest.mark.django_db
SINCE = date(2020, 1, 1)
WEIGHTS = dict(w_tasks=0, w_problem_on_time=0, w_rework=0, w_handover=100, w_mock=0, component_share=100,
               include_subtree=False)


@pytest.fixture
def period(world):
    with time_machine.travel(AFTER, tick=False):
        return services.period_create(kind=PeriodKind.MONTH, start=START, actor=world.hq)


@pytest.fixture
def four(world, period):
    """Four communities of a new street, 甲 to 丁, whose only records are September tasks:
    甲 1 of 1 on time, 乙 and 丙 1 of 2, 丁 0 of 1; each accepted task passed its first handover.
    Community weights (tasks 20, handover 10; the rest without data): 100, 76.67, 76.67, 30."""
    ensure_catalogue(RewardPolicy)
    policy = RewardPolicy.objects.get(code="JC01")
    street = org.unit_create(code="Q01-J09", name="南街街道", kind=UnitKind.STREET, parent=world.district)
    units = []
    for i, name in enumerate(("甲社区", "乙社区", "丙社区", "丁社区"), start=1):
        unit = org.unit_create(code=f"Q01-J09-S0{i}", name=name, kind=UnitKind.COMMUNITY, parent=street)
        org.post_appoint(person=world.c2_head, unit=unit, title="书记", is_head=True, valid_from=SINCE)
        units.append(unit)
    with time_machine.travel(at(9, 1), tick=False) as clock:
        plan = ts.plan_create(year=2026, title="并列方案", issuing_unit=world.hq_unit, actor=world.hq)
        tasks = []
        for unit, n in zip(units, (1, 2, 2, 1), strict=True):
            for k in range(n):
                t = ts.task_create(plan=plan, actor=world.hq, title=f"{unit.name}任务{k}", content="完成",
                                   standard="标准", deadline=date(2026, 9, 20), lead_unit=unit, criteria="检查",
                                   points=1, policy=policy)
                tasks.append((unit, k, ts.task_issue(task=t, actor=world.hq)))
        clock.move_to(at(9, 10))
        for unit, k, t in tasks:
            if unit.name == "丁社区" or k == 1:
                continue
            t = ts.task_start(task=ts.task_sign_for(task=t, actor=world.c2_head), actor=world.c2_head)
            ts.handover_submit(task=t, actor=world.c2_head, summary="完成")
            ts.handover_accept(task=t, actor=world.hq)
    return units


def names(entries):
    return [(e.rank, e.unit_name.rsplit("/", 1)[-1], str(e.score)) for e in entries]


def test_ties_share_a_rank_and_the_next_rank_is_skipped(world, four, period, client):
    with time_machine.travel(AFTER, tick=False):
        live = selectors.ranking(period, "community")
        assert names(live) == [(1, "甲社区", "100.00"), (2, "乙社区", "76.67"), (2, "丙社区", "76.67"),
                               (4, "丁社区", "30.00")]
        client.force_login(world.c1_head)
        page = ranking_rows(client.get(f"/evaluation/periods/{period.pk}/?group=community").content.decode())
        assert page == [(1, "测试市/城东区/南街街道/甲社区", "100.00"), (2, "测试市/城东区/南街街道/乙社区", "76.67"),
                        (2, "测试市/城东区/南街街道/丙社区", "76.67"), (4, "测试市/城东区/南街街道/丁社区", "30.00")]
        services.period_finalise(period=period, actor=world.hq)
    frozen = selectors.ranking(period, "community")
    assert names(frozen) == names(live) and all(e.pk for e in frozen)


def test_a_frozen_ranking_does_not_move_when_weights_rules_or_records_change(world, sept, period, client):
    with time_machine.travel(AFTER, tick=False):
        before = {g: names(selectors.ranking(period, g)) for g in ("community", "district")}
        done = services.period_finalise(period=period, actor=world.hq)
        assert done.status == PeriodStatus.FINALISED and done.finalised_by == world.hq and done.version == 2
        client.force_login(world.hq)
        url = f"/evaluation/periods/{period.pk}/units/{world.community.code}/"
        card_before = card_figures(client.get(url).content.decode())
        services.weights_update(group="community", actor=world.hq, expected_version=0, **WEIGHTS)
        services.rule_update(code="city_problem", actor=world.hq, expected_version=0, points=-10, on_spot_points=-5)
        # A record changes after the list was published: p3 (due in September) is parked (挂账),
        # which takes it out of September's on-time denominator.
        ps.problem_request_park(problem=sept.p3, actor=world.c1_head, reason="需改造管网")
        ps.problem_decide_park(problem=sept.p3, actor=world.hq, approve=True)
        after = {g: names(selectors.ranking(period, g)) for g in ("community", "district")}
        assert after == before
        assert card_figures(client.get(url).content.decode()) == card_before
        records = client.get(url + "problem_on_time/").content.decode()
        assert "定榜时为 1 / 4" in records and 'id="records-denominator">3<' in records
        # An open period of the same month would now be scored with the new weights.
        live = services.period_create(kind=PeriodKind.QUARTER, start=date(2026, 7, 1), actor=world.hq)
        community = next(e for e in selectors.ranking(live, "community") if e.unit_id == world.community.pk)
        assert community.components["handover"]["weight_used"] == 1.0


def test_finalising_refuses_twice_early_stale_and_non_hq(world, sept, period):
    with time_machine.travel(date(2026, 9, 30), tick=False):
        with pytest.raises(ValidationError, match="考评周期尚未结束"):
            services.period_finalise(period=period, actor=world.hq)
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(PermissionDenied):
            services.period_finalise(period=period, actor=world.district_head)
        with pytest.raises(services.StaleVersion, match="已被他人修改"):
            services.period_finalise(period=period, actor=world.hq, expected_version=7)
        assert not RankEntry.objects.filter(period=period).exists()
        services.period_finalise(period=period, actor=world.hq, expected_version=1)
        count = RankEntry.objects.filter(period=period).count()
        with pytest.raises(ValidationError, match="已定榜,不能重复定榜"):
            services.period_finalise(period=period, actor=world.hq)
    assert RankEntry.objects.filter(period=period).count() == count == 5  # 2 districts, 3 communities


def test_every_change_is_audited(world, sept, period):
    with time_machine.travel(AFTER, tick=False):
        services.period_finalise(period=period, actor=world.hq)
        services.weights_update(group="district", actor=world.hq, expected_version=0, **WEIGHTS)
        services.rule_update(code="district_problem", actor=world.hq, expected_version=0, points=-1.5,
                             on_spot_points=-0.5)
    created = Entry.objects.get(event="evaluation.period_create", object_id=str(period.pk))
    assert created.actor_id == world.hq.pk and created.changes["start"] == [None, "2026-09-01"]
    final = Entry.objects.get(event="evaluation.finalise", object_id=str(period.pk))
    assert final.changes["status"] == ["open", "finalised"]
    assert final.changes["entries"][1] == {"district": 2, "community": 3}
    assert final.changes["weights"][1]["community"]["tasks"] == 20
    weights = Entry.objects.get(event="evaluation.weights_update")
    assert weights.changes["w_handover"] == [15, 100] and weights.changes["include_subtree"] == [True, False]
    rule = Entry.objects.get(event="evaluation.rule_update")
    assert rule.changes["points"] == ["-1", "-1.5"]


def test_weights_and_rules_edits_are_version_checked(world):
    services.weights_update(group="street", actor=world.hq, expected_version=0, **WEIGHTS)
    with pytest.raises(services.StaleVersion):
        services.weights_update(group="street", actor=world.hq, expected_version=0, **WEIGHTS)
    row = services.weights_update(group="street", actor=world.hq, expected_version=1, **WEIGHTS)
    assert row.version == 2
    services.rule_update(code="base", actor=world.hq, expected_version=0, points=90)
    with pytest.raises(services.StaleVersion):
        services.rule_update(code="base", actor=world.hq, expected_version=0, points=95)


@pytest.mark.parametrize(("change", "message"), [
    ({"w_tasks": 10}, "各项权重之和应为 100,现为 110。"),
    ({"w_mock": 101, "w_handover": 0}, "模拟测评得分率权重应为 0–100 的整数。"),
    ({"w_tasks": "三十"}, "任务按期完成率权重应为 0–100 的整数。"),
    ({"component_share": 120}, "指标得分占比应为 0–100 的整数。"),
])
def test_bad_weights_are_refused_in_chinese_and_change_nothing(world, change, message):
    with pytest.raises(ValidationError) as exc:
        services.weights_update(group="community", actor=world.hq, expected_version=0, **{**WEIGHTS, **change})
    assert exc.value.messages == [message]
    assert not Entry.objects.filter(event="evaluation.weights_update").exists()


@pytest.mark.parametrize(("code", "points", "spot", "message"), [
    ("city_problem", 2, 1, "“市级督查发现问题”是扣分项,分值应小于或等于 0。"),
    ("city_problem", -2, -3, "“市级督查发现问题”的当场整改分值应在 -2 与 0 之间。"),
    ("district_problem", -1, None, "请填写“区级督查发现问题”的当场整改分值。"),
    ("clean_site", -2, None, "“市级检查无问题点位”的分值应大于或等于 0。"),
    ("base", "一百", None, "“基础分”的分值应为数字。"),
    ("base", 1.234, None, "“基础分”的分值应为 -1000 至 1000 之间、最多两位小数的数字。"),
    ("bonus", 1, None, "未知的积分规则。"),
])
def test_bad_rules_are_refused_in_chinese(world, code, points, spot, message):
    with pytest.raises(ValidationError) as exc:
        services.rule_update(code=code, actor=world.hq, expected_version=0, points=points, on_spot_points=spot)
    assert exc.value.messages == [message]


@pytest.mark.parametrize(("kind", "start", "message"), [
    ("month", date(2026, 9, 15), "月度考评周期应从当月1日开始。"),
    ("month", date(2026, 12, 1), "该考评周期尚未开始,不能创建。"),
    ("month", date(2026, 9, 1), "考评周期“2026年9月”已存在。"),
])
def test_bad_periods_are_refused_in_chinese(world, period, kind, start, message):
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ValidationError) as exc:
            services.period_create(kind=kind, start=start, actor=world.hq)
    assert exc.value.messages == [message]
