"""Every transition of the table, every illegal one, and the five-fixes gate."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.audit.models import Entry
from chuangwen.org import services as org
from chuangwen.tasks import services
from chuangwen.tasks.models import Handover, HandoverStatus, Task, TaskEvent, TaskStatus
from chuangwen.tasks.transitions import TRANSITIONS

from .conftest import draft_kwargs

pytestmark = pytest.mark.django_db


def kinds(task):
    return list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True))


class TestFiveFixesGate:
    def test_lists_every_missing_fix_of_an_empty_draft(self, world, plan):
        task = services.task_create(plan=plan, actor=world.hq, title="待定")
        gaps = services.missing_fixes(task)
        assert [g.split(":")[0] for g in gaps] == ["定任务", "定任务", "定进度", "定责任", "定考评", "定奖惩"]

    def test_refuses_to_issue_and_changes_nothing(self, world, plan, policy):
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, criteria=""))
        with pytest.raises(ValidationError) as err:
            services.task_issue(task=task, actor=world.hq)
        assert "定考评" in " ".join(err.value.messages)
        task.refresh_from_db()
        assert task.status == TaskStatus.DRAFT and task.issued_at is None and task.version == 1
        assert kinds(task) == ["create"]

    def test_defaults_responsible_person_to_lead_units_head_as_snapshot(self, world, draft):
        assert draft.responsible_person == world.district_head
        assert draft.responsible_name == world.district_head.full_name

    def test_finds_linked_leader_through_the_linkages(self, world, plan, policy):
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, lead_unit=world.dept_sub))
        # Level 2 (dept head → sub unit) is nearer than level 1 (mayor → dept).
        assert task.linked_leader == world.dept_head
        task = services.task_create(plan=plan, actor=world.hq, **draft_kwargs(world, policy, lead_unit=world.dept))
        assert task.linked_leader == world.mayor and task.linked_leader_name == world.mayor.full_name

    def test_past_deadline_is_a_gap(self, world, plan, policy, today):
        task = services.task_create(plan=plan, actor=world.hq,
                                    **draft_kwargs(world, policy, deadline=date(2026, 9, 1)))
        assert any("已过" in g for g in services.missing_fixes(task))

    def test_signoff_required_when_plan_says_so(self, world, plan, draft):
        services.plan_update(plan=plan, actor=world.hq, requires_signoff=True)
        draft.refresh_from_db()
        with pytest.raises(ValidationError, match="审签"):
            services.task_issue(task=draft, actor=world.hq)
        services.task_sign_off(task=draft, actor=world.hq)  # hq is the office director
        task = services.task_issue(task=draft, actor=world.hq)
        assert task.status == TaskStatus.ISSUED
        assert kinds(task) == ["create", "sign_off", "issue"]

    def test_only_hq_drafts_hq_tasks(self, world, plan, policy):
        with pytest.raises(PermissionDenied):
            services.task_create(plan=plan, actor=world.district_head, **draft_kwargs(world, policy))


class TestTransitions:
    def test_table_covers_the_issue_lifecycle(self):
        assert {a: (sorted(t.sources), t.target) for a, t in TRANSITIONS.items()} == {
            "issue": (["draft"], "issued"),
            "sign_for": (["issued"], "signed"),
            "start": (["signed"], "in_progress"),
            "hand_in": (["in_progress"], "handed_in"),
            "accept": (["handed_in"], "accepted"),
            "return": (["handed_in"], "in_progress"),
            "cancel": (["draft", "in_progress", "issued", "signed"], "cancelled"),
        }

    def test_full_chain_with_a_return(self, world, issued):
        task = services.task_sign_for(task=issued, actor=world.district_head)
        assert task.status == TaskStatus.SIGNED and task.signed_at
        services.progress_report(task=task, actor=world.district_head, percent=100, text="全部完成")
        task.refresh_from_db()
        assert task.status == TaskStatus.IN_PROGRESS and task.progress == 100
        services.handover_submit(task=task, actor=world.district_head, summary="已完成整治 35 条")
        with pytest.raises(ValidationError, match="理由"):
            services.handover_return(task=task, actor=world.hq, reason=" ")
        h = services.handover_return(task=task, actor=world.hq, reason="缺少整治前后照片")
        assert h.status == HandoverStatus.RETURNED and h.decision_note == "缺少整治前后照片"
        task.refresh_from_db()
        assert task.status == TaskStatus.IN_PROGRESS and task.handed_in_at is None
        services.handover_submit(task=task, actor=world.district_head, summary="补充照片")
        h = services.handover_accept(task=task, actor=world.hq, note="同意")
        task.refresh_from_db()
        assert task.status == TaskStatus.ACCEPTED and task.accepted_at and h.status == HandoverStatus.ACCEPTED
        assert kinds(task) == ["create", "issue", "sign_for", "start", "progress", "hand_in", "return", "hand_in",
                               "accept"]
        events = set(Entry.objects.filter(object_id=str(task.pk), object_type="tasks.task")
                     .values_list("event", flat=True))
        assert {"task.issue", "task.sign_for", "task.start", "task.hand_in", "task.return", "task.accept"} <= events
        assert Handover.objects.filter(task=task).count() == 2

    @pytest.mark.parametrize("action,status", [
        ("sign_for", "draft"), ("start", "issued"), ("hand_in", "signed"), ("accept", "in_progress"),
        ("return", "signed"), ("issue", "signed"), ("cancel", "accepted"), ("accept", "accepted"),
    ])
    def test_illegal_moves_are_refused_and_change_nothing(self, world, issued, action, status):
        Task.objects.filter(pk=issued.pk).update(status=status)
        issued.refresh_from_db()
        before = (issued.version, issued.status, TaskEvent.objects.filter(task=issued).count())
        from chuangwen.tasks.services.lifecycle import _transition

        with pytest.raises(ValidationError, match="不能"):
            _transition(issued, action, world.hq if action in ("issue", "cancel", "accept", "return")
                        else world.district_head, note="理由")
        issued.refresh_from_db()
        assert (issued.version, issued.status, TaskEvent.objects.filter(task=issued).count()) == before

    def test_wrong_party_is_refused_and_audited(self, world, issued):
        with pytest.raises(PermissionDenied, match="牵头单位"):
            services.task_sign_for(task=issued, actor=world.e1_head)
        assert Entry.objects.filter(event="permission.denied", actor_id=world.e1_head.pk).exists()
        issued.refresh_from_db()
        assert issued.status == TaskStatus.ISSUED

    def test_liaison_reports_but_only_the_head_hands_in(self, world, plan, policy):
        task = services.task_create(plan=plan, actor=world.hq,
                                    **draft_kwargs(world, policy, lead_unit=world.community))
        services.task_issue(task=task, actor=world.hq)
        services.task_sign_for(task=task, actor=world.c1_liaison)
        services.progress_report(task=task, actor=world.c1_liaison, percent=60, text="过半")
        with pytest.raises(PermissionDenied, match="主要负责人"):
            services.handover_submit(task=task, actor=world.c1_liaison, summary="完成")
        services.handover_submit(task=task, actor=world.c1_head, summary="完成")
        # HQ staff prepare; only the office head decides.
        with pytest.raises(PermissionDenied):
            services.handover_accept(task=task, actor=world.c1_head)

    def test_cancel_needs_a_reason(self, world, issued):
        with pytest.raises(ValidationError, match="理由"):
            services.task_cancel(task=issued, actor=world.hq, reason="")
        task = services.task_cancel(task=issued, actor=world.hq, reason="并入其他任务")
        assert task.status == TaskStatus.CANCELLED


class TestVersion:
    def test_second_save_with_an_old_version_is_refused(self, world, draft):
        v = draft.version
        services.task_update(task=draft, actor=world.hq, expected_version=v, title="甲的修改")
        with pytest.raises(ValidationError, match="已被他人修改"):
            services.task_update(task=draft, actor=world.hq, expected_version=v, title="乙的修改")
        draft.refresh_from_db()
        assert draft.title == "甲的修改" and draft.version == v + 1

    def test_stale_version_refuses_a_transition(self, world, issued):
        with pytest.raises(ValidationError, match="已被他人修改"):
            services.task_sign_for(task=issued, actor=world.district_head, expected_version=issued.version - 1)

    def test_issued_task_keeps_its_deadline_and_parties(self, world, issued):
        with pytest.raises(ValidationError, match="延期申请"):
            services.task_update(task=issued, actor=world.hq, expected_version=issued.version,
                                 deadline=date(2026, 12, 1))
        with pytest.raises(ValidationError):
            services.task_update(task=issued, actor=world.hq, expected_version=issued.version,
                                 lead_unit=world.other_district)


class TestDecompose:
    def _signed(self, world, issued):
        return services.task_sign_for(task=issued, actor=world.district_head)

    def test_batch_issue_makes_one_subtask_per_unit(self, world, issued):
        task = self._signed(world, issued)
        subs = services.task_decompose(task=task, units=[world.community, world.community2],
                                       actor=world.district_head, deadline=date(2026, 10, 20))
        assert [s.code for s in subs] == [f"{task.code}-01", f"{task.code}-02"]
        assert all(s.status == TaskStatus.ISSUED and s.issuing_unit == world.district for s in subs)
        assert [s.responsible_person for s in subs] == [world.c1_head, world.c2_head]
        task.refresh_from_db()
        assert task.status == TaskStatus.IN_PROGRESS

    def test_subtask_deadline_not_later_than_parent(self, world, issued):
        task = self._signed(world, issued)
        with pytest.raises(ValidationError, match="不能晚于"):
            services.task_decompose(task=task, units=[world.community], actor=world.district_head,
                                    deadline=date(2026, 11, 30))
        assert not task.subtasks.exists()

    def test_only_down_the_own_tree_and_all_or_nothing(self, world, issued):
        task = self._signed(world, issued)
        with pytest.raises(ValidationError, match="下级单位"):
            services.task_decompose(task=task, units=[world.community, world.other_community],
                                    actor=world.district_head)
        assert not task.subtasks.exists()

    def test_parent_hands_in_only_after_subtasks_are_accepted(self, world, issued):
        task = self._signed(world, issued)
        [sub] = services.task_decompose(task=task, units=[world.community], actor=world.district_head)
        with pytest.raises(ValidationError, match="下级任务尚未全部验收"):
            services.handover_submit(task=task, actor=world.district_head, summary="完成")
        services.task_sign_for(task=sub, actor=world.c1_head)
        services.progress_report(task=sub, actor=world.c1_liaison, percent=100, text="完成")
        services.handover_submit(task=sub, actor=world.c1_head, summary="社区完成")
        services.handover_accept(task=sub, actor=world.district_head)
        services.handover_submit(task=task, actor=world.district_head, summary="全区完成")
        task.refresh_from_db()
        assert task.status == TaskStatus.HANDED_IN

    def test_street_without_head_gets_a_gap_not_an_error(self, world, issued):
        task = self._signed(world, issued)
        with pytest.raises(ValidationError, match="没有在任一把手"):
            services.task_decompose(task=task, units=[world.street], actor=world.district_head)
        org.post_appoint(person=world.c2_head, unit=world.street, title="主任", is_head=True)
        [sub] = services.task_decompose(task=task, units=[world.street], actor=world.district_head)
        assert sub.responsible_person == world.c2_head


def test_decomposition_needs_no_signoff_even_when_the_plan_does(world, plan, draft):
    services.plan_update(plan=plan, actor=world.hq, requires_signoff=True)
    draft.refresh_from_db()
    services.task_sign_off(task=draft, actor=world.hq)
    task = services.task_issue(task=draft, actor=world.hq)
    services.task_sign_for(task=task, actor=world.district_head)
    [sub] = services.task_decompose(task=task, units=[world.community], actor=world.district_head)
    assert sub.status == TaskStatus.ISSUED
