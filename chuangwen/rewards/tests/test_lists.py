"""Who goes on the 红榜 and 黑榜 of one group, and the escalation ladder: plain Python."""

from datetime import date

import pytest

from chuangwen.rewards.ladder import escalate, months_before
from chuangwen.rewards.lists import Placing, bottom, top

RUNGS = ["criticism", "talk", "admonition", "accountability"]


def placings(*ranks):
    return [Placing(unit_id=i, rank=r) for i, r in enumerate(ranks, start=1)]


def ids(chosen):
    return [p.unit_id for p in chosen]


class TestTopAndBottom:
    def test_top_n_of_a_large_group(self):
        group = placings(*range(1, 31))
        assert ids(top(group, 10)) == list(range(1, 11))
        assert ids(bottom(group, 3)) == [28, 29, 30]

    def test_a_tie_at_the_cut_takes_every_tied_unit(self):
        group = placings(1, 2, 3, 3, 5, 6, 7, 8, 8, 8)
        assert ids(top(group, 3)) == [1, 2, 3, 4]
        # Three units tied for last place are all in the bottom 1.
        assert ids(bottom(group, 1)) == [8, 9, 10]

    def test_neither_list_takes_more_than_half_of_a_small_group(self):
        group = placings(1, 2, 3)
        assert ids(top(group, 10)) == [1]
        assert ids(bottom(group, 3)) == [3]
        assert set(ids(top(group, 10))).isdisjoint(ids(bottom(group, 3)))

    def test_a_group_of_one_makes_no_list(self):
        assert top(placings(1), 10) == [] and bottom(placings(1), 3) == []

    def test_all_tied_share_first_place_and_nobody_is_last(self):
        assert ids(top(placings(1, 1, 1, 1), 10)) == [1, 2, 3, 4]
        assert bottom(placings(1, 1, 1, 1), 3) == []


class TestLadder:
    def test_first_penalty_keeps_the_rules_kind(self):
        step = escalate("criticism", [], RUNGS, 12)
        assert step.kind == "criticism" and step.note == ""

    def test_repeat_goes_one_rung_above_the_heaviest_so_far(self):
        step = escalate("criticism", ["criticism"], RUNGS, 12)
        assert step.kind == "talk"
        assert step.note == "近12个月内已有通报批评1次,按逐级升级规则由通报批评升为约谈。"
        assert escalate("criticism", ["criticism", "talk"], RUNGS, 12).kind == "admonition"
        assert escalate("talk", ["criticism"], RUNGS, 12).kind == "talk"  # never lighter than the rule

    def test_the_top_rung_stays_and_says_so(self):
        step = escalate("criticism", ["accountability"], RUNGS, 6)
        assert step.kind == "accountability" and "近6个月内已有问责1次" in step.note

    def test_rewards_and_kinds_off_the_ladder_never_change(self):
        assert escalate("red_flag", ["criticism"], RUNGS, 12).kind == "red_flag"
        assert escalate("criticism", ["criticism"], ["talk", "accountability"], 12).kind == "criticism"

    @pytest.mark.parametrize("day,months,expected", [
        (date(2026, 10, 31), 12, date(2025, 10, 31)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
    ])
    def test_months_before(self, day, months, expected):
        assert months_before(day, months) == expected
