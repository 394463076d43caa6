"""The ranking rules of a finalised period: they only propose, never twice, bottom places must
run over consecutive periods of the same kind, and a repeat offender climbs the ladder."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.evaluation.models import RankGroup
from chuangwen.evaluation.selectors import ranking
from chuangwen.evaluation.services import period_create, period_finalise
from chuangwen.rewards import jobs, lists
from chuangwen.rewards.models import Proposal, ProposalStatus, Record, RuleRun
from chuangwen.rewards.services import propose_for_period
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import RewardKind

from .conftest import draft_kwargs, scores_for, snapshot

pytestmark = pytest.mark.django_db

COMMUNITY = RankGroup.COMMUNITY
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
# Indexes into `communities`: 0 is C1 (和平社区), 1 is C2 (友谊社区), 2 is E1 (西湖社区).
BEST_FIRST = list(range(10))
C1_LAST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]


def kinds_by_unit(period):
    return {(p.unit.code, p.kind) for p in Proposal.objects.filter(period=period).select_related("unit")}


def test_top_and_bottom_propose_and_nothing_is_issued(world, rules, communities):
    aug = snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, BEST_FIRST))
    result = propose_for_period(period=aug, actor=world.hq)
    # Ten communities: the top 5 (half the group, below the rule's 10) get a 流动红旗 proposal;
    # bottom 3 needs two periods running, and July was not ranked.
    assert {p.kind for p in result.proposals} == {RewardKind.RED_FLAG}
    assert sorted(p.unit_id for p in result.proposals) == sorted(u.pk for u in communities[:5])
    first = Proposal.objects.get(period=aug, unit=world.community)
    assert first.status == ProposalStatus.PROPOSED and first.rule.code == "JC-R01"
    assert first.reason == "在2026年8月社区考评中得分99.00,排名第1名(共10个单位),位列前10名,列入红榜。"
    assert first.suggestion == "建议授予流动红旗"
    assert first.evidence == [{"type": "rank", "period_id": aug.pk, "period": "2026年8月", "group": "community",
                               "rank": 1, "count": 10, "score": "99.00"}]
    assert Record.objects.count() == 0  # a rule only proposes
    assert RuleRun.objects.get(period=aug).proposed == 5


def test_running_again_proposes_nothing_twice(world, rules, communities):
    aug = snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, BEST_FIRST))
    propose_for_period(period=aug, actor=world.hq)
    before = Proposal.objects.count()
    again = propose_for_period(period=aug, actor=world.hq)
    assert again.proposals == [] and Proposal.objects.count() == before
    # The background job treats a period HQ already ran as done.
    assert jobs.propose(today=date(2026, 11, 2))["periods"] == 0


def test_bottom_three_in_two_consecutive_months_is_a_talk_with_the_head(world, rules, communities):
    snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, C1_LAST))
    sep = snapshot(world.hq, SEP, COMMUNITY, scores_for(communities, [0, 1, 2, 3, 4, 5, 6, 9, 8, 7]))
    propose_for_period(period=sep, actor=world.hq)
    talks = Proposal.objects.filter(period=sep, kind=RewardKind.TALK).select_related("unit")
    # Bottom 3 in August: units 8, 9, 0; in September: 9, 8, 7.  Only 8 and 9 were there twice.
    assert sorted(p.unit.code for p in talks) == sorted([communities[8].code, communities[9].code])
    talk = talks.get(unit=communities[9])
    assert talk.reason.startswith("在社区考评中连续2期排名后3名(2026年8月第9名(共10个)、2026年9月第8名(共10个)),"
                                  "列入黑榜。")
    # 第9社区 has no head: no one is named, and the desk says so.
    assert talk.person is None and talk.head_missing and talk.suggestion == "建议约谈单位主要负责人"
    assert [e["period"] for e in talk.evidence] == ["2026年8月", "2026年9月"]
    # C1 was last in August only, and has a head: nothing for C1 in September.
    assert not Proposal.objects.filter(period=sep, unit=world.community, kind=RewardKind.TALK).exists()


def test_talk_names_the_head_as_a_snapshot(world, rules, communities):
    snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, C1_LAST))
    sep = snapshot(world.hq, SEP, COMMUNITY, scores_for(communities, C1_LAST))
    propose_for_period(period=sep, actor=world.hq)
    talk = Proposal.objects.get(period=sep, unit=world.community)
    assert talk.kind == RewardKind.TALK and talk.person == world.c1_head and talk.person_name == "戊书记"


def test_a_gap_between_periods_is_not_consecutive(world, rules, communities):
    snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, C1_LAST))
    oct_ = snapshot(world.hq, OCT, COMMUNITY, scores_for(communities, C1_LAST))  # September never ranked
    propose_for_period(period=oct_, actor=world.hq)
    assert not Proposal.objects.filter(kind=RewardKind.TALK).exists()


def test_a_quarter_does_not_chain_with_months(world, rules, communities):
    snapshot(world.hq, date(2026, 7, 1), COMMUNITY, scores_for(communities, C1_LAST), kind="quarter")
    oct_ = snapshot(world.hq, OCT, COMMUNITY, scores_for(communities, C1_LAST))
    propose_for_period(period=oct_, actor=world.hq)
    assert not Proposal.objects.filter(kind=RewardKind.TALK).exists()


def test_a_third_bad_month_climbs_the_ladder(world, rules, communities):
    aug = snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, C1_LAST))
    sep = snapshot(world.hq, SEP, COMMUNITY, scores_for(communities, C1_LAST))
    oct_ = snapshot(world.hq, OCT, COMMUNITY, scores_for(communities, C1_LAST))
    for period in (aug, sep, oct_):
        propose_for_period(period=period, actor=world.hq)
    first = Proposal.objects.get(period=sep, unit=world.community)
    second = Proposal.objects.get(period=oct_, unit=world.community)
    assert first.kind == RewardKind.TALK
    assert (second.kind, second.base_kind) == (RewardKind.ADMONITION, RewardKind.TALK)
    assert second.reason.endswith("列入黑榜。近12个月内已有约谈1次,按逐级升级规则由约谈升为诫勉。")
    assert second.suggestion == "建议对单位主要负责人予以诫勉" and second.person == world.c1_head
    assert second.evidence[-1] == {"type": "ladder", "prior": [
        {"id": first.pk, "kind": "talk", "occurred_on": "2026-09-30"}]}
    entry = Entry.objects.filter(event="reward.propose", object_id=str(second.pk)).get()
    assert entry.changes["escalated_from"] == [None, "talk"]


def test_a_dismissed_penalty_does_not_count_on_the_ladder(world, rules, communities):
    from chuangwen.rewards.services import proposal_dismiss

    snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, C1_LAST))
    sep = snapshot(world.hq, SEP, COMMUNITY, scores_for(communities, C1_LAST))
    oct_ = snapshot(world.hq, OCT, COMMUNITY, scores_for(communities, C1_LAST))
    propose_for_period(period=sep, actor=world.hq)
    proposal_dismiss(proposal=Proposal.objects.get(period=sep, unit=world.community), actor=world.hq,
                     reason="排名受数据补录影响")
    propose_for_period(period=oct_, actor=world.hq)
    assert Proposal.objects.get(period=oct_, unit=world.community).kind == RewardKind.TALK


def test_an_open_period_is_refused_in_chinese(world, rules):
    period = period_create(kind="month", start=AUG, actor=world.hq, today=date(2026, 9, 16))
    with pytest.raises(ValidationError, match="尚未定榜"):
        propose_for_period(period=period, actor=world.hq)
    assert Proposal.objects.count() == 0 and RuleRun.objects.count() == 0


def test_only_a_confirmer_runs_the_rules(world, rules, communities):
    aug = snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, BEST_FIRST))
    with pytest.raises(PermissionDenied):
        propose_for_period(period=aug, actor=world.c1_head)
    assert Proposal.objects.count() == 0
    assert Entry.objects.filter(event="permission.denied", actor_id=world.c1_head.pk).exists()


def test_the_command_runs_the_job(world, rules, communities):
    from io import StringIO

    from django.core.management import call_command

    snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, BEST_FIRST))
    out = StringIO()
    call_command("reward_proposals", "--date", "2026-09-16", stdout=out)
    assert out.getvalue().strip() == "奖惩建议:运行考评周期 1 个,按排名提出 5 条,按任务提出 0 条。"


def test_job_runs_each_finalised_period_once_as_the_system(world, rules, communities):
    aug = snapshot(world.hq, AUG, COMMUNITY, scores_for(communities, BEST_FIRST))
    counts = jobs.propose(today=date(2026, 9, 16))
    assert counts["periods"] == 1 and counts["period_proposals"] == 5
    assert Proposal.objects.filter(period=aug, proposed_by__isnull=True).count() == 5
    assert jobs.propose(today=date(2026, 9, 16)) == {"periods": 0, "period_proposals": 0, "task_proposals": 0}
    entries = Entry.objects.filter(event="reward.run")
    assert entries.count() == 1 and entries.get().actor_name == "奖惩规则"


def test_rules_follow_evaluations_own_finalised_ranking(world, rules, policy):
    """A period finalised by evaluation's own service: the proposals are exactly the top of the
    frozen ranking its selector returns.  In August C1 finished its task early, C2 and E1 did not."""
    units = (world.community, world.community2, world.other_community)
    with time_machine.travel("2026-08-03 10:00 +0800", tick=False):
        plan = tasks.plan_create(year=2026, title="八月专项整治", issuing_unit=world.hq_unit, actor=world.hq)
        made = [tasks.task_issue(task=tasks.task_create(plan=plan, actor=world.hq, **draft_kwargs(
            world, policy, lead_unit=u, deadline=date(2026, 8, 20), title=f"{u.name}环境整治")), actor=world.hq)
            for u in units]
    with time_machine.travel("2026-08-10 10:00 +0800", tick=False):
        tasks.task_sign_for(task=made[0], actor=world.c1_liaison)
        tasks.progress_report(task=made[0], actor=world.c1_liaison, percent=100, text="已完成")
        tasks.handover_submit(task=made[0], actor=world.c1_head, summary="完成整治")
        tasks.handover_accept(task=made[0], actor=world.hq)
    with time_machine.travel("2026-09-16 10:00 +0800", tick=False):
        period = period_create(kind="month", start=AUG, actor=world.hq)
        period_finalise(period=period, actor=world.hq)
        propose_for_period(period=period, actor=world.hq)
    expected = set()
    for group in RankGroup.values:
        expected |= {(e.unit_id, RewardKind.RED_FLAG) for e in lists.top(ranking(period, group), 10)}
    assert (world.community.pk, RewardKind.RED_FLAG) in expected
    assert {(p.unit_id, p.kind) for p in Proposal.objects.filter(period=period)} == expected
