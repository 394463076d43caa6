"""Confirming and dismissing: only then a record exists, only a confirmer decides, a dismissal
needs a reason and is final, two decisions on one proposal cannot both win."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry, Outcome
from chuangwen.evaluation.models import RankGroup
from chuangwen.notifications.models import Notification
from chuangwen.rewards.models import Proposal, ProposalStatus, Record
from chuangwen.rewards.services import StaleVersion, proposal_confirm, proposal_dismiss, propose_for_period
from chuangwen.tasks.models import RewardKind

from .conftest import scores_for, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(world, rules, communities):
    """C1's 流动红旗 proposal for August (C1 first of ten communities)."""
    aug = snapshot(world.hq, date(2026, 8, 1), RankGroup.COMMUNITY, scores_for(communities, list(range(10))))
    propose_for_period(period=aug, actor=world.hq)
    return Proposal.objects.get(period=aug, unit=world.community)


def state(proposal):
    proposal.refresh_from_db()
    return proposal.status, proposal.version, proposal.decision_note, Record.objects.count()


def test_confirming_issues_the_record_with_the_edited_reason(world, flag, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rec = proposal_confirm(proposal=flag, actor=world.hq, reason="8月考评社区组第一名,授予流动红旗。",
                               doc_number=" 上创文指〔2026〕21号 ", expected_version=flag.version)
    flag.refresh_from_db()
    assert flag.status == ProposalStatus.CONFIRMED and flag.decided_by == world.hq and flag.version == 2
    assert (rec.kind, rec.unit, rec.period, rec.reason, rec.doc_number, rec.confirmed_by) == (
        RewardKind.RED_FLAG, world.community, flag.period, "8月考评社区组第一名,授予流动红旗。",
        "上创文指〔2026〕21号", world.hq)
    entry = Entry.objects.get(event="reward.confirm")
    assert entry.object_id == str(rec.pk) and entry.actor_id == world.hq.pk
    assert entry.changes["reason"] == [flag.reason, rec.reason]
    assert entry.changes["doc_number"] == [None, "上创文指〔2026〕21号"]
    # The unit's head and liaison hear of it.
    told = Notification.objects.filter(kind="reward.confirmed").values_list("recipient__username", flat=True)
    assert set(told) == {"c1_head", "c1_liaison"}


def test_confirming_without_edits_keeps_the_rules_reason(world, flag):
    rec = proposal_confirm(proposal=flag, actor=world.hq)
    assert rec.reason == flag.reason and rec.doc_number == ""
    assert "reason" not in Entry.objects.get(event="reward.confirm").changes


def test_dismissing_needs_a_reason_and_changes_nothing_without_one(world, flag):
    before = state(flag)
    with pytest.raises(ValidationError, match="请填写不予采纳的理由"):
        proposal_dismiss(proposal=flag, actor=world.hq, reason="  ")
    assert state(flag) == before
    proposal_dismiss(proposal=flag, actor=world.hq, reason="该社区本月发生安全事故,不予表扬。")
    flag.refresh_from_db()
    assert flag.status == ProposalStatus.DISMISSED and flag.decision_note == "该社区本月发生安全事故,不予表扬。"
    assert Record.objects.count() == 0
    assert Entry.objects.filter(event="reward.dismiss", object_id=str(flag.pk)).count() == 1


def test_a_dismissed_proposal_is_never_proposed_again(world, flag):
    proposal_dismiss(proposal=flag, actor=world.hq, reason="数据有误")
    again = propose_for_period(period=flag.period, actor=world.hq)
    assert again.proposals == []
    assert Proposal.objects.filter(unit=world.community, period=flag.period).count() == 1


def test_a_decided_proposal_cannot_be_decided_again(world, flag):
    proposal_confirm(proposal=flag, actor=world.hq)
    with pytest.raises(ValidationError, match="该奖惩建议已确认,不能再处理"):
        proposal_dismiss(proposal=flag, actor=world.hq, reason="改变主意")
    with pytest.raises(ValidationError, match="不能再处理"):
        proposal_confirm(proposal=flag, actor=world.hq)
    assert Record.objects.count() == 1


def test_a_stale_form_is_refused(world, flag):
    stale = flag.version
    proposal_confirm(proposal=flag, actor=world.hq, expected_version=stale)
    with pytest.raises(StaleVersion, match="已被他人处理"):
        proposal_dismiss(proposal=flag, actor=world.hq, reason="重复", expected_version=stale)


@pytest.mark.parametrize("who", ["c1_head", "mayor", "inspector", "auditor"])
def test_only_a_confirmer_decides_and_refusals_are_audited(world, flag, who):
    person = getattr(world, who)
    before = state(flag)
    with pytest.raises(PermissionDenied, match="确认奖惩"):
        proposal_confirm(proposal=flag, actor=person)
    with pytest.raises(PermissionDenied):
        proposal_dismiss(proposal=flag, actor=person, reason="不同意")
    assert state(flag) == before
    denied = Entry.objects.filter(event="permission.denied", actor_id=person.pk, outcome=Outcome.DENIED)
    assert denied.count() == 2


@pytest.mark.parametrize("reason,doc,message", [
    ("", "", "请填写奖惩事由"),
    ("x" * 2001, "", "不能超过 2000 字"),
    ("事由", "文" * 61, "发文字号不能超过 60 字"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(world, flag, reason, doc, message):
    before = state(flag)
    with pytest.raises(ValidationError, match=message):
        proposal_confirm(proposal=flag, actor=world.hq, reason=reason, doc_number=doc)
    assert state(flag) == before
