"""September 2026 in the test world, built through the real task and problem services, with the
clock moved to each step's time.  What each record is for:

Tasks (issued by HQ on 1 Sept; HQ's head `hq` accepts):
    t1 和平社区, due 20 Sept, handed in 15th, accepted 16th        on time; first handover passed
    t2 和平社区, due 25 Sept, handed in 24th, returned, handed in
       again 28th, accepted 2 Oct                                  late; first handover returned
    t3 和平社区, due 30 Sept, only signed for                      not done
    t4 和平社区, due 15 Oct, handed in 29 Sept, accepted 30 Sept   not due in Sept; handover counts
    t5 友谊社区, due 20 Sept, accepted 18th                        on time
    t6 城东区,   due 22 Sept, extended to 10 Oct, accepted 5 Oct   late against the original deadline
    t7 和平社区, due 26 Sept, cancelled                             not assessed

Problems (暴露垃圾, one working day):
    p1 inspector (city), 8 Sept → 和平社区, fixed that afternoon, passed 9th   on the spot, on time
    p2 inspector (city), 8 Sept → 和平社区, failed recheck 10th, passed 11th   late, one rework
    p3 district_head (district), 14 Sept → 和平社区, still open                district finding
    p4 c1_liaison, source 随手拍, 14 Sept → 友谊社区, closed same day          not a finding
    p5 inspector, 模拟测评, 15 Sept → 西湖社区, still open                     city finding
    p8 c1_head (the unit itself), 督查, 16 Sept → 和平社区, still open         not a finding
    p9 inspector, 5 Oct → 和平社区                                           outside September
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from chuangwen.problems import services as ps
from chuangwen.problems.catalogue import ensure_catalogue as ensure_problem_catalogue
from chuangwen.problems.models import Category, Source, TimeLimit
from chuangwen.tasks import services as ts
from chuangwen.tasks.catalogue import ensure_catalogue as ensure_task_catalogue
from chuangwen.tasks.models import Extension, RewardPolicy

TZ = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 9, 1), date(2026, 9, 30)
AFTER = datetime(2026, 10, 10, 10, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def png():
    from chuangwen.attachments.tests.samples import png_bytes, upload

    return upload("整改后.png", png_bytes(), "image/png")


class September:
    """Attribute bag: t1..t7, p1..p9."""


def build_september(w) -> September:
    s = September()
    ensure_task_catalogue(RewardPolicy)
    ensure_problem_catalogue(Category, TimeLimit)
    policy = RewardPolicy.objects.get(code="JC01")
    rubbish = Category.objects.get(code="SJ0101")
    with time_machine.travel(at(9, 1), tick=False) as clock:
        plan = ts.plan_create(year=2026, title="九月工作方案", issuing_unit=w.hq_unit, actor=w.hq)

        def task(unit, due, title):
            t = ts.task_create(plan=plan, actor=w.hq, title=title, content="按要求完成。", standard="测评标准",
                               deadline=due, lead_unit=unit, criteria="实地检查", points=5, policy=policy)
            return ts.task_issue(task=t, actor=w.hq)

        s.t1 = task(w.community, date(2026, 9, 20), "背街小巷整治")
        s.t2 = task(w.community, date(2026, 9, 25), "公益广告更新")
        s.t3 = task(w.community, date(2026, 9, 30), "楼道清理")
        s.t4 = task(w.community, date(2026, 10, 15), "志愿服务站建设")
        s.t5 = task(w.community2, date(2026, 9, 20), "垃圾分类宣传")
        s.t6 = task(w.district, date(2026, 9, 22), "农贸市场改造")
        s.t7 = task(w.community, date(2026, 9, 26), "已撤销任务")

        def sign(t, head):
            t = ts.task_sign_for(task=t, actor=head)
            return ts.task_start(task=t, actor=head)

        clock.move_to(at(9, 2))
        for name in ("t1", "t2", "t3", "t4"):
            setattr(s, name, sign(getattr(s, name), w.c1_head))
        s.t5 = sign(s.t5, w.c2_head)
        s.t6 = sign(s.t6, w.district_head)

        def report(who, source, unit, actor_unit, day, hour=9, month=9):
            clock.move_to(at(month, day, hour))
            p = ps.problem_report(source=source, category=rubbish, description="暴露垃圾", actor=who,
                                  district=w.district if unit != w.other_community else w.other_district,
                                  address="和平路")
            p = ps.problem_assign(problem=p, actor=w.hq, unit=unit)
            return ps.problem_accept(problem=p, actor=actor_unit)

        s.p1 = report(w.inspector, Source.INSPECTION, w.community, w.c1_head, 8)
        s.p2 = report(w.inspector, Source.INSPECTION, w.community, w.c1_head, 8)
        clock.move_to(at(9, 8, 14))
        s.p1 = ps.problem_submit(problem=s.p1, actor=w.c1_head, photos=[png()])
        clock.move_to(at(9, 9, 10))
        s.p1 = ps.problem_recheck(problem=s.p1, actor=w.inspector, passed=True)
        clock.move_to(at(9, 9, 16))
        s.p2 = ps.problem_submit(problem=s.p2, actor=w.c1_head, photos=[png()])
        clock.move_to(at(9, 10, 9))
        s.p2 = ps.problem_recheck(problem=s.p2, actor=w.inspector, passed=False, note="仍有垃圾")
        clock.move_to(at(9, 10, 15))
        s.p2 = ps.problem_submit(problem=s.p2, actor=w.c1_head)
        clock.move_to(at(9, 11, 10))
        s.p2 = ps.problem_recheck(problem=s.p2, actor=w.inspector, passed=True)
        clock.move_to(at(9, 10, 11))
        s.t7 = ts.task_cancel(task=s.t7, actor=w.hq, reason="并入其他任务")

        s.p3 = report(w.district_head, Source.INSPECTION, w.community, w.c1_head, 14)
        s.p4 = report(w.c1_liaison, Source.CITIZEN, w.community2, w.c2_head, 14)
        clock.move_to(at(9, 14, 11))
        s.p4 = ps.problem_submit(problem=s.p4, actor=w.c2_head, photos=[png()])
        s.p4 = ps.problem_recheck(problem=s.p4, actor=w.inspector, passed=True)
        s.p5 = report(w.inspector, Source.MOCK, w.other_community, w.e1_head, 15)

        clock.move_to(at(9, 15, 16))
        s.t1 = _hand_in(s.t1, w.c1_head)
        clock.move_to(at(9, 16, 9))
        s.t1 = _accept(s.t1, w.hq)
        s.p8 = report(w.c1_head, Source.INSPECTION, w.community, w.c1_head, 16)
        clock.move_to(at(9, 17, 15))
        s.t5 = _hand_in(s.t5, w.c2_head)
        clock.move_to(at(9, 18, 9))
        s.t5 = _accept(s.t5, w.hq)
        clock.move_to(at(9, 20, 10))
        ext = ts.extension_request(task=s.t6, actor=w.district_head, new_deadline=date(2026, 10, 10), reason="雨季")
        ts.extension_decide(extension=Extension.objects.get(pk=ext.pk), actor=w.hq, approve=True)
        clock.move_to(at(9, 24, 10))
        s.t2 = _hand_in(s.t2, w.c1_head)
        clock.move_to(at(9, 24, 15))
        ts.handover_return(task=s.t2, actor=w.hq, reason="佐证材料不全")
        clock.move_to(at(9, 28, 10))
        s.t2 = _hand_in(s.t2, w.c1_head)
        clock.move_to(at(9, 29, 10))
        s.t4 = _hand_in(s.t4, w.c1_head)
        clock.move_to(at(9, 30, 10))
        s.t4 = _accept(s.t4, w.hq)
        clock.move_to(at(10, 2, 10))
        s.t2 = _accept(s.t2, w.hq)
        clock.move_to(at(10, 4, 10))
        s.t6 = _hand_in(s.t6, w.district_head)
        clock.move_to(at(10, 5, 10))
        s.t6 = _accept(s.t6, w.hq)
        s.p9 = report(w.inspector, Source.INSPECTION, w.community, w.c1_head, 5, hour=11, month=10)
    return s


def _hand_in(task, head):
    ts.handover_submit(task=task, actor=head, summary="已按要求完成。")
    return type(task).objects.get(pk=task.pk)


def _accept(task, hq):
    ts.handover_accept(task=task, actor=hq)
    return type(task).objects.get(pk=task.pk)
