"""Reads of evaluation data; pages, the API and the rewards app share them.

`ranking(period, group, user=None)` is the interface the rewards app builds on: the entries of
one rank group ordered by rank, then unit path — the frozen `RankEntry` rows once the period
is finalised, else unsaved `RankEntry` objects computed live by `engine.compute` (same fields;
`pk` is None).  With a `user`, a person without `evaluation.view` gets an empty list.

Who sees what (docs/decisions/0011-evaluation-scores.md): rankings (unit, score, rank) are
public to every business role, so a community sees where it stands among all communities;
a score card (components, rule points, the records behind them) only within the person's
scope (`org.selectors.units_visible_to`).
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from chuangwen.accounts.permissions import has_verb
from chuangwen.org.models import Unit
from chuangwen.org.selectors import units_visible_to

from . import engine
from .groups import group_of
from .models import Period, PeriodStatus, RankEntry
from .scoring import COMPONENT_CODES

TREND_PERIODS = 6
_LIVE_ATTR = "_cw_live_result"


def can_view(user) -> bool:
    return has_verb(user, "evaluation.view")


def can_manage(user) -> bool:
    return has_verb(user, "evaluation.manage")


def periods_visible_to(user) -> QuerySet[Period]:
    return Period.objects.all() if can_view(user) else Period.objects.none()


def card_units_visible_to(user) -> QuerySet[Unit]:
    """The units whose score cards (and records) `user` may open: those in their scope."""
    return units_visible_to(user) if can_view(user) else Unit.objects.none()


def live_result(period: Period) -> engine.Result:
    """The live computation of an open period, all groups at once (the queries are the same for
    one group or five), kept on the period object for the request."""
    result = getattr(period, _LIVE_ATTR, None)
    if result is None:
        result = engine.compute(period.start, period.end)
        setattr(period, _LIVE_ATTR, result)
    return result


def is_finalised(period: Period) -> bool:
    """True once the period is finalised, even when `period` was read before that (a caller may
    hold it across the finalisation): an open period is re-read, one query."""
    if period.status != PeriodStatus.FINALISED and period.pk is not None:
        if Period.objects.filter(pk=period.pk, status=PeriodStatus.FINALISED).exists():
            period.refresh_from_db(fields=["status", "finalised_at", "finalised_by", "version"])
    return period.status == PeriodStatus.FINALISED


def ranking(period: Period, group: str, user=None) -> list[RankEntry]:
    if user is not None and not can_view(user):
        return []
    if is_finalised(period):
        return list(RankEntry.objects.filter(period=period, group=group).select_related("unit")
                    .order_by("rank", "unit__path"))
    return live_result(period).entries(period, group)


def entry_for(period: Period, unit: Unit) -> tuple[RankEntry | None, int]:
    """The unit's entry in the period (frozen or live) and the size of its group."""
    if is_finalised(period):
        entry = RankEntry.objects.filter(period=period, unit=unit).first()
        size = RankEntry.objects.filter(period=period, group=entry.group).count() if entry else 0
        return entry, size
    group = group_of(unit.kind)
    if group is None:
        return None, 0
    entries = ranking(period, group)
    return next((e for e in entries if e.unit_id == unit.pk), None), len(entries)


@dataclass
class ScoreCard:
    period: Period
    unit: Unit
    entry: RankEntry | None
    group_size: int
    parts: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    formula: dict = field(default_factory=dict)
    trend: list[dict] = field(default_factory=list)

    @property
    def left_out(self) -> list[str]:
        return [p["label"] for p in self.parts if p["left_out"]]


def score_card(period: Period, unit: Unit) -> ScoreCard:
    """The card of `unit` in `period`; callers fetch `unit` through the person's scope
    (`units_visible_to`) first."""
    entry, size = entry_for(period, unit)
    card = ScoreCard(period=period, unit=unit, entry=entry, group_size=size)
    if entry is None:
        return card
    comps = entry.components or {}
    for code in COMPONENT_CODES:
        if code in comps:
            card.parts.append({"code": code, **comps[code]})
    card.rules = comps.get("_rules", [])
    card.formula = comps.get("_formula", {})
    card.trend = trend(period, unit, entry)
    return card


def trend(period: Period, unit: Unit, current: RankEntry | None = None, n: int = TREND_PERIODS) -> list[dict]:
    """The unit's score and rank in the last `n` periods of the same kind up to `period`
    (finalised ones from the snapshot; `period` itself from `current` when it is open)."""
    rows = list(RankEntry.objects.filter(unit=unit, period__kind=period.kind, period__start__lte=period.start,
                                         period__status=PeriodStatus.FINALISED)
                .select_related("period").order_by("-period__start")[:n])
    points = [{"period": e.period, "label": e.period.label, "score": e.score, "rank": e.rank} for e in rows]
    if period.status != PeriodStatus.FINALISED and current is not None:
        points = [{"period": period, "label": period.label, "score": current.score, "rank": current.rank},
                  *points[: n - 1]]
    return list(reversed(points))
