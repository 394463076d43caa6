"""Who goes on a period's 红榜 and 黑榜, from one group's frozen ranking (plain Python, tested
without a database).

Ranks are competition ranks (1, 2, 2, 4).  Top N: rank <= N, so a tie at the cut takes all the
tied units.  Bottom N: fewer than N units are strictly worse, so a tie for last place takes all
the tied units.  Neither list takes more than half of the group (`half = count // 2`): in a small
group "top 10" and "bottom 3" would otherwise overlap, and no unit may be on both lists; a unit
on the bottom list also has at least half of the group ranked strictly better.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Placing:
    unit_id: int
    rank: int


def top(placings: Sequence[Placing], n: int) -> list[Placing]:
    cut = min(n, len(placings) // 2)
    return [p for p in placings if p.rank <= cut]


def bottom(placings: Sequence[Placing], n: int) -> list[Placing]:
    count = len(placings)
    half = count // 2
    cut = min(n, half)
    if cut < 1:
        return []
    ranks = sorted(p.rank for p in placings)
    chosen = []
    for p in placings:
        worse = count - bisect_right(ranks, p.rank)
        if worse < cut and p.rank > half:
            chosen.append(p)
    return chosen
