"""The weights and rules in force: the saved rows, or the defaults below for a group or rule that
HQ has not edited yet (two small queries).

Default weights (percent of the weighted score; docs/decisions/0011-evaluation-scores.md): the
problem loop weighs most where problems are found on the ground (communities, streets,
districts), tasks where the work is policy (departments, stationed units), following the
point splits cities publish (DOMAIN-NOTES §2.5: Jinhua 50 on-time / 20 closure; Yangzhou 70
routine cases / 5 rework / 10 special tasks; Yichang's field-heavy mock tests).
"""

from dataclasses import dataclass
from decimal import Decimal

from .models import GroupWeights, RankGroup, Rule, RuleCode


def _weights(tasks, on_time, rework, handover, mock, *, subtree=False) -> dict:
    return {"w_tasks": tasks, "w_problem_on_time": on_time, "w_rework": rework, "w_handover": handover,
            "w_mock": mock, "component_share": 70, "include_subtree": subtree}


DEFAULT_WEIGHTS: dict[str, dict] = {
    RankGroup.DISTRICT: _weights(25, 30, 10, 15, 20, subtree=True),
    RankGroup.DEPARTMENT: _weights(40, 20, 10, 20, 10),
    RankGroup.STATIONED: _weights(40, 25, 10, 15, 10),
    RankGroup.STREET: _weights(25, 35, 15, 10, 15),
    RankGroup.COMMUNITY: _weights(20, 40, 15, 10, 15),
}

DEFAULT_RULES: dict[str, dict] = {
    RuleCode.BASE: {"points": Decimal(100), "on_spot_points": None},
    RuleCode.CITY_PROBLEM: {"points": Decimal(-2), "on_spot_points": Decimal(-1)},
    RuleCode.DISTRICT_PROBLEM: {"points": Decimal(-1), "on_spot_points": Decimal("-0.5")},
    RuleCode.CLEAN_SITE: {"points": Decimal(2), "on_spot_points": None},
}


def weights_in_force() -> dict[str, GroupWeights]:
    """group → weights (saved row, or an unsaved one holding the defaults)."""
    saved = {w.group: w for w in GroupWeights.objects.all()}
    return {g: saved.get(g) or GroupWeights(group=g, **DEFAULT_WEIGHTS[g]) for g in RankGroup.values}


def rules_in_force() -> dict[str, Rule]:
    saved = {r.code: r for r in Rule.objects.all()}
    return {c: saved.get(c) or Rule(code=c, **DEFAULT_RULES[c]) for c in RuleCode.values}


@dataclass(frozen=True)
class RuleValues:
    """The rules as numbers (an inactive rule counts 0; the base is always counted)."""

    base: Decimal
    city: Decimal
    city_on_spot: Decimal
    district: Decimal
    district_on_spot: Decimal
    clean_site: Decimal

    @classmethod
    def from_rules(cls, rules: dict[str, Rule]) -> "RuleValues":
        def pts(code, on_spot=False):
            r = rules[code]
            if not r.is_active:
                return Decimal(0)
            if on_spot and r.on_spot_points is not None:
                return Decimal(r.on_spot_points)
            return Decimal(r.points)

        return cls(base=Decimal(rules[RuleCode.BASE].points), city=pts(RuleCode.CITY_PROBLEM),
                   city_on_spot=pts(RuleCode.CITY_PROBLEM, True), district=pts(RuleCode.DISTRICT_PROBLEM),
                   district_on_spot=pts(RuleCode.DISTRICT_PROBLEM, True), clean_site=pts(RuleCode.CLEAN_SITE))
