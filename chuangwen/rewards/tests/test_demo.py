"""The demo's rewards: the rules run on the finalised months and the tasks, HQ decides part of
it, and loading again changes nothing."""

from datetime import date

import pytest
import time_machine

from chuangwen.evaluation.models import RankGroup
from chuangwen.rewards.demo import DemoRewardsRefused, load_demo_rewards
from chuangwen.rewards.models import Proposal, ProposalStatus, Record
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import RewardKind

from .conftest import draft_kwargs, scores_for, snapshot

pytestmark = pytest.mark.django_db

C1_LAST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]


def test_refused_without_a_finalised_month(world, rules):
    with pytest.raises(DemoRewardsRefused, match="尚未定榜"):
        load_demo_rewards()


def test_loads_once_and_decides_a_sensible_part(world, rules, communities, policy):
    months = [snapshot(world.hq, date(2026, m, 1), RankGroup.COMMUNITY, scores_for(communities, C1_LAST))
              for m in (8, 9, 10)]
    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        plan = tasks.plan_create(year=2026, title="十一月专项整治", issuing_unit=world.hq_unit, actor=world.hq)
        for title in ("第一项", "第二项"):
            task = tasks.task_create(plan=plan, actor=world.hq, **draft_kwargs(
                world, policy, lead_unit=world.community2, deadline=date(2026, 11, 4), title=title))
            tasks.task_issue(task=task, actor=world.hq)
    with time_machine.travel("2026-11-09 10:00 +0800", tick=False):
        assert load_demo_rewards() == "loaded"
        assert load_demo_rewards() == "present"
    aug, sep, oct_ = months
    assert not Proposal.objects.filter(period__in=[aug, sep], status=ProposalStatus.PROPOSED).exists()
    # The latest month: its flags confirmed, its talk (C1, now 诫勉 on the ladder) waiting.
    flags = Proposal.objects.filter(period=oct_, kind=RewardKind.RED_FLAG)
    assert flags.exists() and not flags.filter(status=ProposalStatus.PROPOSED).exists()
    waiting = Proposal.objects.get(period=oct_, unit=world.community)
    assert waiting.kind == RewardKind.ADMONITION and waiting.status == ProposalStatus.PROPOSED
    # Tasks: the first criticism confirmed, the second (escalated) dismissed with the reason.
    first, second = Proposal.objects.filter(task__isnull=False).order_by("id")
    assert (first.kind, first.status) == (RewardKind.CRITICISM, ProposalStatus.CONFIRMED)
    assert second.status == ProposalStatus.DISMISSED and "不予通报" in second.decision_note
    assert Record.objects.filter(doc_number__contains="创文指〔2026〕").count() == Record.objects.count() > 0
