"""The demo plan (chuangwen.tasks.demo) on the demo city: every state and colour, handovers
along the chain, the five fixes at issue time, a coherent timeline, all or nothing, once only.

Like the demo city's own tests (org/tests/test_demo.py) these are transactional and start from
a flushed database: the demo loads only into an empty one.  Loading takes several seconds, so
one test loads once and checks everything that only reads the result.
"""

import io
from collections import Counter
from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.audit import triggers
from chuangwen.audit.chain import verify
from chuangwen.audit.models import Entry
from chuangwen.notifications.models import Notification
from chuangwen.org import services as org
from chuangwen.org.demo import load
from chuangwen.org.models import UnitKind, WorkGroup
from chuangwen.tasks import demo, selectors, services
from chuangwen.tasks.colours import Colour
from chuangwen.tasks.models import (
    Extension,
    ExtensionStatus,
    Handover,
    HandoverStatus,
    Milestone,
    Plan,
    ProgressUpdate,
    RewardPolicy,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
)

MODELS = (Plan, Task, TaskEvent, ProgressUpdate, Milestone, Handover, Extension, Notification, Entry)


@pytest.fixture
def empty_db(transactional_db, core_demo_only, settings, tmp_path):
    """A flushed database; the accounts file in a temporary var/; a fast hasher."""
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # SQLite flushes with DELETE, which the audit log's append-only triggers refuse.
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    # The flush also took the reward/penalty catalogue every installation gets by migration.
    import_module("chuangwen.tasks.migrations.0002_policy_catalogue").load(apps, None)
    return settings


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in MODELS)


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


def _assert_every_state_and_colour(tasks):
    assert 55 <= len(tasks) <= 70
    top = [t for t in tasks if t.parent_id is None]
    assert 35 <= len(top) <= 45
    assert set(Counter(t.status for t in tasks)) == set(TaskStatus.values)
    assert {t.colour for t in tasks} == {Colour.NONE, Colour.BLUE, Colour.YELLOW, Colour.RED}
    # Colours are for open tasks only; overdue ones include a signed task nobody has touched.
    assert {t.colour for t in tasks if t.status not in (TaskStatus.ISSUED, TaskStatus.SIGNED,
                                                       TaskStatus.IN_PROGRESS)} == {Colour.NONE}
    assert any(t.status == TaskStatus.SIGNED and t.colour == Colour.RED for t in tasks)
    # Every working group has tasks; subtasks inherit their parent's.
    assert {t.work_group_id for t in top} == set(WorkGroup.objects.values_list("pk", flat=True))
    by_pk = {t.pk: t for t in tasks}
    for t in tasks:
        if t.parent_id:
            parent = by_pk[t.parent_id]
            assert t.work_group_id == parent.work_group_id
            assert t.issuing_unit_id == parent.lead_unit_id and t.deadline <= parent.deadline


def _assert_five_fixes_at_issue(tasks):
    for t in tasks:
        if t.status == TaskStatus.DRAFT:
            assert t.issued_at is None
            continue
        issued_on = _local_day(t.issued_at)
        assert services.missing_fixes(t, today=issued_on) == [], t.code
        fixes = (t.content, t.standard, t.deadline, t.lead_unit_id, t.criteria, t.points, t.policy_id)
        assert all(fixes), t.code
        assert t.policy.code in {"JC01", "JC02", "JC03", "JC04"}
        assert t.responsible_person_id and t.responsible_name
    # Some carry milestones and cooperating units; a draft shows the five-fixes gate.
    assert Milestone.objects.exists()
    assert Task.cooperating_units.through.objects.count() >= 20
    assert any(services.missing_fixes(t) for t in tasks if t.status == TaskStatus.DRAFT)


def _assert_timeline(tasks):
    now = timezone.now()
    for t in tasks:
        events = list(t.events.order_by("at", "id"))
        assert events and events[0].kind == TaskEventKind.CREATE, t.code
        assert [e.id for e in events] == sorted(e.id for e in events), t.code
        assert all(e.at < now and _local_day(e.at) < timezone.localdate() for e in events), t.code
        if t.issued_at:
            assert t.created_at <= t.issued_at and _local_day(t.issued_at) <= t.original_deadline, t.code
        for stamp in (t.signed_at, t.handed_in_at, t.accepted_at):
            assert stamp is None or t.issued_at < stamp < now, t.code
        if t.parent_id:
            assert t.issued_at >= t.parent.signed_at, t.code
    for h in Handover.objects.all():
        assert h.decided_at is None or h.submitted_at < h.decided_at
    assert not Notification.objects.filter(created_at__gt=now).exists()


def _assert_handovers_along_the_chain(tasks):
    assert set(Handover.objects.values_list("status", flat=True)) == set(HandoverStatus.values)
    # community → street → district → HQ (and shop → community below): each accepted head to head.
    shop_task = next(t for t in tasks
                     if t.lead_unit.kind == UnitKind.SHOP and t.status == TaskStatus.ACCEPTED)
    chain, t = [], shop_task
    while t is not None:
        chain.append(t)
        t = t.parent
    assert [t.lead_unit.kind for t in chain] == [UnitKind.SHOP, UnitKind.COMMUNITY, UnitKind.STREET,
                                                UnitKind.COUNTY]
    assert chain[-1].issuing_unit.kind == UnitKind.HQ
    for t in chain:
        h = t.handovers.get(status=HandoverStatus.ACCEPTED)
        assert (h.from_unit, h.to_unit) == (t.lead_unit, t.issuing_unit)
        assert h.from_person.posts.filter(unit=t.lead_unit, is_head=True).exists()
        assert h.decided_by.posts.filter(unit=t.issuing_unit, is_head=True).exists()
    # Returned with a reason: once resubmitted and accepted, once still in progress.
    returned = list(Handover.objects.filter(status=HandoverStatus.RETURNED).select_related("task"))
    assert all(h.decision_note for h in returned)
    assert {h.task.status for h in returned} == {TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS}
    # Awaiting the HQ office director, who sees it in 我的任务 with the pending extension.
    director = User.objects.get(username="hq_director")
    assert Handover.objects.filter(status=HandoverStatus.SUBMITTED, to_person=director).exists()
    mine = selectors.my_tasks(director)
    assert mine["to_accept"] and mine["extensions"] and mine["drafts"]
    for username in ("district_head", "community_head"):
        assert selectors.my_tasks(User.objects.get(username=username))["to_accept"], username
    assert selectors.my_tasks(User.objects.get(username="community_liaison"))["todo"]
    # One extension pending, one approved (the original deadline stays for assessment).
    assert set(Extension.objects.values_list("status", flat=True)) == {ExtensionStatus.PENDING,
                                                                      ExtensionStatus.APPROVED}
    approved = Extension.objects.select_related("task").get(status=ExtensionStatus.APPROVED)
    assert approved.task.deadline == approved.new_deadline
    assert approved.task.original_deadline == approved.old_deadline < approved.new_deadline
    assert approved.requested_at < approved.decided_at


def _assert_notifications_tell_the_shaped_story(tasks):
    issued = {n.dedupe_key: n for n in Notification.objects.filter(kind="task.issued")}
    for t in tasks:
        if t.issued_at:
            note = issued[f"task:{t.pk}:issued"]
            assert str(t.original_deadline) in note.body and note.created_at == t.issued_at, t.code
    # Older news has been read; the last week's is waiting in the bell.
    assert Notification.objects.filter(read_at=None).exists()
    assert Notification.objects.exclude(read_at=None).exists()


def test_loads_a_plan_in_every_state_and_colour_once(empty_db, monkeypatch):
    load()
    before = _counts()

    # All or nothing: a failure half-way through the story leaves no trace.
    def fail(**kwargs):
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(services, "task_cancel", fail)
        with pytest.raises(RuntimeError):
            demo.load_demo_plan()
    assert _counts() == before

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "已加载演示工作方案" in out.getvalue() and "hq_director" in out.getvalue()
    plan = Plan.objects.get()
    year = timezone.localdate().year
    assert plan.title == f"上川市创建全国文明城市{year}年工作方案"
    assert plan.doc_number == f"上创文指〔{year}〕1号"
    assert plan.goals and plan.issuing_unit.kind == UnitKind.HQ

    th = selectors.current_thresholds()
    related = ("lead_unit", "issuing_unit", "parent", "policy", "plan")
    tasks = list(selectors.with_colour(Task.objects.select_related(*related), th).order_by("code"))
    _assert_every_state_and_colour(tasks)
    _assert_five_fixes_at_issue(tasks)
    _assert_timeline(tasks)
    _assert_handovers_along_the_chain(tasks)
    _assert_notifications_tell_the_shaped_story(tasks)
    assert verify().ok

    counts = _counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "未做改动" in out.getvalue()
    assert demo.load_demo_plan() == "present"
    assert _counts() == counts
    assert verify().ok


@pytest.mark.django_db
def test_refuses_without_the_demo_city_beside_another_plan_or_without_the_catalogue(world):
    with pytest.raises(demo.DemoPlanRefused, match="演示城市"):
        demo.load_demo_plan()  # the shared world is not the demo city
    org.unit_create(code="CITY", name="上川市", kind=UnitKind.CITY)
    RewardPolicy.objects.filter(code="JC03").delete()
    with pytest.raises(demo.DemoPlanRefused, match="JC03"):
        demo.load_demo_plan()
    services.plan_create(year=2026, title="某市自定方案", issuing_unit=world.hq_unit, actor=world.hq)
    with pytest.raises(demo.DemoPlanRefused, match="其他工作方案"):
        demo.load_demo_plan()
    assert Plan.objects.count() == 1 and not Task.objects.exists()
