"""领导批示 → tasks → 办结, driven through the services (the task lifecycle through the task
services, by the people who would act)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.org.services import StaleVersion
from chuangwen.supervision import services
from chuangwen.supervision.models import Instruction, ItemStatus, SourceTask
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import Plan, Task, TaskSource, TaskStatus

from .conftest import complete, fixes

pytestmark = pytest.mark.django_db


def _split(world, instruction, units, **over):
    return services.instruction_split(instruction=instruction, units=units, actor=world.hq,
                                      fixes=fixes(**over))


def test_records_an_instruction_with_the_leaders_name_and_an_audit_entry(world, instruction):
    assert (instruction.leader, instruction.leader_name, instruction.status) == (world.mayor, "乙市长", "open")
    entry = Entry.objects.get(event="instruction.create", object_id=str(instruction.pk))
    assert entry.actor_id == world.hq.pk and entry.changes["leader"] == [None, "乙市长"]


def test_splits_into_one_issued_task_per_unit_linked_both_ways(world, instruction):
    created = _split(world, instruction, [world.community, world.community2])
    assert [t.lead_unit for t in created] == [world.community, world.community2]
    for task in Task.objects.filter(pk__in=[t.pk for t in created]):
        assert task.status == TaskStatus.ISSUED
        assert task.source == TaskSource.INSTRUCTION and "乙市长批示(2026-09-10)" in task.source_ref
        assert task.plan.title == "2026年领导批示和会议议定事项" and task.issuing_unit == world.hq_unit
        assert task.responsible_person in (world.c1_head, world.c2_head)
        # The link, read from either side.
        assert task.supervision_source.instruction == instruction
    assert set(SourceTask.objects.filter(instruction=instruction).values_list("task__code", flat=True)) == {
        t.code for t in created}
    entry = Entry.objects.get(event="instruction.split", object_id=str(instruction.pk))
    assert entry.changes["tasks"] == [None, [t.code for t in created]]


def test_the_years_plan_is_created_once_through_the_task_services(world, instruction):
    _split(world, instruction, [world.community])
    _split(world, instruction, [world.community2])
    assert Plan.objects.filter(title="2026年领导批示和会议议定事项").count() == 1
    assert Entry.objects.filter(event="plan.create").count() == 1


def test_closure_is_refused_while_a_task_is_open_and_allowed_once_all_are_accepted(world, instruction):
    one, two = _split(world, instruction, [world.community, world.community2])
    complete(one, world, world.c1_head)
    with pytest.raises(ValidationError, match="尚有 1 项任务未验收"):
        services.instruction_close(instruction=instruction, actor=world.hq, note="已办结")
    instruction.refresh_from_db()
    assert instruction.status == ItemStatus.OPEN
    assert not Entry.objects.filter(event="instruction.close").exists()

    # Handed in is not enough: the head of the issuing unit must accept.
    complete(two, world, world.c2_head, accept=False)
    with pytest.raises(ValidationError, match="未验收"):
        services.instruction_close(instruction=instruction, actor=world.hq, note="已办结")
    tasks.handover_accept(task=two, actor=world.hq)

    closed = services.instruction_close(instruction=instruction, actor=world.hq, note="两社区均已整改到位",
                                        expected_version=instruction.version)
    assert closed.status == ItemStatus.CLOSED and closed.closed_by == world.hq and closed.closed_at
    entry = Entry.objects.get(event="instruction.close", object_id=str(instruction.pk))
    assert entry.actor_id == world.hq.pk and entry.changes["status"] == ["open", "closed"]
    with pytest.raises(ValidationError, match="已办结,不能再分解"):
        _split(world, closed, [world.district])
    with pytest.raises(ValidationError, match="已办结"):
        services.instruction_close(instruction=closed, actor=world.hq, note="再次办结")


def test_a_cancelled_task_does_not_hold_up_closure(world, instruction):
    one, two = _split(world, instruction, [world.community, world.community2])
    tasks.task_cancel(task=two, actor=world.hq, reason="并入和平社区办理")
    complete(one, world, world.c1_head)
    assert services.instruction_close(instruction=instruction, actor=world.hq, note="已办结").is_closed


def test_closure_needs_tasks_and_a_note(world, instruction):
    with pytest.raises(ValidationError, match="尚未分解任务"):
        services.instruction_close(instruction=instruction, actor=world.hq, note="已办结")
    with pytest.raises(ValidationError, match="请填写办结意见"):
        services.instruction_close(instruction=instruction, actor=world.hq, note="  ")


def test_a_stale_version_is_refused(world, instruction):
    version = instruction.version
    _split(world, instruction, [world.community])
    with pytest.raises(StaleVersion, match="已被他人修改"):
        services.instruction_split(instruction=instruction, units=[world.community2], actor=world.hq,
                                   fixes=fixes(), expected_version=version)


@pytest.mark.parametrize("over, message", [
    ({"leader": "c1_head"}, "批示领导须为在职的市领导"),
    ({"text": " "}, "请填写批示内容"),
    ({"title": ""}, "请填写批示事项"),
    ({"date": date(2026, 9, 17)}, "批示日期不能晚于今天"),
])
def test_bad_instructions_are_refused_in_chinese(world, today, over, message):
    kw = {"leader": world.mayor, "date": date(2026, 9, 1), "title": "批示", "text": "内容"}
    kw.update({k: getattr(world, v) if k == "leader" else v for k, v in over.items()})
    with pytest.raises(ValidationError, match=message):
        services.instruction_create(actor=world.hq, **kw)
    assert not Instruction.objects.exists()


@pytest.mark.parametrize("units, over, message", [
    ([], {}, "请选择承办单位"),
    (["community"], {"deadline": date(2026, 9, 15)}, "不能早于今天"),
    (["community"], {"deadline": None}, "请确定完成时限"),
    (["hq_unit"], {}, "不能是指挥部办公室本身"),
    # A unit without a head cannot be given a task (定责任); the message names the unit.
    (["community", "dept_sub"], {}, "市政设施管理处:定责任"),
])
def test_bad_splits_are_refused_in_chinese_and_create_nothing(world, instruction, units, over, message):
    with pytest.raises(ValidationError) as exc:
        _split(world, instruction, [getattr(world, u) for u in units], **over)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert not Task.objects.exists() and not SourceTask.objects.exists()


def test_a_unit_gets_one_task_per_instruction(world, instruction):
    _split(world, instruction, [world.community])
    with pytest.raises(ValidationError, match="以下单位已有本事项的任务:和平社区"):
        _split(world, instruction, [world.community])


def test_drafts_when_not_issued(world, instruction):
    (task,) = services.instruction_split(instruction=instruction, units=[world.community], actor=world.hq,
                                         fixes=fixes(), issue=False)
    assert task.status == TaskStatus.DRAFT


def test_only_hq_records_and_splits_and_a_refusal_is_audited(world, instruction):
    with pytest.raises(PermissionDenied):
        services.instruction_create(leader=world.mayor, date=date(2026, 9, 1), title="批示", text="内容",
                                    actor=world.c1_head)
    with pytest.raises(PermissionDenied):
        services.instruction_split(instruction=instruction, units=[world.community], actor=world.mayor,
                                   fixes=fixes())
    assert Entry.objects.filter(event="permission.denied", actor_id=world.c1_head.pk).exists()
    assert Entry.objects.filter(event="permission.denied", actor_id=world.mayor.pk).exists()
    assert not Task.objects.exists()
