"""The score maths (plain Python, tested without a database): components, renormalised weights,
rule points, the final score and competition ranking.  docs/decisions/0011-evaluation-scores.md
explains the choices.

    component score rate  r_i in [0, 1]  (None = no data: left out)
    weight used           w_i' = w_i / sum(w_j for components with data)
    weighted score        S_w = 100 * sum(w_i' * r_i)              (None when no component has data)
    rule points           R = max(0, base + sum(rule points))
    final score           S = s * S_w + (1 - s) * R                 s = the group's component share
                          (no score, not ranked, when S_w is None)
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    numerator_label: str
    denominator_label: str
    # True when a lower rate is better (rework): the score rate is 1 − rate.
    inverse: bool = False
    no_data_note: str = "本期无可计算的记录"


COMPONENTS: tuple[Component, ...] = (
    Component("tasks", "任务按期完成率", "按期验收", "本期到期任务",
              no_data_note="本期没有到期的任务"),
    Component("problem_on_time", "问题按期结案率", "按期结案", "应结案(不含挂账)",
              no_data_note="本期没有到期应结案的问题"),
    Component("rework", "问题返工率", "返工次数", "复查次数", inverse=True,
              no_data_note="本期没有复查记录"),
    Component("handover", "交账一次验收通过率", "一次通过", "首次交账(已验收或退回)",
              no_data_note="本期没有已审结的首次交账"),
    Component("mock", "模拟测评得分率", "得分", "满分",
              no_data_note="暂无模拟测评数据"),
)
COMPONENT_CODES = tuple(c.code for c in COMPONENTS)
BY_CODE = {c.code: c for c in COMPONENTS}


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Part:
    """One component of one unit's card."""

    code: str
    numerator: int = 0
    denominator: int = 0
    weight: Decimal = Decimal(0)
    weight_used: Decimal = Decimal(0)
    points: Decimal = Decimal(0)

    @property
    def component(self) -> Component:
        return BY_CODE[self.code]

    @property
    def has_data(self) -> bool:
        return self.denominator > 0

    @property
    def rate(self) -> Decimal | None:
        """The metric as named (for rework: the rework rate)."""
        return Decimal(self.numerator) / Decimal(self.denominator) if self.has_data else None

    @property
    def score_rate(self) -> Decimal | None:
        rate = self.rate
        if rate is None:
            return None
        return 1 - rate if self.component.inverse else rate

    def as_json(self) -> dict:
        c = self.component
        rate = self.rate
        return {
            "label": c.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "numerator_label": c.numerator_label,
            "denominator_label": c.denominator_label,
            "value": None if rate is None else round(float(self.score_rate), 6),
            "rate": None if rate is None else round(float(rate), 6),
            "inverse": c.inverse,
            "weight": float(self.weight),
            "weight_used": round(float(self.weight_used), 6),
            "points": float(q2(self.points)),
            "left_out": not self.has_data,
            "note": c.no_data_note if not self.has_data else "",
        }


def weigh(counts: dict[str, tuple[int, int]], weights: dict) -> tuple[list[Part], Decimal | None]:
    """The parts and the weighted score (0–100, unrounded; None when no component has data).
    `counts` maps component code → (numerator, denominator); a missing code has no data."""
    parts = [Part(code, *counts.get(code, (0, 0)), weight=Decimal(weights.get(code, 0)))
             for code in COMPONENT_CODES]
    total = sum((p.weight for p in parts if p.has_data and p.weight > 0), Decimal(0))
    if total <= 0:
        return parts, None
    score = Decimal(0)
    for p in parts:
        if p.has_data and p.weight > 0:
            p.weight_used = p.weight / total
            p.points = HUNDRED * p.weight_used * p.score_rate
            score += p.points
    return parts, score


@dataclass
class RuleLine:
    """One rule's effect on one unit: `count` records worth `points` in all (on-the-spot fixes
    at their own rate)."""

    code: str
    label: str
    count: int = 0
    on_spot: int = 0
    points: Decimal = Decimal(0)
    no_data: bool = False
    full: Decimal = Decimal(0)  # points per record, and per record fixed on the spot
    spot: Decimal = Decimal(0)

    def as_json(self) -> dict:
        return {"code": self.code, "label": self.label, "count": self.count, "on_spot": self.on_spot,
                "points": float(q2(self.points)) + 0.0, "no_data": self.no_data, "full": float(self.full),
                "spot": float(self.spot)}


def rule_points(base: Decimal, lines: list[RuleLine]) -> Decimal:
    """Base plus every rule's points, never below 0 (a unit with many findings bottoms out
    rather than dragging the final score negative)."""
    return max(Decimal(0), Decimal(base) + sum((line.points for line in lines), Decimal(0)))


def final_score(weighted: Decimal, rules: Decimal, share: Decimal) -> Decimal:
    """`share` is the component share as a fraction (0.70).  A unit without any component data
    is not scored at all (engine.compute), so `weighted` is a number here."""
    return q2(share * weighted + (1 - share) * rules)


def competition_ranks(scores: list[Decimal]) -> list[int]:
    """Standard competition ranking (1, 2, 2, 4) of `scores`, highest first, in input order."""
    order = sorted(scores, reverse=True)
    first = {}
    for i, s in enumerate(order, start=1):
        first.setdefault(s, i)
    return [first[s] for s in scores]


@dataclass
class Card:
    """One unit's computed result, before it becomes a RankEntry."""

    unit_id: int
    group: str
    parts: list[Part] = field(default_factory=list)
    weighted: Decimal | None = None
    rules: list[RuleLine] = field(default_factory=list)
    rule_total: Decimal = Decimal(0)
    score: Decimal = Decimal(0)
    rank: int = 0

    def components_json(self, *, share: Decimal, base: Decimal, include_subtree: bool) -> dict:
        data = {p.code: p.as_json() for p in self.parts}
        data["_rules"] = [line.as_json() for line in self.rules]
        left_out = [p.component.label for p in self.parts if not p.has_data]
        data["_formula"] = {
            "share": float(share), "base": float(base), "include_subtree": include_subtree,
            "left_out": left_out, "renormalised": bool(left_out) and self.weighted is not None,
        }
        return data
