"""The score maths without a database: renormalisation, rule points, the final score, ranking,
and period boundaries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuangwen.evaluation.scoring import RuleLine, competition_ranks, final_score, rule_points, weigh
from chuangwen.evaluation.services import period_bounds

WEIGHTS = {"tasks": 20, "problem_on_time": 40, "rework": 15, "handover": 10, "mock": 15}


def test_components_without_data_are_left_out_and_the_rest_scaled_up():
    parts, score = weigh({"tasks": (1, 2), "problem_on_time": (3, 4), "rework": (1, 4), "handover": (0, 0)},
                         WEIGHTS)
    by = {p.code: p for p in parts}
    assert not by["handover"].has_data and not by["mock"].has_data
    assert by["handover"].weight_used == 0 and by["mock"].weight_used == 0
    # 20 + 40 + 15 = 75 of the weights have data.
    assert by["tasks"].weight_used == Decimal(20) / 75
    assert abs(sum(p.weight_used for p in parts) - 1) < Decimal("1e-20")
    expected = 100 * (Decimal(20) * Decimal("0.5") + 40 * Decimal("0.75") + 15 * Decimal("0.75")) / 75
    assert abs(score - expected) < Decimal("1e-20")
    assert by["rework"].rate == Decimal("0.25") and by["rework"].score_rate == Decimal("0.75")
    card = by["handover"].as_json()
    assert card["left_out"] and card["note"] and card["value"] is None


def test_no_component_with_data_gives_no_weighted_score():
    parts, score = weigh({}, WEIGHTS)
    assert score is None and all(not p.has_data for p in parts)


def test_full_marks_with_one_component():
    _, score = weigh({"tasks": (3, 3)}, WEIGHTS)
    assert score == 100


def test_rule_points_add_to_the_base_and_never_go_below_zero():
    lines = [RuleLine("city_problem", "市级", count=2, points=Decimal(-3)), RuleLine("clean_site", "点位", no_data=True)]
    assert rule_points(Decimal(100), lines) == Decimal(97)
    assert rule_points(Decimal(100), [RuleLine("city_problem", "市级", count=60, points=Decimal(-120))]) == 0


def test_final_score_mixes_the_two_parts_by_the_share_and_rounds_half_up():
    assert final_score(Decimal(80), Decimal(90), Decimal("0.7")) == Decimal("83.00")
    assert final_score(Decimal("50.005"), Decimal(50), Decimal(1)) == Decimal("50.01")
    assert final_score(Decimal("12.345"), Decimal(0), Decimal(1)) == Decimal("12.35")


def test_competition_ranking_gives_ties_the_same_rank_and_skips():
    scores = [Decimal("80.00"), Decimal("95.50"), Decimal("80.00"), Decimal("60.10"), Decimal("80.00")]
    assert competition_ranks(scores) == [2, 1, 2, 5, 2]
    assert competition_ranks([Decimal(3), Decimal(2), Decimal(2), Decimal(1)]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


@pytest.mark.parametrize(("kind", "start", "end", "label"), [
    ("month", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
    ("month", date(2028, 2, 1), date(2028, 2, 29), "2028年2月"),
    ("quarter", date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度"),
    ("year", date(2026, 1, 1), date(2026, 12, 31), "2026年度"),
])
def test_period_bounds(kind, start, end, label):
    assert period_bounds(kind, start) == (end, label)


@pytest.mark.parametrize(("kind", "start", "message"), [
    ("month", date(2026, 2, 2), "月度考评周期应从当月1日开始"),
    ("quarter", date(2026, 2, 1), "季度考评周期应从1月、4月、7月或10月的1日开始"),
    ("year", date(2026, 7, 1), "年度考评周期应从1月1日开始"),
    ("week", date(2026, 7, 1), "请选择考评周期类型"),
])
def test_period_bounds_refuses_a_start_off_the_boundary(kind, start, message):
    with pytest.raises(ValidationError) as exc:
        period_bounds(kind, start)
    assert message in exc.value.messages[0]
