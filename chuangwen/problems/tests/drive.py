"""Random walks through the rectification loop, through the real services (for the summary
tests): each step picks a problem and one of the moves its status allows."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from chuangwen.problems import services
from chuangwen.problems.models import Category, Problem, Severity, Source
from chuangwen.problems.models import ProblemStatus as S
from chuangwen.problems.services.merge import problem_merge

from .conftest import png

# Responsible unit -> the person who acts for it.
ACTORS = {"community": "c1_head", "community2": "c2_head", "dept": "dept_head", "other_community": "e1_head"}
ADDRESSES = ("和平路12号", "解放路3号", "")
CATEGORIES = ("SJ0101", "BJ0102", "SJ0401")


def problem_extend(world, problem: Problem, actor, hours: int, approve: bool) -> str:
    """延期 through the services: requested by the unit (only before the deadline), decided by HQ."""
    if problem.deadline is None or problem.deadline <= timezone.now():
        return "none"
    ext = services.problem_extension_request(problem=problem, actor=actor, reason="需采购材料",
                                             new_deadline=problem.deadline + timedelta(hours=hours))
    services.problem_extension_decide(extension=ext, actor=world.hq, approve=approve, note="" if approve else "不同意")
    return "extend" if approve else "extend_refused"


class Walker:
    def __init__(self, world, seed: int):
        self.w, self.rng = world, random.Random(seed)
        self.categories = list(Category.objects.filter(code__in=CATEGORIES))
        self.ids: list[int] = []
        self.photographed: set[int] = set()
        self.moves: list[str] = []

    def report(self) -> Problem:
        rng, w = self.rng, self.w
        point = rng.random() < 0.6
        p = services.problem_report(
            source=rng.choice([Source.INSPECTION, Source.CITIZEN]), category=rng.choice(self.categories),
            description="随机问题", actor=w.inspector, address=rng.choice(ADDRESSES),
            district=rng.choice([w.district, w.other_district, None]),
            lng=Decimal("120.1000000") + Decimal(rng.randint(0, 3)) / 10000 if point else None,
            lat=Decimal("30.2000000") if point else None,
        )
        self.ids.append(p.pk)
        return p

    def step(self) -> str:
        rng, w = self.rng, self.w
        if not self.ids or rng.random() < 0.12:
            self.report()
            return "report"
        p = Problem.objects.get(pk=rng.choice(self.ids))
        unit_actor = getattr(w, ACTORS[_unit_attr(w, p)]) if p.responsible_unit_id else None
        moves = {
            S.REPORTED: ["assign", "assign", "assign", "assign", "void", "merge"],
            S.RETURNED: ["assign", "void"],
            S.ASSIGNED: ["accept", "accept", "return", "merge"],
            S.RECTIFYING: ["submit", "submit", "request_park", "extend"],
            S.REWORK: ["submit", "request_park"],
            S.AWAITING_RECHECK: ["pass", "fail"],
            S.PARK_REQUESTED: ["approve_park", "reject_park"],
            S.PARKED: ["unpark", "stay", "stay"],
        }.get(p.status)
        if not moves:
            return "none"
        move = rng.choice(moves)
        if move == "stay":
            return "none"
        if move == "assign":
            unit = getattr(w, rng.choice(list(ACTORS)))
            services.problem_assign(problem=p, actor=w.hq, unit=unit, severity=rng.choice(Severity.values))
        elif move == "void":
            services.problem_void(problem=p, actor=w.hq, reason="无效")
        elif move == "merge":
            targets = list(Problem.objects.filter(pk__in=self.ids, merged_into__isnull=True)
                           .exclude(pk=p.pk).exclude(status=S.VOIDED))
            if not targets:
                return "none"
            problem_merge(duplicate=p, into=rng.choice(targets), actor=w.hq)
        elif move == "accept":
            services.problem_accept(problem=p, actor=unit_actor)
        elif move == "return":
            services.problem_return(problem=p, actor=unit_actor, reason="非本单位职责")
        elif move == "submit":
            photos = [] if p.pk in self.photographed else [png()]
            services.problem_submit(problem=p, actor=unit_actor, photos=photos)
            self.photographed.add(p.pk)
        elif move == "extend":
            return problem_extend(w, p, unit_actor, rng.choice([4, 24, 72]), approve=rng.random() < 0.8)
        elif move in ("pass", "fail"):
            services.problem_recheck(problem=p, actor=w.inspector, passed=move == "pass", note="复查")
        elif move == "request_park":
            services.problem_request_park(problem=p, actor=unit_actor, reason="需列入改造计划")
        elif move in ("approve_park", "reject_park"):
            services.problem_decide_park(problem=p, actor=w.hq, approve=move == "approve_park", note="意见")
        elif move == "unpark":
            services.problem_unpark(problem=p, actor=w.hq)
        return move


def _unit_attr(w, problem: Problem) -> str:
    return next(attr for attr in ACTORS if getattr(w, attr).pk == problem.responsible_unit_id)
