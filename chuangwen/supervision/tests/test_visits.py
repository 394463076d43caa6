"""Deputies' visits: each finding becomes a problem (source 人大政协视察) through
problems.services.problem_report — numbered, routed, counted — linked back to the visit."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.attachments.models import Attachment
from chuangwen.audit.models import Entry
from chuangwen.problems.models import Problem, ProblemStatus, Source
from chuangwen.problems.summary import ProblemDaily
from chuangwen.supervision import services
from chuangwen.supervision.models import Finding, Visit

pytestmark = pytest.mark.django_db


def _png():
    from chuangwen.attachments.tests.samples import png_bytes, upload

    return upload("现场.png", png_bytes(), "image/png")


def test_records_a_visit_at_sites(world, visit, market):
    assert list(visit.sites.all()) == [market]
    assert Entry.objects.filter(event="visit.create", object_id=str(visit.pk)).exists()


def test_a_finding_is_a_deputy_problem_routed_by_its_site_and_linked_to_the_visit(
        world, visit, market, rubbish):
    finding = services.finding_report(visit=visit, description="市场入口暴露垃圾", category=rubbish, site=market,
                                      raised_by="张代表", photos=[_png()], actor=world.hq)
    problem = Problem.objects.get(pk=finding.problem_id)
    assert problem.source == Source.DEPUTY and problem.get_source_display() == "人大政协视察"
    assert problem.status == ProblemStatus.REPORTED and problem.suggested_unit == world.community2
    assert problem.district == world.district and problem.reported_by == world.hq
    assert problem.visit_finding.visit == visit and finding.number == 1
    assert Attachment.objects.filter(owner_kind="problems.before", owner_id=problem.pk).count() == 1
    # problem_report's summary hook counted it.
    assert sum(ProblemDaily.objects.values_list("reported", flat=True)) == 1
    assert Entry.objects.filter(event="problem.report", object_id=str(problem.pk)).exists()
    entry = Entry.objects.get(event="visit.finding", object_id=str(visit.pk))
    assert entry.changes["problem"] == [None, problem.number]
    second = services.finding_report(visit=visit, description="公厕异味", category=rubbish,
                                     district=world.district, address="和平路公厕", actor=world.hq)
    assert second.number == 2


def test_a_finding_can_be_assigned_at_once(world, visit, market, rubbish):
    finding = services.finding_report(visit=visit, description="市场入口暴露垃圾", category=rubbish, site=market,
                                      assign_to=world.community2, actor=world.hq)
    problem = Problem.objects.get(pk=finding.problem_id)
    assert problem.status == ProblemStatus.ASSIGNED and problem.responsible_unit == world.community2
    assert problem.deadline is not None


@pytest.mark.parametrize("over, message", [
    ({"description": " "}, "请描述发现的问题"),
    ({"category": None}, "请选择问题类别"),
    ({"site": None}, "请填写问题所在的点位、区县或地点"),
])
def test_bad_findings_are_refused_in_chinese_and_report_nothing(world, visit, market, rubbish, over, message):
    kw = {"description": "暴露垃圾", "category": rubbish, "site": market}
    kw.update(over)
    with pytest.raises(ValidationError, match=message):
        services.finding_report(visit=visit, actor=world.hq, **kw)
    assert not Problem.objects.exists() and not Finding.objects.exists()


@pytest.mark.parametrize("over, message", [
    ({"kind": "press"}, "请选择视察类型"),
    ({"members": ""}, "请填写参加视察的人员"),
    ({"date": date(2027, 1, 1)}, "视察日期不能晚于今天"),
])
def test_bad_visits_are_refused_in_chinese(world, today, over, message):
    kw = {"kind": "cppcc", "date": date(2026, 9, 1), "title": "视察", "members": "政协委员5人"}
    kw.update(over)
    with pytest.raises(ValidationError, match=message):
        services.visit_create(actor=world.hq, **kw)
    assert not Visit.objects.exists()


def test_only_hq_records_findings(world, visit, market, rubbish):
    with pytest.raises(PermissionDenied):
        services.finding_report(visit=visit, description="暴露垃圾", category=rubbish, site=market,
                                actor=world.inspector)
    assert not Problem.objects.exists()
    assert Entry.objects.filter(event="permission.denied", actor_id=world.inspector.pk).exists()


def test_a_deputy_sees_the_visits_they_took_part_in(world, market, rubbish, today):
    from chuangwen.accounts.roles import Role
    from chuangwen.accounts.services import user_create
    from chuangwen.supervision import selectors

    deputy = user_create(username="npc_deputy", full_name="张代表", password=world.password, roles=[Role.DEPUTY],
                         must_change_password=False)
    mine = services.visit_create(kind="npc", date=date(2026, 9, 1), title="代表视察", members="张代表等",
                                 member_people=[deputy], actor=world.hq)
    other = services.visit_create(kind="cppcc", date=date(2026, 9, 2), title="委员视察", members="委员",
                                  actor=world.hq)
    for visit in (mine, other):
        services.finding_report(visit=visit, description="暴露垃圾", category=rubbish, site=market, actor=world.hq)
    assert list(selectors.visits_visible_to(deputy)) == [mine]
    assert [f.visit for f in selectors.findings_visible_to(deputy)] == [mine]


def test_a_unit_sees_only_the_visits_sites_in_its_scope(client, login, world, market, rubbish, today):
    """A joint visit to E's park and D's market: E1's head sees the visit through E1's finding,
    and of its sites only E's park (the places rule), on the page as in the API."""
    from chuangwen.places.models import SiteType
    from chuangwen.places.services import site_create
    from chuangwen.supervision.selectors import visit_sites

    park = site_create(name="西湖公园", site_type=SiteType.objects.get(code="T01"), district=world.other_district,
                       responsible_unit=world.other_community, actor=world.hq)
    joint = services.visit_create(kind="npc", date=date(2026, 9, 14), title="创文工作视察", members="代表8人",
                                  sites=[market, park], actor=world.hq)
    services.finding_report(visit=joint, description="公园暴露垃圾", category=rubbish, site=park, actor=world.hq,
                            assign_to=world.other_community)
    assert list(visit_sites(world.hq, joint)) == sorted([market, park], key=lambda s: s.code)
    assert list(visit_sites(world.e1_head, joint)) == [park]
    login(world.e1_head)
    page = client.get(f"/supervision/visits/{joint.pk}/").content.decode()
    assert "西湖公园" in page and "和平农贸市场" not in page
    login(world.hq)
    page = client.get(f"/supervision/visits/{joint.pk}/").content.decode()
    assert "西湖公园" in page and "和平农贸市场" in page
