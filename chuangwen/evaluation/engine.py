"""Scoring every ranked unit of a period at once: the counts (`counts`, `findings`), rolled up
to districts when their group includes the subtree, weighed (`scoring`), ranked per group.

About a dozen queries whatever the number of units: the units, the weights and rules, one
aggregate per component, one for the findings and one for their reporters.  The result is the
same whoever asks (the problem metrics are read as an all-seeing reader, `reader()`); what a
person may then see of it is the selectors' business.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from chuangwen.accounts.models import User
from chuangwen.accounts.roles import Role
from chuangwen.org.models import Unit

from . import counts as C
from .config import RuleValues, rules_in_force, weights_in_force
from .findings import CITY, DISTRICT, bounds, finding_totals
from .groups import KIND_GROUP
from .models import RankEntry, RuleCode
from .scoring import Card, RuleLine, competition_ranks, final_score, rule_points, weigh

SEGMENT = 9  # "/00000001" + "/": org.services' fixed-width path segment


def reader() -> User:
    """An unsaved, all-seeing principal for the shared problem metrics: rankings compare every
    unit, so the figures may not depend on who opens the page.  Never saved, never logged in."""
    user = User(username="evaluation-engine", full_name="考评计算", is_active=True)
    user.roles = [Role.LEADER]
    return user


@dataclass
class RankedUnit:
    id: int
    path: str
    kind: str
    name: str
    group: str


@dataclass
class Result:
    start: date
    end: date
    cards: dict[str, list[Card]] = field(default_factory=dict)  # group → cards in rank order
    units: dict[int, RankedUnit] = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    rules: RuleValues | None = None

    def entries(self, period=None, group: str | None = None) -> list[RankEntry]:
        """Unsaved RankEntry rows in `ranking`'s shape (one group, or all)."""
        out = []
        for g, cards in self.cards.items():
            if group is not None and g != group:
                continue
            w = self.weights[g]
            share = Decimal(w.component_share) / 100
            for card in cards:
                u = self.units[card.unit_id]
                entry = RankEntry(
                    period=period, unit_id=u.id, unit_name=u.name, group=g, score=card.score, rank=card.rank,
                    weighted_score=None if card.weighted is None else card.weighted.quantize(Decimal("0.01")),
                    rule_points=card.rule_total.quantize(Decimal("0.01")),
                    components=card.components_json(share=share, base=self.rules.base,
                                                    include_subtree=w.include_subtree),
                )
                entry.unit_path = u.path
                out.append(entry)
        return out


def ranked_units(start: date, end: date, groups=None) -> dict[int, RankedUnit]:
    """Units of a ranked kind not abolished before the period ended, in tree order."""
    _, hi = bounds(start, end)
    kinds = [k for k, g in KIND_GROUP.items() if groups is None or g in groups]
    qs = (Unit.objects.filter(kind__in=kinds).filter(Q(abolished_at__isnull=True) | Q(abolished_at__gte=hi))
          .order_by("path").values_list("id", "path", "kind", "full_name"))
    return {pk: RankedUnit(pk, path, kind, name, KIND_GROUP[kind]) for pk, path, kind, name in qs}


def ancestor_paths(path: str):
    for cut in range(SEGMENT + 1, len(path), SEGMENT):
        yield path[:cut]


def rollup(raw: dict[int, object], paths: dict[int, str], units: dict[int, RankedUnit],
           subtree_groups: set[str], add) -> dict[int, object]:
    """Per ranked unit: its own counts, plus its descendants' when its group includes the
    subtree.  `add(a, b)` combines two counts (a may be None)."""
    by_path = {u.path: u.id for u in units.values() if u.group in subtree_groups}
    out: dict[int, object] = {}
    for uid, value in raw.items():
        if uid in units:
            out[uid] = add(out.get(uid), value)
        path = paths.get(uid)
        if path is None or not by_path:
            continue
        for anc in ancestor_paths(path):
            target = by_path.get(anc)
            if target is not None:
                out[target] = add(out.get(target), value)
    return out


def _add_pair(a, b):
    return b if a is None else (a[0] + b[0], a[1] + b[1])


def _add_levels(a, b):
    if a is None:
        return dict(b)
    merged = dict(a)
    for level, pair in b.items():
        merged[level] = _add_pair(merged.get(level), pair)
    return merged


def rule_lines(levels: dict[str, tuple[int, int]], rv: RuleValues) -> list[RuleLine]:
    lines = []
    for code, level, full, spot in ((RuleCode.CITY_PROBLEM, CITY, rv.city, rv.city_on_spot),
                                    (RuleCode.DISTRICT_PROBLEM, DISTRICT, rv.district, rv.district_on_spot)):
        n, on_spot = levels.get(level, (0, 0))
        points = full * (n - on_spot) + spot * on_spot if n else Decimal(0)
        lines.append(RuleLine(code, RuleCode(code).label, count=n, on_spot=on_spot, points=points, full=full,
                              spot=spot))
    # No inspection results are recorded yet: the clean-site bonus has no data source.
    lines.append(RuleLine(RuleCode.CLEAN_SITE, RuleCode.CLEAN_SITE.label, no_data=True, full=rv.clean_site))
    return lines


def compute(start: date, end: date, groups=None) -> Result:
    """Score and rank the units of `groups` (all groups when None) over [start, end]."""
    units = ranked_units(start, end, groups)
    weights = weights_in_force()
    rv = RuleValues.from_rules(rules_in_force())
    result = Result(start=start, end=end, units=units, weights=weights, rules=rv)
    subtree = {g for g, w in weights.items() if w.include_subtree and (groups is None or g in groups)}
    raw = {"tasks": C.task_counts(start, end), "handover": C.handover_counts(start, end)}
    raw["problem_on_time"], raw["rework"] = C.problem_counts(reader(), start, end)
    findings = finding_totals(start, end)
    counted = set().union(*(r.keys() for r in raw.values()), findings.keys())
    paths = dict(Unit.objects.filter(pk__in=counted).values_list("id", "path")) if subtree else {}
    rolled = {code: rollup(r, paths, units, subtree, _add_pair) for code, r in raw.items()}
    rolled_findings = rollup(findings, paths, units, subtree, _add_levels)
    by_group: dict[str, list[Card]] = {}
    for u in units.values():
        w = weights[u.group]
        parts, weighted = weigh({code: r[u.id] for code, r in rolled.items() if u.id in r}, w.weights())
        if weighted is None:
            # Nothing due, rechecked or handed in: no score to compare (ranking it on the rule
            # base alone would put idle units on top).
            continue
        lines = rule_lines(rolled_findings.get(u.id, {}), rv)
        total = rule_points(rv.base, lines)
        card = Card(unit_id=u.id, group=u.group, parts=parts, weighted=weighted, rules=lines,
                    rule_total=total, score=final_score(weighted, total, Decimal(w.component_share) / 100))
        by_group.setdefault(u.group, []).append(card)
    for g, cards in by_group.items():
        for card, rank in zip(cards, competition_ranks([c.score for c in cards]), strict=True):
            card.rank = rank
        # Units arrive in path order; a stable sort keeps it within equal ranks.
        cards.sort(key=lambda c: c.rank)
        result.cards[g] = cards
    return result
