"""督办台账: the counts equal a count made independently from the records, per year and type,
with the closure state; the report phrases; and the scope (a unit counts only its part)."""

from collections import Counter
from datetime import date

import pytest
import time_machine

from chuangwen.problems import services as problems
from chuangwen.problems.models import ProblemStatus
from chuangwen.supervision import ledger as ledger_module
from chuangwen.supervision import services
from chuangwen.supervision.ledger import Line, ledger, phrases
from chuangwen.supervision.models import Decision, Finding, Instruction, Meeting, SourceTask, Visit
from chuangwen.tasks import services as tasks
from chuangwen.tasks.models import TaskStatus

from .conftest import complete, fixes


@pytest.fixture
def records(world, today, meeting, visit, market, rubbish):
    """A spread of records over two years, types and states, built through the services."""
    old = services.instruction_create(leader=world.mayor, date=date(2025, 11, 3), title="去年的批示", text="整改",
                                      actor=world.hq)
    new = services.instruction_create(leader=world.mayor, date=date(2026, 3, 3), title="今年的批示", text="整改",
                                      actor=world.hq)
    services.instruction_create(leader=world.mayor, date=date(2026, 4, 1), title="未分解的批示", text="研究",
                                actor=world.hq)
    (a,) = services.instruction_split(instruction=old, units=[world.community], actor=world.hq, fixes=fixes())
    complete(a, world, world.c1_head)
    services.instruction_close(instruction=old, actor=world.hq, note="已办结")
    b, c, d = services.instruction_split(instruction=new, units=[world.community, world.community2,
                                                                   world.other_community], actor=world.hq,
                                         fixes=fixes())
    complete(b, world, world.c1_head)
    tasks.task_cancel(task=c, actor=world.hq, reason="重复交办")
    services.meeting_create(kind="onsite", date=date(2025, 6, 1), title="现场办公会", chair=world.mayor,
                            decisions=["拆除违建"], actor=world.hq)
    services.meeting_create(kind="dispatch", date=date(2026, 8, 1), title="调度会", chair=world.hq,
                            actor=world.hq)
    services.decision_split(decision=meeting.decisions.get(number=1), units=[world.district], actor=world.hq,
                            fixes=fixes())
    first = services.finding_report(visit=visit, description="暴露垃圾", category=rubbish, site=market,
                                    actor=world.hq)
    services.finding_report(visit=visit, description="西湖边垃圾", category=rubbish, district=world.other_district,
                            address="西湖路", actor=world.hq)
    problem = problems.problem_assign(problem=first.problem, actor=world.hq, unit=world.community2)
    problems.problem_accept(problem=problem, actor=world.c2_head)
    from chuangwen.attachments.tests.samples import png_bytes, upload

    problems.problem_submit(problem=problem, actor=world.c2_head,
                            photos=[upload("后.png", png_bytes(), "image/png")])
    problems.problem_recheck(problem=problem, actor=world.inspector, passed=True)
    services.visit_create(kind="cppcc", date=date(2025, 5, 5), title="政协视察", members="委员3人", actor=world.hq)


def _independent(year=None):
    """The same figures counted by walking the records in Python."""
    keep = (lambda d: True) if year is None else (lambda d: d.year == year)
    out = Counter()
    for i in Instruction.objects.all():
        if keep(i.date):
            out["instruction.items"] += 1
            out["instruction.closed"] += i.status == "closed"
    for m in Meeting.objects.all():
        if keep(m.date):
            out[f"meeting:{m.kind}.items"] += 1
    for dcs in Decision.objects.select_related("meeting"):
        if keep(dcs.meeting.date):
            out[f"meeting:{dcs.meeting.kind}.entries"] += 1
    for link in SourceTask.objects.select_related("task", "instruction", "decision__meeting"):
        when = link.instruction.date if link.instruction_id else link.decision.meeting.date
        key = "instruction" if link.instruction_id else f"meeting:{link.decision.meeting.kind}"
        if keep(when) and link.task.status != TaskStatus.CANCELLED:
            out[f"{key}.tasks"] += 1
            out[f"{key}.accepted"] += link.task.status == TaskStatus.ACCEPTED
    for v in Visit.objects.all():
        if keep(v.date):
            out[f"visit:{v.kind}.items"] += 1
    for f in Finding.objects.select_related("visit", "problem"):
        if keep(f.visit.date):
            out[f"visit:{f.visit.kind}.problems"] += 1
            out[f"visit:{f.visit.kind}.fixed"] += f.problem.status == ProblemStatus.CLOSED
    return out


def _as_counter(data) -> Counter:
    out = Counter()
    for ln in data["by_source"]:
        group = ln.key.split(":")[0]
        out[f"{ln.key}.items"] += ln.items
        if group == "instruction":
            out[f"{ln.key}.closed"] += ln.entries_closed
        if group == "meeting":
            out[f"{ln.key}.entries"] += ln.entries
        if group in ("instruction", "meeting"):
            out[f"{ln.key}.tasks"] += ln.tasks
            out[f"{ln.key}.accepted"] += ln.tasks_accepted
        if group == "visit":
            out[f"{ln.key}.problems"] += ln.problems
            out[f"{ln.key}.fixed"] += ln.problems_closed
    return +out  # drop zeros


@pytest.mark.django_db
@pytest.mark.parametrize("year", [None, 2025, 2026])
def test_the_ledger_equals_an_independent_count(world, records, year, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        data = ledger(world.hq, year=year)
    assert _as_counter(data) == +_independent(year)
    assert data["years"] == [2026, 2025]


@pytest.mark.django_db
def test_the_ledger_states_the_closure_of_each_source(world, records):
    data = ledger(world.hq, year=2026)
    ins = data["totals"]["instruction"]
    assert (ins.items, ins.entries_closed, ins.tasks, ins.tasks_accepted) == (2, 0, 2, 1)
    visits = data["totals"]["visit"]
    assert (visits.items, visits.problems, visits.problems_closed) == (1, 2, 1)
    assert "先后1次组织人大代表、政协委员实地视察,发现问题2个,已整改销号1个" in "".join(data["phrases"])
    assert data["phrases"][0].startswith("今年以来,市领导先后作出批示2次")


@pytest.mark.django_db
def test_a_unit_counts_only_what_it_sees(world, records):
    # District D sees the instructions and the decision with tasks in D, and the finding in D.
    totals = ledger(world.district_head)["totals"]
    ins, meet, visits = totals["instruction"], totals["meeting"], totals["visit"]
    assert (ins.items, ins.entries_closed, ins.tasks, ins.tasks_accepted) == (2, 1, 2, 2)
    assert (meet.items, meet.entries, meet.tasks) == (1, 1, 1)
    assert (visits.items, visits.problems, visits.problems_closed) == (1, 1, 1)
    # Community E1 sees only the instruction with its own task.
    totals = ledger(world.e1_head)["totals"]
    assert (totals["instruction"].items, totals["instruction"].tasks) == (1, 1)
    assert totals["meeting"].items == totals["visit"].items == 0
    assert ledger(world.outsider)["totals"]["instruction"].items == 0


def test_phrases_quote_the_figures_a_report_needs():
    lines = {key: Line(key=key, label=label) for key, _, label in ledger_module.SOURCES}
    lines["instruction"].items, lines["instruction"].tasks = 52, 80
    lines["meeting:topic"].items, lines["meeting:onsite"].items = 15, 6
    lines["meeting:topic"].entries, lines["meeting:onsite"].entries = 40, 12
    lines["visit:npc"].items, lines["visit:cppcc"].items = 5, 3
    text = phrases(lines, year=2026, this_year=2026)
    assert text[0].startswith("今年以来,市领导先后作出批示52次,分解督办任务80项")
    assert text[1].startswith("今年以来,先后21次召开专题会议和现场办公会议,研究解决议定事项52项")
    assert text[2].startswith("今年以来,市人大、市政协先后8次组织人大代表、政协委员实地视察")
    assert phrases(lines, year=2025, this_year=2026)[0].startswith("2025年,")
    assert phrases(lines, year=None, this_year=2026)[0].startswith("累计,")
    empty = {key: Line(key=key, label=label) for key, _, label in ledger_module.SOURCES}
    assert phrases(empty, year=None, this_year=2026) == []


@pytest.mark.django_db
def test_this_year_follows_the_clock(world, records):
    with time_machine.travel("2027-01-05 10:00 +0800", tick=False):
        assert ledger(world.hq, year=2026)["phrases"][0].startswith("2026年,")
