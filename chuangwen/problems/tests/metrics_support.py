"""The hand-made month of the metrics page tests, and reading the page and its links."""

import itertools
from datetime import date, datetime
from types import SimpleNamespace

import time_machine

from chuangwen.problems import services
from chuangwen.problems.models import Category, Severity, Source
from chuangwen.problems.views.metrics import COLUMNS

from .conftest import TZ, png
from .drive import problem_extend

SEPTEMBER = {"period": "2026-09"}
FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)
# When the page is read: Wed Sep 30, 16:00.
READ_AT = datetime(2026, 9, 30, 16, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


# --- the hand-made month ---------------------------------------------------------------------------

def build_book(world, rubbish) -> SimpleNamespace:
    """A September of 暴露垃圾 (normal: one working day) and one 路灯 problem (three working days),
    built through the services:

    old  reported and assigned Mon Aug 31 10:00 to 和平社区, closed Sep 1 09:00 (on time, 8 h);
    p1   Sep 1 10:00, 和平社区, closed Sep 2 09:00 (on time, 8 h);
    p2   Sep 1 10:00, 和平社区, failed its recheck on Sep 2, closed Sep 3 09:00 (late, 17 h);
    p3   Sep 1 10:00, 友谊社区, still being fixed (overdue);
    p4   Sep 1 10:00, 城东区 but 市住建局, closed Sep 1 16:00 (on time, 6 h);
    p5   Sep 1 10:00, 城西区's 西湖社区, parked (挂账);
    p6   Sep 1 10:00, 城东区, never assigned;
    p7   Sep 1 10:00, no district, 友谊社区, extended by a day (still open);
    p8   assigned to 和平社区 and voided; p9 assigned to 和平社区 and returned;
    p10  路灯, 和平社区, due Fri Sep 4, still open;
    p13, p12, p11  assigned to 和平社区 on Sep 23, Sep 28 and Sep 30 (due Sep 24, Sep 29, October);
                   p13 at old's address: a rebound (反弹).
    Each at its own address otherwise.  The page is read on Wed Sep 30 at 16:00."""
    lamp = Category.objects.get(code="BJ0102")
    heads = {world.community.pk: world.c1_head, world.community2.pk: world.c2_head,
             world.dept.pk: world.dept_head, world.other_community.pk: world.e1_head}
    b = SimpleNamespace()
    numbers = itertools.count(1)

    def new(district, unit=None, category=rubbish, accept=True, address=""):
        p = services.problem_report(source=Source.INSPECTION, category=category, description="暴露垃圾",
                                    actor=world.inspector, district=district,
                                    address=address or f"和平路{next(numbers)}号")
        if unit is None:
            return p
        p = services.problem_assign(problem=p, actor=world.hq, unit=unit, severity=Severity.NORMAL)
        return services.problem_accept(problem=p, actor=heads[unit.pk]) if accept else p

    def close(p, *, fail_first=False):
        head = heads[p.responsible_unit_id]
        p = services.problem_submit(problem=p, actor=head, photos=[png()])
        return services.problem_recheck(problem=p, actor=world.inspector, passed=not fail_first, note="复查")

    with time_machine.travel(at(8, 31, 10), tick=False) as clock:
        b.old = new(world.district, world.community)
        clock.move_to(at(9, 1, 9))
        b.old = close(b.old)
        clock.move_to(at(9, 1, 10))
        b.p1, b.p2 = new(world.district, world.community), new(world.district, world.community)
        b.p3 = new(world.district, world.community2)
        b.p4 = new(world.district, world.dept)
        b.p5 = new(world.other_district, world.other_community)
        b.p6 = new(world.district)
        b.p7 = new(None, world.community2)
        b.p8 = new(world.district, world.community, accept=False)
        b.p8 = services.problem_void(problem=b.p8, actor=world.hq, reason="重复上报")
        b.p9 = services.problem_return(problem=new(world.district, world.community, accept=False),
                                       actor=world.c1_head, reason="非本单位职责")
        b.p10 = new(world.district, world.community, category=lamp)
        b.p5 = services.problem_request_park(problem=b.p5, actor=world.e1_head, reason="需列入改造计划")
        b.p5 = services.problem_decide_park(problem=b.p5, actor=world.hq, approve=True)
        clock.move_to(at(9, 1, 16))
        b.p4 = close(b.p4)
        clock.move_to(at(9, 2, 9))
        assert problem_extend(world, b.p7, world.c2_head, 24, approve=True) == "extend"
        b.p1, b.p2 = close(b.p1), close(b.p2, fail_first=True)
        clock.move_to(at(9, 3, 9))
        b.p2 = close(b.p2)
        clock.move_to(at(9, 23, 10))
        b.p13 = new(world.district, world.community, address=b.old.address)
        clock.move_to(at(9, 28, 10))
        b.p12 = new(world.district, world.community)
        clock.move_to(at(9, 30, 10))
        b.p11 = new(world.district, world.community)
    return b


# --- reading the page and following its links -----------------------------------------------------

def get_page(client, params: dict):
    response = client.get("/problems/metrics/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def listed(client, url: str) -> list[str]:
    """The numbers of the problems a list link shows, following its pages."""
    numbers, seen_total = [], None
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:500]
        ctx = response.context
        numbers += [p.number for p in ctx["problems"]]
        seen_total = ctx["total"] if seen_total is None else seen_total
        url = f"/problems/?{ctx['query']}&tab=all&before={ctx['next_before']}" if ctx["next_before"] else ""
    assert len(numbers) == len(set(numbers))
    assert seen_total == len(numbers)  # the list's own (bounded) count agrees
    return numbers


def every_link_lists_its_count(client, response) -> int:
    """Follow every linked count of the page; returns how many links were followed."""
    ctx, followed = response.context, 0
    for row in [*ctx["rows"], ctx["total"], *ctx["backlog"], ctx["backlog_total"]]:
        for cell in row.cells:
            if cell.url:
                assert len(listed(client, cell.url)) == cell.value, (row.label, cell.title, cell.url)
                followed += 1
    return followed


def texts(row) -> dict:
    return {c.key: cell.text for c, cell in zip(COLUMNS, row.cells, strict=True)}


def by_label(response) -> dict:
    return {r.label: texts(r) for r in response.context["rows"]}
