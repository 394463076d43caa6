"""Rewards on top of the shared test world: the default rules, more communities to rank, and
finalised periods with a known ranking.

A finalised period's ranking is a frozen snapshot by definition (evaluation writes it once, at
定榜), so `snapshot()` writes one directly with the ranks wanted: the rules' tests need exact
places (top 10, bottom 3 twice running), which the scoring engine would only give by building
months of tasks and problems.  `test_period_rules.py` also runs the rules on a period finalised
by evaluation's own `period_finalise`.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chuangwen.evaluation.models import Period, PeriodStatus, RankEntry
from chuangwen.evaluation.services import period_create
from chuangwen.org import services as org
from chuangwen.org.models import UnitKind
from chuangwen.rewards.catalogue import ensure_defaults
from chuangwen.rewards.models import Ladder, Rule
from chuangwen.tasks.tests.conftest import draft_kwargs, plan, policy, today  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def rules(db):
    ensure_defaults(Rule, Ladder)  # a transactional test's flush takes the migration's rows
    return {r.code: r for r in Rule.objects.all()}


@pytest.fixture
def communities(world):
    """Ten communities in all: C1, C2 and E1 of the world and seven more under street S."""
    extra = [org.unit_create(code=f"Q01-J01-S{n:02d}", name=f"第{n}社区", kind=UnitKind.COMMUNITY,
                             parent=world.street) for n in range(3, 10)]
    return [world.community, world.community2, world.other_community, *extra]


def ranks_of(scores: list[Decimal]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of scores, best first."""
    return [1 + sum(1 for other in scores if other > s) for s in scores]


def snapshot(actor, start: date, group: str, units_scores, *, kind: str = "month") -> Period:
    """A period of `kind` starting on `start`, finalised with `units_scores` [(unit, score)]
    as its frozen ranking of `group`."""
    period = period_create(kind=kind, start=start, actor=actor, today=date(2030, 1, 1))
    scores = [Decimal(str(s)) for _, s in units_scores]
    RankEntry.objects.bulk_create([
        RankEntry(period=period, unit=unit, unit_name=unit.full_name, group=group, score=score, rank=rank,
                  rule_points=Decimal("0"), components={})
        for (unit, _), score, rank in zip(units_scores, scores, ranks_of(scores), strict=True)
    ])
    Period.objects.filter(pk=period.pk).update(
        status=PeriodStatus.FINALISED, finalised_by=actor,
        finalised_at=datetime(period.end.year, period.end.month, period.end.day, 18, 0, tzinfo=SHANGHAI))
    period.refresh_from_db()
    return period


def scores_for(units, order: list[int]) -> list[tuple]:
    """units ranked in `order` (indexes into `units`, best first), scores 99, 98, ..."""
    return [(units[i], 99 - place) for place, i in enumerate(order)]


class Desk:
    """Attribute bag: two ranked months and what HQ decided."""


@pytest.fixture
def desk(world, rules, communities):
    """August and September, ten communities: C1 first and E1 last both months.  Confirmed:
    C1's 流动红旗 for August (document 上创文指〔2026〕21号) and E1's 约谈 for September; dismissed:
    C2's 流动红旗 for August; everything else still proposed."""
    from chuangwen.evaluation.models import RankGroup
    from chuangwen.rewards.models import Proposal
    from chuangwen.rewards.services import proposal_confirm, proposal_dismiss, propose_for_period

    d = Desk()
    order = [0, 1, 3, 4, 5, 6, 7, 8, 9, 2]
    d.aug = snapshot(world.hq, date(2026, 8, 1), RankGroup.COMMUNITY, scores_for(communities, order))
    d.sep = snapshot(world.hq, date(2026, 9, 1), RankGroup.COMMUNITY, scores_for(communities, order))
    for period in (d.aug, d.sep):
        propose_for_period(period=period, actor=world.hq)
    d.c1_flag = Proposal.objects.get(period=d.aug, unit=world.community)
    d.c1_record = proposal_confirm(proposal=d.c1_flag, actor=world.hq, doc_number="上创文指〔2026〕21号")
    d.e1_talk = Proposal.objects.get(period=d.sep, unit=world.other_community, kind="talk")
    d.e1_record = proposal_confirm(proposal=d.e1_talk, actor=world.hq, doc_number="上创文指〔2026〕22号")
    d.c2_flag = Proposal.objects.get(period=d.aug, unit=world.community2)
    proposal_dismiss(proposal=d.c2_flag, actor=world.hq, reason="该社区本月发生安全事故")
    d.pending = Proposal.objects.filter(status="proposed").order_by("id")
    return d
