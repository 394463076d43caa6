"""The task rules: a task's own 定奖惩 applied when it is accepted early or on time and when it
goes overdue (again after an extension), the general rule for red tasks long overdue, each
proposed once; nothing is issued until confirmed.

The test world's calendar has no holidays registered: Monday to Friday are working days.
"""

from datetime import date

import pytest
import time_machine

from chuangwen.audit.models import Entry
from chuangwen.rewards.models import Proposal, ProposalStatus, Record
from chuangwen.rewards.services import proposal_dismiss, propose_for_tasks, rule_update
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import Extension, RewardKind, RewardPolicy

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db


def on(day: str):
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


@pytest.fixture
def make(world, plan, policy, rules):
    """make(deadline, policy=JC01 by default) -> a task issued today to community C1."""

    def _make(deadline: date, *, policy_code: str = "JC01", title="背街小巷环境整治"):
        fields = draft_kwargs(world, policy, lead_unit=world.community, deadline=deadline, title=title)
        fields["policy"] = RewardPolicy.objects.get(code=policy_code)
        return tasks.task_issue(task=tasks.task_create(plan=plan, actor=world.hq, **fields), actor=world.hq)

    return _make


def finish(world, task):
    tasks.task_sign_for(task=task, actor=world.c1_liaison)
    tasks.progress_report(task=task, actor=world.c1_liaison, percent=100, text="已全部完成")
    tasks.handover_submit(task=task, actor=world.c1_head, summary="完成整治")
    tasks.handover_accept(task=task, actor=world.hq)
    task.refresh_from_db()
    return task


def test_early_acceptance_proposes_praise_and_issues_nothing(world, make):
    task = make(date(2026, 9, 30))
    with on("2026-09-17"):
        finish(world, task)
        result = propose_for_tasks(actor=world.hq)
    [p] = result.proposals
    assert (p.kind, p.unit, p.task, p.rule.code, p.status) == (
        RewardKind.PRAISE, world.community, task, "JC-R04", ProposalStatus.PROPOSED)
    assert p.reason == (f"任务“背街小巷环境整治”({task.code})完成时限为2026年9月30日,于2026年9月17日交账,"
                        "提前9个工作日完成并通过验收,按任务奖惩规则“提前完成通报表扬;逾期未完成通报批评;连续逾期约谈”处理。")
    assert p.occurred_on == date(2026, 9, 17) and p.period is None
    assert Record.objects.count() == 0


def test_on_time_acceptance_follows_the_policy(world, make):
    plain = make(date(2026, 9, 30), title="按期一")  # JC01: nothing for merely on time
    rewarded = make(date(2026, 9, 30), policy_code="JC04", title="按期二")  # JC04: 按期完成表彰
    with on("2026-09-29"):
        finish(world, plain)
        finish(world, rewarded)
        result = propose_for_tasks(actor=world.hq)
    assert [(p.task, p.kind) for p in result.proposals] == [(rewarded, RewardKind.COMMENDATION)]
    assert "按期完成并通过验收" in result.proposals[0].reason


def test_an_overdue_task_is_proposed_once(world, make):
    task = make(date(2026, 9, 18))
    with on("2026-09-22"):
        first = propose_for_tasks(actor=world.hq)
        again = propose_for_tasks(actor=world.hq)
    [p] = first.proposals
    assert p.kind == RewardKind.CRITICISM and "已逾期2个工作日仍未完成" in p.reason
    assert again.proposals == [] and Proposal.objects.count() == 1
    assert Entry.objects.filter(event="reward.propose").count() == 1
    assert Entry.objects.filter(event="reward.run").count() == 2  # a run by hand is always recorded


def test_overdue_again_after_an_extension_is_repeat_overdue(world, make):
    task = make(date(2026, 9, 18))
    with on("2026-09-22"):
        propose_for_tasks(actor=world.hq)
        tasks.extension_request(task=task, actor=world.c1_liaison, new_deadline=date(2026, 9, 25),
                                reason="需补种绿化")
        tasks.extension_decide(extension=Extension.objects.get(task=task), actor=world.hq, approve=True)
    with on("2026-09-29"):
        result = propose_for_tasks(actor=world.hq)
    [p] = result.proposals
    # JC01: 连续逾期约谈 — the head is named.
    assert (p.kind, p.base_kind) == (RewardKind.TALK, RewardKind.TALK)
    assert (p.person, p.person_name) == (world.c1_head, "戊书记")
    assert "(延期后再次逾期)" in p.reason and p.evidence[0]["repeat"] is True


def test_a_late_hand_in_is_overdue_on_acceptance(world, make):
    task = make(date(2026, 9, 18))
    with on("2026-09-22"):
        finish(world, task)
        [p] = propose_for_tasks(actor=world.hq).proposals
    assert p.kind == RewardKind.CRITICISM and "逾期2个工作日后于2026年9月22日才交账" in p.reason


def test_a_second_penalty_for_the_same_unit_climbs_the_ladder(world, make):
    make(date(2026, 9, 18), title="第一项")
    make(date(2026, 9, 18), title="第二项")
    with on("2026-09-22"):
        first, second = propose_for_tasks(actor=world.hq).proposals
    assert first.kind == RewardKind.CRITICISM
    assert (second.kind, second.base_kind) == (RewardKind.TALK, RewardKind.CRITICISM)
    assert "近12个月内已有通报批评1次,按逐级升级规则由通报批评升为约谈。" in second.reason


def test_dismissing_the_first_overdue_makes_the_next_one_plain_overdue(world, make):
    task = make(date(2026, 9, 18))
    with on("2026-09-22"):
        [first] = propose_for_tasks(actor=world.hq).proposals
        proposal_dismiss(proposal=first, actor=world.hq, reason="逾期系上级调整方案所致")
        tasks.extension_request(task=task, actor=world.c1_liaison, new_deadline=date(2026, 9, 25),
                                reason="调整方案")
        tasks.extension_decide(extension=Extension.objects.get(task=task), actor=world.hq, approve=True)
    with on("2026-09-29"):
        [p] = propose_for_tasks(actor=world.hq).proposals
    assert p.kind == RewardKind.CRITICISM and "再次逾期" not in p.reason


class TestLongOverdue:
    def test_a_red_task_15_working_days_late_is_criticised(self, world, make):
        # A policy that says nothing about lateness: the general rule answers it.
        tasks.policy_create(code="JC09", name="提前完成通报表扬", on_early=RewardKind.PRAISE, actor=world.hq)
        task = make(date(2026, 9, 18), policy_code="JC09")
        with on("2026-10-07"):  # 13 working days late: red, not yet 15
            assert propose_for_tasks(actor=world.hq).proposals == []
        with on("2026-10-12"):  # 16 working days late
            [p] = propose_for_tasks(actor=world.hq).proposals
        assert (p.rule.code, p.kind, p.task) == ("JC-R03", RewardKind.CRITICISM, task)
        assert p.reason.endswith("已逾期16个工作日仍未办结(红色督办)。")

    def test_the_tasks_own_policy_comes_first(self, world, make, rules):
        make(date(2026, 9, 18))  # JC01 answers lateness itself
        with on("2026-10-12"):
            result = propose_for_tasks(actor=world.hq)
        assert [p.rule.code for p in result.proposals] == ["JC-R04"]

    def test_without_the_policy_rule_the_general_rule_applies(self, world, make, rules):
        policy_rule = rules["JC-R04"]
        rule_update(rule=policy_rule, actor=world.hq, is_active=False, expected_version=policy_rule.version)
        make(date(2026, 9, 18))
        with on("2026-10-12"):
            result = propose_for_tasks(actor=world.hq)
        assert [p.rule.code for p in result.proposals] == ["JC-R03"]


def test_the_job_records_a_run_only_when_it_proposed(world, make):
    from chuangwen.rewards import jobs
    from chuangwen.rewards.models import RuleRun

    with on("2026-09-17"):
        assert jobs.propose()["task_proposals"] == 0
    assert RuleRun.objects.count() == 0
    make(date(2026, 9, 18))
    with on("2026-09-22"):
        assert jobs.propose()["task_proposals"] == 1
    assert RuleRun.objects.get().ran_by is None
