"""Meetings and their decisions → tasks → 办结."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chuangwen.audit.models import Entry
from chuangwen.supervision import services
from chuangwen.supervision.models import Decision, ItemStatus, Meeting
from chuangwen.tasks.models import TaskSource, TaskStatus

from .conftest import complete, fixes

pytestmark = pytest.mark.django_db


def test_records_a_meeting_with_its_decisions_in_order(world, meeting):
    assert meeting.chair_name == "乙市长" and meeting.get_kind_display() == "专题会议"
    assert list(meeting.decisions.values_list("number", "text")) == [(1, "背街小巷限期整治"), (2, "农贸市场提档升级")]
    assert Entry.objects.filter(event="meeting.create", object_id=str(meeting.pk)).count() == 1
    assert Entry.objects.filter(event="decision.create").count() == 2
    added = services.decision_add(meeting=meeting, text="公益广告全覆盖", actor=world.hq)
    assert added.number == 3


def test_a_decision_becomes_tasks_and_closes_once_they_are_accepted(world, meeting):
    decision = meeting.decisions.get(number=1)
    one, two = services.decision_split(decision=decision, units=[world.community, world.dept], actor=world.hq,
                                       fixes=fixes(title="背街小巷限期整治"))
    assert {one.source, two.source} == {TaskSource.MEETING}
    assert "创文工作专题会议(2026-09-12)第1项" == one.source_ref
    assert one.supervision_source.decision == decision and two.supervision_source.decision == decision
    complete(one, world, world.c1_head)
    with pytest.raises(ValidationError, match="尚有 1 项任务未验收"):
        services.decision_close(decision=decision, actor=world.hq, note="办结")
    complete(two, world, world.dept_head)
    closed = services.decision_close(decision=decision, actor=world.hq, note="已按期完成")
    assert closed.status == ItemStatus.CLOSED
    entry = Entry.objects.get(event="decision.close", object_id=str(decision.pk))
    assert entry.actor_id == world.hq.pk
    # The other decision is untouched: each is followed on its own.
    assert meeting.decisions.get(number=2).status == ItemStatus.OPEN


def test_instructions_and_decisions_share_the_years_plan(world, meeting, instruction):
    (a,) = services.decision_split(decision=meeting.decisions.get(number=1), units=[world.community],
                                   actor=world.hq, fixes=fixes())
    (b,) = services.instruction_split(instruction=instruction, units=[world.community], actor=world.hq,
                                      fixes=fixes())
    assert a.plan_id == b.plan_id and a.status == b.status == TaskStatus.ISSUED


@pytest.mark.parametrize("over, message", [
    ({"kind": "party"}, "请选择会议类型"),
    ({"title": " "}, "请填写会议名称"),
    ({"date": date(2026, 12, 1)}, "会议日期不能晚于今天"),
    ({"decisions": ["x" * 2001]}, "不能超过 2000 字"),
])
def test_bad_meetings_are_refused_in_chinese(world, today, over, message):
    kw = {"kind": "onsite", "date": date(2026, 9, 1), "title": "现场办公会", "chair": world.mayor}
    kw.update(over)
    with pytest.raises(ValidationError, match=message):
        services.meeting_create(actor=world.hq, **kw)
    assert not Meeting.objects.exists() and not Decision.objects.exists()


def test_an_empty_decision_is_refused(world, meeting):
    with pytest.raises(ValidationError, match="请填写议定事项内容"):
        services.decision_add(meeting=meeting, text="  ", actor=world.hq)
    assert meeting.decisions.count() == 2
