"""The objects test_scope.py probes, one fixture per router, built through the services on the
shared world: for each, what lies inside e1_head's district E (`in_e1`) and what lies only in
district D (`out_of_e1`).  Where an item may reach both districts, the in-scope one does, so the
tests also see that e1_head gets E's part of it and nothing of D's.

Each world has `values(path, which)` -> the path parameters ("in_e1", "out_of_e1" or "in_hq";
HQ reads the in-scope object) and `markers`: keys of D's objects (task codes, problem numbers,
document numbers) that must never reach e1_head.  Titles and texts of D's objects name 城东区 or
和平社区, which test_scope.OUTSIDE_E1 already looks for.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from chuangwen.evaluation import services as evaluation
from chuangwen.evaluation.models import PeriodKind
from chuangwen.problems import services as problems
from chuangwen.problems.catalogue import ensure_catalogue
from chuangwen.problems.models import Category, TimeLimit
from chuangwen.rewards.tests.conftest import communities, desk, rules  # noqa: F401 (fixtures)
from chuangwen.supervision import services as supervision
from chuangwen.supervision.tests.conftest import market  # noqa: F401 (fixture)


def _rubbish():
    ensure_catalogue(Category, TimeLimit)  # a transactional test's flush takes the migration's rows
    return Category.objects.get(code="SJ0101")


def _which(which: str) -> str:
    return "out_of_e1" if which == "out_of_e1" else "in_e1"


@pytest.fixture
def problem_world(world):
    """`in_e1`: a problem assigned to 西湖社区 (e1_head's); `out_of_e1`: one on the desk in district D."""
    rubbish = _rubbish()

    def report(district):
        return problems.problem_report(source="inspection", category=rubbish, description="暴露垃圾",
                                       actor=world.inspector, district=district, address="路边")

    in_e1 = problems.problem_assign(problem=report(world.other_district), actor=world.hq,
                                    unit=world.other_community)
    out = report(world.district)
    pair = {"in_e1": in_e1, "out_of_e1": out}
    return SimpleNamespace(in_e1=in_e1, out_of_e1=out, markers=[out.number],
                           values=lambda path, which: {"number": pair[_which(which)].number})


def _by_segment(objects):
    """values() of a router whose paths are /api/v1/<router>/<kind>/{id}: objects[kind] is the
    (in-scope, out-of-scope) pair; a path without {id} (a list, a run of the rules) needs none."""

    def values(path, which):
        if "{id}" not in path:
            return {}
        in_e1, out = objects[path.split("/")[4]]
        return {"id": str((out if _which(which) == "out_of_e1" else in_e1).pk)}

    return values


def _fixes():
    return supervision.Fixes(deadline=date(2026, 10, 30), title="落实批示:背街小巷整治",
                             content="一周内完成背街小巷垃圾清运。", standard="落实领导批示要求")


@pytest.fixture
def supervision_world(world, today, market):  # noqa: F811 (the fixture imported above)
    """Instructions: `both` split to E1 and C1, `d_only` to C1 alone.  A meeting whose decision 1
    went to E1 and decision 2 to C1, and a meeting of D's alone.  A visit to E1 and D's market
    with a finding assigned to E1 and one in D, and a visit with D's finding only."""
    hq, e1, c1, rubbish = world.hq, world.other_community, world.community, _rubbish()

    def instruction(day, title, text, units):
        item = supervision.instruction_create(leader=world.mayor, date=date(2026, 9, day), title=title,
                                              text=text, actor=hq)
        return item, supervision.instruction_split(instruction=item, units=units, fixes=_fixes(), actor=hq)

    def meeting(day, title, decisions):
        texts = [text for text, _ in decisions]
        item = supervision.meeting_create(kind="topic", date=date(2026, 9, day), title=title,
                                          chair=world.mayor, decisions=texts, actor=hq)
        tasks = [supervision.decision_split(decision=d, units=units, fixes=_fixes(), actor=hq)
                 for d, (_, units) in zip(item.decisions.order_by("number"), decisions, strict=True)]
        return item, tasks

    def visit(day, title, sites=()):
        return supervision.visit_create(kind="npc", date=date(2026, 9, day), title=title, members="代表8人",
                                        sites=sites, actor=hq)

    def finding(on, description, district, assign_to=None):
        return supervision.finding_report(visit=on, description=description, category=rubbish,
                                          district=district, address="路边", assign_to=assign_to, actor=hq)

    both, split_both = instruction(10, "背街小巷批示", "限期整改。", [e1, c1])
    d_only, split_d = instruction(11, "城东区农贸市场批示", "请城东区抓紧整改。", [c1])
    shared, split_shared = meeting(12, "创文专题会议", [("背街小巷限期整治", [e1]), ("城东区专项整治", [c1])])
    first, second = shared.decisions.order_by("number")
    d_meeting, split_d_meeting = meeting(13, "城东区现场办公会", [("和平社区路灯修复", [c1])])
    # A visit may go to several districts: this one went to D's market too.
    joint = visit(14, "创文工作视察", sites=[market])
    finding(joint, "路边暴露垃圾", world.other_district, assign_to=e1)
    d_finding = finding(joint, "城东区路边暴露垃圾", world.district)
    d_visit = visit(15, "城东区视察")
    d_visit_finding = finding(d_visit, "城东区门店占道", world.district)
    objects = {"instructions": (both, d_only), "meetings": (shared, d_meeting), "decisions": (first, second),
               "visits": (joint, d_visit)}
    split = [*split_both, *split_d, *split_shared[0], *split_shared[1], *split_d_meeting[0]]
    d_tasks = [t for t in split if t.lead_unit_id == c1.pk]

    return SimpleNamespace(
        values=_by_segment(objects), instruction=both, meeting=shared, visit=joint,
        markers=[*(t.code for t in d_tasks), d_finding.problem.number, d_visit_finding.problem.number,
                 market.code, market.name])


@pytest.fixture
def evaluation_world(world, today, problem_world):
    """The third quarter of 2026, open (ranked live), with problem_world's problems and one of
    C1's in it: E1's card vs C1's.  (A quarter: rewards_world's desk has the months.)"""
    period = evaluation.period_create(kind=PeriodKind.QUARTER, start=date(2026, 7, 1), actor=world.hq)
    # C1 ranks too (the rankings show it to e1_head by design), with a card of its own.
    reported = problems.problem_report(source="inspection", category=_rubbish(), description="城东区垃圾",
                                       actor=world.inspector, district=world.district, address="和平路")
    c1_problem = problems.problem_assign(problem=reported, actor=world.hq, unit=world.community)
    units = {"in_e1": world.other_community.code, "out_of_e1": world.community.code}

    def values(path, which):
        # /evaluation/rules/{code} names a scoring rule, not a unit.
        code = "city_problem" if path.startswith("/api/v1/evaluation/rules/") else units[_which(which)]
        return {"id": str(period.pk), "code": code, "group": "community", "kind": "rules"}

    return SimpleNamespace(values=values, period=period, markers=[*problem_world.markers, c1_problem.number])


@pytest.fixture
def rewards_world(world, desk):  # noqa: F811 (the fixture imported above)
    """rewards.tests.conftest's desk: C1's 流动红旗 proposal and record (D) vs E1's 约谈 (E); its
    September, finalised, for the published list and the rules run."""
    objects = {"proposals": (desk.e1_talk, desk.c1_flag), "records": (desk.e1_record, desk.c1_record),
               "periods": (desk.sep, desk.sep)}

    return SimpleNamespace(values=_by_segment(objects), desk=desk, markers=[desk.c1_record.doc_number])
