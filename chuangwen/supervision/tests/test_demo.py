"""The demo ledger (chuangwen.supervision.demo) on the demo city: instructions open and closed,
a meeting of each type with decisions split into tasks, two visits whose findings are deputy
problems; once only, after the demo plan.

Transactional, from a flushed database like the task demo's test: the demo city loads only into
an empty one.  One test loads once and checks everything that only reads the result."""

import io
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from chuangwen.audit import triggers
from chuangwen.audit.chain import verify
from chuangwen.org import services as org
from chuangwen.org.models import UnitKind
from chuangwen.problems.catalogue import ensure_catalogue
from chuangwen.problems.models import Category, Problem, ProblemStatus, Source, TimeLimit
from chuangwen.supervision import demo
from chuangwen.supervision.ledger import ledger
from chuangwen.supervision.models import (
    Decision,
    Finding,
    Instruction,
    ItemStatus,
    Meeting,
    MeetingKind,
    Visit,
)
from chuangwen.supervision.selectors import Stage, stage_of, with_progress
from chuangwen.tasks.models import Plan, Task, TaskStatus


@pytest.fixture
def empty_db(transactional_db, core_demo_only, settings, tmp_path):
    """A flushed database; the accounts file in a temporary var/; a fast hasher."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=False)
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        triggers.apply(connection, create=True)
    # The flush also took the catalogues every installation gets by migration.
    import_module("chuangwen.tasks.migrations.0002_policy_catalogue").load(apps, None)
    ensure_catalogue(Category, TimeLimit)
    return settings


def _counts():
    return tuple(m.objects.count() for m in (Instruction, Meeting, Decision, Visit, Finding, Task, Problem))


def test_loads_the_ledger_once_after_the_demo_plan(empty_db):
    call_command("load_demo", stdout=io.StringIO())
    assert demo.load_demo_supervision() == "loaded"

    from chuangwen.accounts.models import User

    hq = User.objects.get(username="hq_director")
    instructions = list(with_progress(Instruction.objects.all(), hq))
    assert len(instructions) == 5
    assert {stage_of(i) for i in instructions} == {Stage.NEW, Stage.WORKING, Stage.CLOSED}
    assert sum(i.status == ItemStatus.CLOSED for i in instructions) == 2
    assert set(Meeting.objects.values_list("kind", flat=True)) == set(MeetingKind.values)
    assert Decision.objects.filter(status=ItemStatus.CLOSED).count() == 2
    linked = Task.objects.filter(supervision_source__isnull=False)
    assert {t.status for t in linked} >= {TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS,
                                          TaskStatus.ACCEPTED}
    assert all(t.plan.title.endswith("年领导批示和会议议定事项") for t in linked)
    # Every closed item's tasks were accepted, each handover by the lead unit's head.
    for item in [*Instruction.objects.filter(status="closed"), *Decision.objects.filter(status="closed")]:
        for link in item.links.select_related("task"):
            assert link.task.status == TaskStatus.ACCEPTED
            handover = link.task.handovers.get()
            assert handover.from_person.posts.filter(unit=link.task.lead_unit, is_head=True).exists()
    visits = list(Visit.objects.all())
    assert sorted(v.kind for v in visits) == ["cppcc", "npc"]
    problems = Problem.objects.filter(visit_finding__isnull=False)
    assert problems.count() == 5 and set(problems.values_list("source", flat=True)) == {Source.DEPUTY}
    assert {p.status for p in problems} == {ProblemStatus.REPORTED, ProblemStatus.ASSIGNED}
    # The demo deputy sees the visit they took part in.
    deputy = User.objects.get(username="deputy")
    assert [v.kind for v in Visit.objects.filter(member_people=deputy)] == ["npc"]
    data = ledger(hq)
    assert data["totals"]["instruction"].items == 5 and data["totals"]["visit"].problems == 5
    assert len(data["phrases"]) == 5
    assert verify().ok

    counts = _counts()
    assert demo.load_demo_supervision() == "present"
    assert _counts() == counts


@pytest.mark.django_db
def test_refuses_without_the_demo_city_or_its_plan(world):
    with pytest.raises(demo.DemoSupervisionRefused, match="演示城市未加载"):
        demo.load_demo_supervision()
    org.unit_create(code="CITY", name="上川市", kind=UnitKind.CITY)
    with pytest.raises(demo.DemoSupervisionRefused, match="请先加载演示工作方案"):
        demo.load_demo_supervision()
    assert not Plan.objects.exists() and not Instruction.objects.exists()
